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
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

func TestGroupAndRoleEndpoints(t *testing.T) {
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
		"ListGroups": {
			call:       func(ctx context.Context, c *Client) (any, error) { return c.ListGroups(ctx, 300, "t1") },
			status:     http.StatusOK,
			respBody:   `{"groups":[{"id":"g1","name":"Eng","total_members":2}],"total_records":1,"next_page_token":""}`,
			wantSeen:   get("GET", "/groups", "next_page_token=t1&page_size=300"),
			wantResult: &GroupPage{Groups: []Group{{ID: "g1", Name: "Eng", TotalMembers: 2}}, TotalRecords: 1},
		},
		"CreateGroup": {
			call:       func(ctx context.Context, c *Client) (any, error) { return c.CreateGroup(ctx, "Team A") },
			status:     http.StatusCreated,
			respBody:   `{"id":"g1","name":"Team A","total_members":0}`,
			wantSeen:   withBody(get("POST", "/groups", ""), `{"name":"Team A"}`),
			wantResult: &Group{ID: "g1", Name: "Team A"},
		},
		"GetGroup escapes the id": {
			call:       func(ctx context.Context, c *Client) (any, error) { return c.GetGroup(ctx, "g/1") },
			status:     http.StatusOK,
			respBody:   `{"id":"g/1","name":"Eng","total_members":5}`,
			wantSeen:   get("GET", "/groups/g%2F1", ""),
			wantResult: &Group{ID: "g/1", Name: "Eng", TotalMembers: 5},
		},
		"DeleteGroup": {
			call:     func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteGroup(ctx, "g1") },
			status:   http.StatusNoContent,
			wantSeen: get("DELETE", "/groups/g1", ""),
		},
		"ListGroupMembers": {
			call:     func(ctx context.Context, c *Client) (any, error) { return c.ListGroupMembers(ctx, "g1", 0, "") },
			status:   http.StatusOK,
			respBody: `{"members":[{"id":"u1","email":"a@b.c","first_name":"A","type":1}],"next_page_token":"","page_size":30,"total_records":1}`,
			wantSeen: get("GET", "/groups/g1/members", ""),
			wantResult: &GroupMemberPage{Members: []GroupMember{{ID: "u1", Email: "a@b.c", FirstName: "A", Type: TypeBasic}},
				PageSize: 30, TotalRecords: 1},
		},
		"AddGroupMembers by id and by email": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.AddGroupMembers(ctx, "g1", []MemberRef{{ID: "u1"}, {Email: "b@c.d"}})
			},
			status:   http.StatusCreated,
			respBody: `{"ids":"u1,u2","added_at":"2026-11-30T00:00:00Z"}`,
			wantSeen: withBody(get("POST", "/groups/g1/members", ""), `{"members":[{"id":"u1"},{"email":"b@c.d"}]}`),
		},
		"RemoveGroupMember": {
			call:     func(ctx context.Context, c *Client) (any, error) { return nil, c.RemoveGroupMember(ctx, "g1", "u 1") },
			status:   http.StatusNoContent,
			wantSeen: get("DELETE", "/groups/g1/members/u%201", ""),
		},
		"ListRoles": {
			call:     func(ctx context.Context, c *Client) (any, error) { return c.ListRoles(ctx) },
			status:   http.StatusOK,
			respBody: `{"roles":[{"id":"0","name":"Owner","total_members":1},{"id":"1","name":"Admin"},{"id":"2","name":"Member"}],"total_records":3}`,
			wantSeen: get("GET", "/roles", ""),
			wantResult: []Role{
				{ID: RoleIDOwner, Name: "Owner", TotalMembers: 1}, {ID: RoleIDAdmin, Name: "Admin"}, {ID: RoleIDMember, Name: "Member"},
			},
		},
		"AssignRole": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.AssignRole(ctx, "1", []MemberRef{{ID: "u1"}})
			},
			status:   http.StatusCreated,
			respBody: `{"ids":"u1","add_at":"2026-11-30T00:00:00Z"}`,
			wantSeen: withBody(get("POST", "/roles/1/members", ""), `{"members":[{"id":"u1"}]}`),
		},
		"UnassignRole": {
			call:     func(ctx context.Context, c *Client) (any, error) { return nil, c.UnassignRole(ctx, "1", "u1") },
			status:   http.StatusNoContent,
			wantSeen: get("DELETE", "/roles/1/members/u1", ""),
		},
		"GetUser carries the role": {
			call:       func(ctx context.Context, c *Client) (any, error) { return c.GetUser(ctx, "u1") },
			status:     http.StatusOK,
			respBody:   `{"id":"u1","email":"a@b.c","type":1,"status":"active","role_id":"1","role_name":"Admin"}`,
			wantSeen:   get("GET", "/users/u1", ""),
			wantResult: &User{ID: "u1", Email: "a@b.c", Type: TypeBasic, Status: StatusActive, RoleID: RoleIDAdmin, RoleName: "Admin"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{status: tc.status, body: tc.respBody}
			env := newTestEnv(t, rec.ServeHTTP)
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

func TestGroupCallsRefuseBadInputWithoutSending(t *testing.T) {
	rec := &recorder{status: http.StatusOK, body: `{}`}
	env := newTestEnv(t, rec.ServeHTTP)
	ctx := context.Background()
	c := env.client
	thirtyOne := make([]MemberRef, MaxMembersPerCall+1)
	tests := map[string]struct {
		call func() error
		want error
	}{
		"GetGroup without id":         {func() error { _, err := c.GetGroup(ctx, ""); return err }, ErrEmptyGroupID},
		"DeleteGroup without id":      {func() error { return c.DeleteGroup(ctx, "") }, ErrEmptyGroupID},
		"members of no group":         {func() error { _, err := c.ListGroupMembers(ctx, "", 0, ""); return err }, ErrEmptyGroupID},
		"remove nobody":               {func() error { return c.RemoveGroupMember(ctx, "g1", "") }, ErrEmptyID},
		"31 members in one add":       {func() error { return c.AddGroupMembers(ctx, "g1", thirtyOne) }, ErrTooManyMembers},
		"31 members in one role call": {func() error { return c.AssignRole(ctx, "1", thirtyOne) }, ErrTooManyMembers},
		"role without id":             {func() error { return c.AssignRole(ctx, "", nil) }, ErrEmptyID},
		"unassign nobody":             {func() error { return c.UnassignRole(ctx, "1", "") }, ErrEmptyID},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if got := Classify(err); got != KindTerminal {
				t.Errorf("Classify = %v, want Terminal", got)
			}
		})
	}
	if err := c.AddGroupMembers(ctx, "g1", nil); err != nil {
		t.Errorf("adding no members: %v", err)
	}
	if len(rec.seen) != 0 {
		t.Errorf("sent %d API requests, want none", len(rec.seen))
	}
}

// membersAPI records POST /groups/{groupId}/members bodies and fails the
// call numbered failAt (1-based; 0 never fails).
type membersAPI struct {
	mu     sync.Mutex
	calls  [][]MemberRef
	failAt int
}

func (m *membersAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body membersBody
	_ = json.NewDecoder(r.Body).Decode(&body)
	m.mu.Lock()
	m.calls = append(m.calls, body.Members)
	n := len(m.calls)
	m.mu.Unlock()
	if n == m.failAt {
		reply(http.StatusNotFound, nil, `{"code":4130,"message":"A group with this g1 does not exist."}`)(w, r)
		return
	}
	reply(http.StatusCreated, nil, `{"ids":"x","added_at":"2026-11-30T00:00:00Z"}`)(w, r)
}

func refs(n int) []MemberRef {
	out := make([]MemberRef, n)
	for i := range out {
		out[i] = MemberRef{ID: fmt.Sprintf("u%d", i)}
	}
	return out
}

func TestAddGroupMembersBatched(t *testing.T) {
	tests := map[string]struct {
		members   int
		failAt    int
		wantSizes []int
		wantDone  int
		wantErr   bool
	}{
		"none":                        {members: 0, wantSizes: nil, wantDone: 0},
		"one short batch":             {members: 7, wantSizes: []int{7}, wantDone: 7},
		"exactly one full batch":      {members: 30, wantSizes: []int{30}, wantDone: 30},
		"one over":                    {members: 31, wantSizes: []int{30, 1}, wantDone: 31},
		"2000 in ceil(2000/30) calls": {members: 2000, wantSizes: append(repeat(30, 66), 20), wantDone: 2000},
		"second call fails":           {members: 75, failAt: 2, wantSizes: []int{30, 30}, wantDone: 30, wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			api := &membersAPI{failAt: tc.failAt}
			env := newTestEnv(t, api.ServeHTTP)
			all := refs(tc.members)
			done, err := env.client.AddGroupMembersBatched(context.Background(), "g1", all)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr && !IsGroupNotFound(err) {
				t.Errorf("IsGroupNotFound(%v) = false", err)
			}
			var sizes []int
			var sent []MemberRef
			for _, c := range api.calls {
				sizes = append(sizes, len(c))
				sent = append(sent, c...)
			}
			if diff := cmp.Diff(tc.wantSizes, sizes); diff != "" {
				t.Errorf("batch sizes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(all[:len(sent)], sent, cmpEmpty); diff != "" {
				t.Errorf("members sent out of order (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(all[:tc.wantDone], done, cmpEmpty); diff != "" {
				t.Errorf("done (-want +got):\n%s", diff)
			}
		})
	}
}

var cmpEmpty = cmp.Comparer(func(a, b []MemberRef) bool {
	return len(a) == 0 && len(b) == 0 || cmp.Equal([]MemberRef(a), []MemberRef(b))
})

func repeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// pagedMembers serves GET /groups/g1/members from pages keyed by token.
func TestListAllGroupMembersFollowsPages(t *testing.T) {
	var mu sync.Mutex
	var queries []string
	pages := map[string]string{
		"":   `{"members":[{"id":"u1","email":"a@b.c"}],"next_page_token":"p2"}`,
		"p2": `{"members":[{"id":"u2","email":"b@b.c"}],"next_page_token":""}`,
	}
	env := newTestEnv(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		reply(http.StatusOK, nil, pages[r.URL.Query().Get("next_page_token")])(w, r)
	})
	got, err := env.client.ListAllGroupMembers(context.Background(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	want := []GroupMember{{ID: "u1", Email: "a@b.c"}, {ID: "u2", Email: "b@b.c"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"page_size=300", "next_page_token=p2&page_size=300"}, queries); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
}

func TestListAllGroupMembersStopsOnRepeatedToken(t *testing.T) {
	env := newTestEnv(t, reply(http.StatusOK, nil, `{"members":[],"next_page_token":"same"}`))
	_, err := env.client.ListAllGroupMembers(context.Background(), "g1")
	if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), "repeated") {
		t.Errorf("err = %v, want a repeated-token ErrMalformedResponse", err)
	}
}

func TestGroupErrorHelpers(t *testing.T) {
	tests := map[string]struct {
		status   int
		body     string
		notFound bool
		taken    bool
		noRole   bool
		kind     Kind
	}{
		"unknown group":   {404, `{"code":4130,"message":"A group with this g1 does not exist."}`, true, false, false, KindNotFound},
		"name in use":     {409, `{"code":4132,"message":"Group name Eng is already in use."}`, false, true, false, KindAlreadyExists},
		"unknown role":    {400, `{"code":1034,"message":"Provided role_id does not exist."}`, false, false, true, KindTerminal},
		"unknown user":    {404, `{"code":1001,"message":"User does not exist: x"}`, false, false, false, KindNotFound},
		"other 400 error": {400, `{"code":300,"message":"Can't delete or add members for Normal/Owner roles."}`, false, false, false, KindTerminal},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, reply(tc.status, nil, tc.body))
			err := env.client.DeleteGroup(context.Background(), "g1")
			if got := IsGroupNotFound(err); got != tc.notFound {
				t.Errorf("IsGroupNotFound = %v, want %v", got, tc.notFound)
			}
			if got := IsGroupNameTaken(err); got != tc.taken {
				t.Errorf("IsGroupNameTaken = %v, want %v", got, tc.taken)
			}
			if got := IsRoleNotFound(err); got != tc.noRole {
				t.Errorf("IsRoleNotFound = %v, want %v", got, tc.noRole)
			}
			if got := Classify(err); got != tc.kind {
				t.Errorf("Classify = %v, want %v", got, tc.kind)
			}
		})
	}
}

func TestBatches(t *testing.T) {
	tests := map[string]struct {
		n, size int
		want    []int
	}{
		"empty":               {0, 30, nil},
		"under":               {5, 30, []int{5}},
		"exact":               {60, 30, []int{30, 30}},
		"remainder":           {61, 30, []int{30, 30, 1}},
		"size zero means one": {2, 0, []int{1, 1}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			items := make([]int, tc.n)
			for i := range items {
				items[i] = i
			}
			var sizes []int
			var flat []int
			for _, b := range Batches(items, tc.size) {
				sizes = append(sizes, len(b))
				flat = append(flat, b...)
			}
			if diff := cmp.Diff(tc.want, sizes); diff != "" {
				t.Errorf("sizes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(items, flat, cmp.Comparer(func(a, b []int) bool { return len(a) == 0 && len(b) == 0 || cmp.Equal([]int(a), []int(b)) })); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
		})
	}
}

// Group and role ids, and member emails, never reach metric labels.
func TestGroupCallsKeepIDsOutOfMetrics(t *testing.T) {
	const groupID, roleID, email = "grp-secret-7", "role-secret-9", "member@example.com"
	env := newTestEnv(t, reply(http.StatusNoContent, nil, ""))
	ctx := context.Background()
	_ = env.client.DeleteGroup(ctx, groupID)
	_ = env.client.RemoveGroupMember(ctx, groupID, email)
	_ = env.client.AddGroupMembers(ctx, groupID, []MemberRef{{Email: email}})
	_ = env.client.AssignRole(ctx, roleID, []MemberRef{{Email: email}})
	_ = env.client.UnassignRole(ctx, roleID, email)

	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "zoom_api_") {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				seen[l.GetValue()] = true
				for _, bad := range []string{groupID, roleID, email, "@"} {
					if strings.Contains(l.GetValue(), bad) {
						t.Errorf("%s label %s=%q contains %q", f.GetName(), l.GetName(), l.GetValue(), bad)
					}
				}
			}
		}
	}
	for _, endpoint := range []string{
		"DELETE /groups/{groupId}", "DELETE /groups/{groupId}/members/{memberId}", "POST /groups/{groupId}/members",
		"POST /roles/{roleId}/members", "DELETE /roles/{roleId}/members/{memberId}",
	} {
		if !seen[endpoint] {
			t.Errorf("no metric labelled %q", endpoint)
		}
	}
}
