/*
Copyright 2026 The zoom-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package zoom

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// seenRequest is what the fake API saw of one request.
type seenRequest struct {
	Method        string
	Path          string
	Query         string
	Body          string
	Accept        string
	ContentType   string
	UserAgent     string
	Authorization string
}

// recorder records API requests and answers them with status and body.
type recorder struct {
	mu     sync.Mutex
	seen   []seenRequest
	status int
	body   string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.seen = append(rec.seen, seenRequest{
		Method:        r.Method,
		Path:          r.URL.EscapedPath(),
		Query:         r.URL.RawQuery,
		Body:          string(body),
		Accept:        r.Header.Get("Accept"),
		ContentType:   r.Header.Get("Content-Type"),
		UserAgent:     r.Header.Get("User-Agent"),
		Authorization: r.Header.Get("Authorization"),
	})
	rec.mu.Unlock()
	reply(rec.status, nil, rec.body)(w, r)
}

func ptr[T any](v T) *T { return &v }

func TestEndpoints(t *testing.T) {
	const auth = "Bearer " + tokenPrefix + "1"
	get := func(method, path, query string) seenRequest {
		return seenRequest{Method: method, Path: path, Query: query, Accept: "application/json", UserAgent: "zoom-operator", Authorization: auth}
	}
	withBody := func(s seenRequest, body string) seenRequest {
		s.Body, s.ContentType = body, "application/json"
		return s
	}
	tests := map[string]struct {
		call       func(context.Context, *Client) (any, error)
		status     int
		respBody   string
		wantSeen   seenRequest
		wantResult any
	}{
		"CreateUser create": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateUser(ctx, CreateUserRequest{Action: CreateActionCreate, UserInfo: UserInfo{Email: "a@b.c", Type: TypeLicensed, FirstName: "Ada", LastName: "Lovelace"}})
			},
			status:     http.StatusCreated,
			respBody:   `{"id":"u1","first_name":"Ada","last_name":"Lovelace","email":"a@b.c","type":2}`,
			wantSeen:   withBody(get("POST", "/users", ""), `{"action":"create","user_info":{"email":"a@b.c","type":2,"first_name":"Ada","last_name":"Lovelace"}}`),
			wantResult: &User{ID: "u1", Email: "a@b.c", FirstName: "Ada", LastName: "Lovelace", Type: TypeLicensed},
		},
		"CreateUser autoCreate sends password": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateUser(ctx, CreateUserRequest{Action: CreateActionAutoCreate, UserInfo: UserInfo{Email: "a@b.c", Type: TypeBasic, DisplayName: "Ada L", Password: "Passw0rdX"}})
			},
			status:     http.StatusCreated,
			respBody:   `{"id":"u1","email":"a@b.c","type":1}`,
			wantSeen:   withBody(get("POST", "/users", ""), `{"action":"autoCreate","user_info":{"email":"a@b.c","type":1,"display_name":"Ada L","password":"Passw0rdX"}}`),
			wantResult: &User{ID: "u1", Email: "a@b.c", Type: TypeBasic},
		},
		"GetUser by email": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetUser(ctx, "a+b@c.d")
			},
			status:     http.StatusOK,
			respBody:   `{"id":"u1","email":"a+b@c.d","first_name":"A","last_name":"B","display_name":"A B","type":1,"status":"pending","role_name":"Member","pmi":123}`,
			wantSeen:   get("GET", "/users/a+b@c.d", ""),
			wantResult: &User{ID: "u1", Email: "a+b@c.d", FirstName: "A", LastName: "B", DisplayName: "A B", Type: TypeBasic, Status: StatusPending, RoleName: "Member"},
		},
		"GetUser escapes the path": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetUser(ctx, "we/ird id?")
			},
			status:     http.StatusOK,
			respBody:   `{"id":"x","email":"x@y.z","type":1}`,
			wantSeen:   get("GET", "/users/we%2Fird%20id%3F", ""),
			wantResult: &User{ID: "x", Email: "x@y.z", Type: TypeBasic},
		},
		"UpdateUser sends only set fields": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.UpdateUser(ctx, "u1", UpdateUserRequest{FirstName: ptr("Ada"), Type: ptr(TypeLicensed)})
			},
			status:   http.StatusNoContent,
			wantSeen: withBody(get("PATCH", "/users/u1", ""), `{"first_name":"Ada","type":2}`),
		},
		"UpdateUser clears a name with an empty string": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.UpdateUser(ctx, "u1", UpdateUserRequest{DisplayName: ptr(""), LastName: ptr("L")})
			},
			status:   http.StatusNoContent,
			wantSeen: withBody(get("PATCH", "/users/u1", ""), `{"last_name":"L","display_name":""}`),
		},
		"SetUserStatus activate": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.SetUserStatus(ctx, "u1", true)
			},
			status:   http.StatusNoContent,
			wantSeen: withBody(get("PUT", "/users/u1/status", ""), `{"action":"activate"}`),
		},
		"SetUserStatus deactivate": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.SetUserStatus(ctx, "u1", false)
			},
			status:   http.StatusNoContent,
			wantSeen: withBody(get("PUT", "/users/u1/status", ""), `{"action":"deactivate"}`),
		},
		"DeleteUser delete": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.DeleteUser(ctx, "u1", DeleteActionDelete)
			},
			status:   http.StatusNoContent,
			wantSeen: get("DELETE", "/users/u1", "action=delete"),
		},
		"DeleteUser disassociate": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.DeleteUser(ctx, "a@b.c", DeleteActionDisassociate)
			},
			status:   http.StatusNoContent,
			wantSeen: get("DELETE", "/users/a@b.c", "action=disassociate"),
		},
		"DeleteUser without action": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.DeleteUser(ctx, "u1", "")
			},
			status:   http.StatusNoContent,
			wantSeen: get("DELETE", "/users/u1", ""),
		},
		"ListUsers with every parameter": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ListUsers(ctx, StatusPending, 50, "tok en")
			},
			status:   http.StatusOK,
			respBody: `{"next_page_token":"n2","page_count":2,"page_number":1,"page_size":50,"total_records":51,"users":[{"email":"p@b.c","type":1,"status":"pending"}]}`,
			wantSeen: get("GET", "/users", "next_page_token=tok+en&page_size=50&status=pending"),
			wantResult: &UserPage{NextPageToken: "n2", PageSize: 50, TotalRecords: 51, Users: []User{
				{Email: "p@b.c", Type: TypeBasic, Status: StatusPending},
			}},
		},
		"ListUsers without parameters": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ListUsers(ctx, "", 0, "")
			},
			status:     http.StatusOK,
			respBody:   `{"next_page_token":"","page_size":30,"total_records":0,"users":[]}`,
			wantSeen:   get("GET", "/users", ""),
			wantResult: &UserPage{PageSize: 30, Users: []User{}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{status: tc.status, body: tc.respBody}
			// A trailing slash on the base URL must not double the slash.
			env := newTestEnv(t, rec.ServeHTTP, func(c *Config) { c.APIURL += "/" })
			got, err := tc.call(context.Background(), env.client)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if diff := cmp.Diff(tc.wantResult, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]seenRequest{tc.wantSeen}, rec.seen); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEmptyIDSendsNothing(t *testing.T) {
	rec := &recorder{status: http.StatusOK, body: `{}`}
	env := newTestEnv(t, rec.ServeHTTP)
	ctx := context.Background()
	c := env.client
	tests := map[string]func() error{
		"GetUser":       func() error { _, err := c.GetUser(ctx, ""); return err },
		"UpdateUser":    func() error { return c.UpdateUser(ctx, "", UpdateUserRequest{}) },
		"SetUserStatus": func() error { return c.SetUserStatus(ctx, "", true) },
		"DeleteUser":    func() error { return c.DeleteUser(ctx, "", DeleteActionDelete) },
	}
	for name, call := range tests {
		t.Run(name, func(t *testing.T) {
			err := call()
			if !errors.Is(err, ErrEmptyID) {
				t.Errorf("err = %v, want ErrEmptyID", err)
			}
			if got := Classify(err); got != KindTerminal {
				t.Errorf("Classify = %v, want Terminal", got)
			}
		})
	}
	if len(rec.seen) != 0 || env.tokens.fetches() != 0 {
		t.Errorf("sent %d API and %d token requests, want none", len(rec.seen), env.tokens.fetches())
	}
}

// pagedAPI serves GET /users from pages keyed by the next_page_token asked for.
type pagedAPI struct {
	mu      sync.Mutex
	queries []string
	pages   map[string]string
}

func (p *pagedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.queries = append(p.queries, r.URL.RawQuery)
	p.mu.Unlock()
	body, ok := p.pages[r.URL.Query().Get("next_page_token")]
	if !ok {
		reply(http.StatusBadRequest, nil, `{"code":300,"message":"The next page token is invalid or expired."}`)(w, r)
		return
	}
	reply(http.StatusOK, nil, body)(w, r)
}

func TestListAllUsers(t *testing.T) {
	tests := map[string]struct {
		status      string
		pages       map[string]string
		wantQueries []string
		wantUsers   []User
		wantKind    Kind
	}{
		"follows next_page_token until empty": {
			status: StatusActive,
			pages: map[string]string{
				"":   `{"next_page_token":"p2","page_size":300,"total_records":3,"users":[{"id":"1","email":"a@x","type":1},{"id":"2","email":"b@x","type":2}]}`,
				"p2": `{"next_page_token":"p3","page_size":300,"total_records":3,"users":[{"id":"3","email":"c@x","type":1}]}`,
				"p3": `{"next_page_token":"","page_size":300,"total_records":3,"users":[]}`,
			},
			wantQueries: []string{
				"page_size=2000&status=active",
				"next_page_token=p2&page_size=2000&status=active",
				"next_page_token=p3&page_size=2000&status=active",
			},
			wantUsers: []User{
				{ID: "1", Email: "a@x", Type: 1},
				{ID: "2", Email: "b@x", Type: 2},
				{ID: "3", Email: "c@x", Type: 1},
			},
		},
		"single page without status": {
			pages: map[string]string{
				"": `{"next_page_token":"","users":[{"email":"p@x","type":1,"status":"pending"}]}`,
			},
			wantQueries: []string{"page_size=2000"},
			wantUsers:   []User{{Email: "p@x", Type: 1, Status: StatusPending}},
		},
		"an error on a later page fails the whole list": {
			status: StatusInactive,
			pages: map[string]string{
				"": `{"next_page_token":"gone","users":[{"id":"1","email":"a@x","type":1}]}`,
			},
			wantQueries: []string{"page_size=2000&status=inactive", "next_page_token=gone&page_size=2000&status=inactive"},
			wantKind:    KindTerminal,
		},
		"a repeated token stops the loop": {
			pages: map[string]string{
				"":     `{"next_page_token":"same","users":[]}`,
				"same": `{"next_page_token":"same","users":[]}`,
			},
			wantQueries: []string{"page_size=2000", "next_page_token=same&page_size=2000"},
			wantKind:    KindRetryable,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			api := &pagedAPI{pages: tc.pages}
			env := newTestEnv(t, api.ServeHTTP)
			users, err := env.client.ListAllUsers(context.Background(), tc.status)
			if got := Classify(err); got != tc.wantKind {
				t.Errorf("Classify(%v) = %v, want %v", err, got, tc.wantKind)
			}
			if diff := cmp.Diff(tc.wantUsers, users); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantQueries, api.queries); diff != "" {
				t.Errorf("queries (-want +got):\n%s", diff)
			}
			if err != nil && strings.Contains(err.Error(), testSecret) {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
}
