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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const (
	testAccountID = "acct-42"
	testClientID  = "client42"
	testSecret    = "Sup3rS3cretClientValue"
	tokenPrefix   = "zoomtoken-"
)

// testNow stamps every response received by a test client.
var testNow = time.Date(2026, 3, 10, 15, 4, 5, 0, time.UTC)

// tokenRequest is what the fake token endpoint saw.
type tokenRequest struct {
	Method, ContentType string
	User, Pass          string
	HasBasic            bool
	GrantType           string
	AccountID           string
}

// fakeTokens is an OAuth token endpoint issuing zoomtoken-1, zoomtoken-2, …
type fakeTokens struct {
	mu        sync.Mutex
	requests  []tokenRequest
	expiresIn int           // seconds; 0 leaves expires_in out
	delay     time.Duration // before answering
	// A non-zero status makes every request fail with it and body.
	status      int
	body        string
	contentType string
	header      http.Header
}

func (f *fakeTokens) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Reading the form first lets the server notice a client that gives up.
	_ = r.ParseForm()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	user, pass, ok := r.BasicAuth()
	f.mu.Lock()
	f.requests = append(f.requests, tokenRequest{
		Method:      r.Method,
		ContentType: r.Header.Get("Content-Type"),
		User:        user,
		Pass:        pass,
		HasBasic:    ok,
		GrantType:   r.PostForm.Get("grant_type"),
		AccountID:   r.PostForm.Get("account_id"),
	})
	n := len(f.requests)
	f.mu.Unlock()

	for k, vs := range f.header {
		w.Header()[k] = vs
	}
	if f.status != 0 {
		ct := f.contentType
		if ct == "" {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(f.status)
		_, _ = io.WriteString(w, f.body)
		return
	}
	resp := map[string]any{
		"access_token": fmt.Sprintf("%s%d", tokenPrefix, n),
		"token_type":   "bearer",
		"scope":        "user:read:admin user:write:admin",
	}
	if f.expiresIn != 0 {
		resp["expires_in"] = f.expiresIn
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func (f *fakeTokens) fetches() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// testEnv is a client wired to one httptest server that serves the token
// endpoint at /oauth/token and the API under /v2.
type testEnv struct {
	client *Client
	tokens *fakeTokens
	server *httptest.Server
}

func newTestEnv(t *testing.T, api http.HandlerFunc, opts ...func(*Config)) *testEnv {
	t.Helper()
	tokens := &fakeTokens{expiresIn: 3600}
	mux := http.NewServeMux()
	mux.Handle("/oauth/token", tokens)
	mux.Handle("/v2/", http.StripPrefix("/v2", api))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cfg := Config{
		APIURL:   srv.URL + "/v2",
		TokenURL: srv.URL + "/oauth/token",
		Credentials: Credentials{
			AccountID:    testAccountID,
			ClientID:     testClientID,
			ClientSecret: testSecret,
		},
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	c := New(cfg)
	c.now = func() time.Time { return testNow }
	return &testEnv{client: c, tokens: tokens, server: srv}
}

// reply answers every API request with status, headers and body.
func reply(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// closedURL returns the URL of a server that no longer listens.
func closedURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u
}

func asAPIError(err error) *APIError {
	var e *APIError
	errors.As(err, &e)
	return e
}

// fmtAll renders err with every verb a logger might use.
func fmtAll(err error) string {
	return fmt.Sprintf("%v %+v %#v %s", err, err, err, err)
}
