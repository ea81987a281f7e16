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

package zoomfake

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

func members(refs ...map[string]string) map[string]any {
	list := make([]map[string]string, len(refs))
	copy(list, refs)
	return map[string]any{"members": list}
}

func byID(id string) map[string]string       { return map[string]string{"id": id} }
func byEmail(email string) map[string]string { return map[string]string{"email": email} }

func TestGroupLifecycle(t *testing.T) {
	h := newHarness(t, Options{})
	ada := h.fake.AddUser(User{Email: "ada@example.com", Type: 1})
	h.fake.AddUser(User{Email: "grace@example.com", Type: 1})

	res := h.call(http.MethodPost, "/groups", map[string]string{"name": "Team A"})
	wantStatus(t, res, http.StatusCreated)
	var g struct {
		ID           string `json:"id"`
		Name         string `json:"name"`
		TotalMembers int    `json:"total_members"`
	}
	res.decode(t, &g)
	if g.ID == "" || g.Name != "Team A" || g.TotalMembers != 0 {
		t.Fatalf("created group = %+v", g)
	}

	wantError(t, h.call(http.MethodPost, "/groups", map[string]string{"name": "Team A"}), http.StatusConflict, codeGroupNameTaken, "Group name Team A is already in use.")

	// By id and by email, in one call; a second add of a member is harmless.
	wantStatus(t, h.call(http.MethodPost, "/groups/"+g.ID+"/members", members(byID(ada.ID), byEmail("Grace@Example.com"))), http.StatusCreated)
	wantStatus(t, h.call(http.MethodPost, "/groups/"+g.ID+"/members", members(byID(ada.ID))), http.StatusCreated)
	emails, _ := h.fake.GroupMemberEmails(g.ID)
	if diff := cmp.Diff([]string{"ada@example.com", "grace@example.com"}, emails); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}

	res = h.call(http.MethodGet, "/groups/"+g.ID, nil)
	wantStatus(t, res, http.StatusOK)
	res.decode(t, &g)
	if g.TotalMembers != 2 {
		t.Errorf("total_members = %d, want 2", g.TotalMembers)
	}

	wantStatus(t, h.call(http.MethodDelete, "/groups/"+g.ID+"/members/grace@example.com", nil), http.StatusNoContent)
	wantError(t, h.call(http.MethodDelete, "/groups/"+g.ID+"/members/grace@example.com", nil), http.StatusBadRequest, codeInvalidParameter, "Group member not found.")
	emails, _ = h.fake.GroupMemberEmails(g.ID)
	if diff := cmp.Diff([]string{"ada@example.com"}, emails); diff != "" {
		t.Errorf("members after removal (-want +got):\n%s", diff)
	}

	wantStatus(t, h.call(http.MethodDelete, "/groups/"+g.ID, nil), http.StatusNoContent)
	if _, ok := h.fake.GroupByName("Team A"); ok {
		t.Error("group still there after DELETE")
	}
	if _, ok := h.fake.User("ada@example.com"); !ok {
		t.Error("deleting a group removed its member from the account")
	}
}

func TestGroupErrors(t *testing.T) {
	h := newHarness(t, Options{})
	h.fake.AddUser(User{Email: "ada@example.com", Type: 1})
	h.fake.AddUser(User{Email: "invited@example.com", Type: 1, Status: statusPending})
	g := h.fake.AddGroup("Eng")
	thirtyOne := make([]map[string]string, 31)
	for i := range thirtyOne {
		thirtyOne[i] = byEmail("ada@example.com")
	}

	tests := map[string]struct {
		method, path string
		body         any
		status, code int
	}{
		"get unknown group":           {http.MethodGet, "/groups/nope", nil, http.StatusNotFound, codeGroupNotFound},
		"delete unknown group":        {http.MethodDelete, "/groups/nope", nil, http.StatusNotFound, codeGroupNotFound},
		"members of unknown group":    {http.MethodGet, "/groups/nope/members", nil, http.StatusNotFound, codeGroupNotFound},
		"add to unknown group":        {http.MethodPost, "/groups/nope/members", members(byEmail("ada@example.com")), http.StatusNotFound, codeGroupNotFound},
		"remove from unknown group":   {http.MethodDelete, "/groups/nope/members/ada@example.com", nil, http.StatusNotFound, codeGroupNotFound},
		"create without name":         {http.MethodPost, "/groups", map[string]string{}, http.StatusBadRequest, codeInvalidParameter},
		"31 members in one call":      {http.MethodPost, "/groups/" + g.ID + "/members", map[string]any{"members": thirtyOne}, http.StatusBadRequest, codeInvalidParameter},
		"no members":                  {http.MethodPost, "/groups/" + g.ID + "/members", members(), http.StatusBadRequest, codeInvalidParameter},
		"member of another account":   {http.MethodPost, "/groups/" + g.ID + "/members", members(byEmail("ada@example.com"), byEmail("stranger@other.example")), http.StatusNotFound, codeUserNotFound},
		"member who has not joined":   {http.MethodPost, "/groups/" + g.ID + "/members", members(byEmail("invited@example.com")), http.StatusBadRequest, codeInvalidParameter},
		"remove user of another acct": {http.MethodDelete, "/groups/" + g.ID + "/members/stranger@other.example", nil, http.StatusNotFound, codeUserNotFound},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			wantError(t, h.call(tc.method, tc.path, tc.body), tc.status, tc.code, "")
		})
	}
	// A refused call changes nothing, not even for the valid entries.
	if emails, _ := h.fake.GroupMemberEmails(g.ID); len(emails) != 0 {
		t.Errorf("members after refused calls = %q, want none", emails)
	}
}

func TestGroupMembersArePaged(t *testing.T) {
	h := newHarness(t, Options{})
	var all []string
	for i := range 7 {
		u := h.fake.AddUser(User{Email: fmt.Sprintf("u%d@example.com", i), Type: 1})
		all = append(all, u.Email)
	}
	g := h.fake.AddGroup("Eng", all...)

	var got []string
	token := ""
	for pages := 0; ; pages++ {
		if pages > 4 {
			t.Fatal("paging does not end")
		}
		res := h.call(http.MethodGet, "/groups/"+g.ID+"/members?page_size=3&next_page_token="+token, nil)
		wantStatus(t, res, http.StatusOK)
		var page struct {
			Members []struct {
				Email string `json:"email"`
			} `json:"members"`
			NextPageToken string `json:"next_page_token"`
			TotalRecords  int    `json:"total_records"`
		}
		res.decode(t, &page)
		if page.TotalRecords != 7 {
			t.Errorf("total_records = %d, want 7", page.TotalRecords)
		}
		for _, m := range page.Members {
			got = append(got, m.Email)
		}
		if token = page.NextPageToken; token == "" {
			break
		}
	}
	if diff := cmp.Diff(all, got); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	other := h.fake.AddGroup("Other")
	res := h.call(http.MethodGet, "/groups/"+g.ID+"/members?page_size=3", nil)
	var page struct {
		NextPageToken string `json:"next_page_token"`
	}
	res.decode(t, &page)
	wantError(t, h.call(http.MethodGet, "/groups/"+other.ID+"/members?next_page_token="+page.NextPageToken, nil), http.StatusBadRequest, codeInvalidParameter, "")
}

func TestRoles(t *testing.T) {
	h := newHarness(t, Options{})
	ada := h.fake.AddUser(User{Email: "ada@example.com", Type: 1})
	h.fake.AddUser(User{Email: "boss@example.com", Type: 2, RoleID: roleOwner})
	auditor := h.fake.AddRole("Auditor")

	res := h.call(http.MethodGet, "/roles", nil)
	wantStatus(t, res, http.StatusOK)
	var list struct {
		Roles []struct {
			ID, Name string
		} `json:"roles"`
	}
	res.decode(t, &list)
	var names []string
	for _, r := range list.Roles {
		names = append(names, r.ID+"="+r.Name)
	}
	if diff := cmp.Diff([]string{"0=Owner", "1=Admin", "2=Member", auditor.ID + "=Auditor"}, names); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}

	wantStatus(t, h.call(http.MethodPost, "/roles/"+auditor.ID+"/members", members(byID(ada.ID))), http.StatusCreated)
	var user struct {
		RoleID   string `json:"role_id"`
		RoleName string `json:"role_name"`
	}
	h.call(http.MethodGet, "/users/ada@example.com", nil).decode(t, &user)
	if user.RoleID != auditor.ID || user.RoleName != "Auditor" {
		t.Errorf("after assign: role = %s/%s, want %s/Auditor", user.RoleID, user.RoleName, auditor.ID)
	}

	wantStatus(t, h.call(http.MethodDelete, "/roles/"+auditor.ID+"/members/"+ada.ID, nil), http.StatusNoContent)
	if got, _ := h.fake.UserRole("ada@example.com"); got != "Member" {
		t.Errorf("after unassign: role = %q, want Member", got)
	}

	tests := map[string]struct {
		method, path string
		body         any
		status, code int
	}{
		"unknown role":          {http.MethodPost, "/roles/99/members", members(byID(ada.ID)), http.StatusBadRequest, codeRoleNotFound},
		"assign Member":         {http.MethodPost, "/roles/2/members", members(byID(ada.ID)), http.StatusBadRequest, codeInvalidParameter},
		"assign Owner":          {http.MethodPost, "/roles/0/members", members(byID(ada.ID)), http.StatusBadRequest, codeInvalidParameter},
		"demote the owner":      {http.MethodPost, "/roles/1/members", members(byEmail("boss@example.com")), http.StatusBadRequest, codeNoPrivilege},
		"user of another acct":  {http.MethodPost, "/roles/1/members", members(byEmail("stranger@other.example")), http.StatusNotFound, codeUserNotFound},
		"unassign not a member": {http.MethodDelete, "/roles/1/members/" + ada.ID, nil, http.StatusNotFound, codeUserNotFound},
		"unassign unknown role": {http.MethodDelete, "/roles/99/members/" + ada.ID, nil, http.StatusBadRequest, codeRoleNotFound},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			wantError(t, h.call(tc.method, tc.path, tc.body), tc.status, tc.code, "")
		})
	}
	if got, _ := h.fake.UserRole("boss@example.com"); got != "Owner" {
		t.Errorf("owner's role = %q after refused calls", got)
	}
}

// The operator's client and the fake agree on groups: 2,000 members go in
// ceil(2000/30) = 67 add calls, each counted on its endpoint.
func TestClientAddsManyMembersInBatches(t *testing.T) {
	h := newHarness(t, Options{})
	refs := make([]zoom.MemberRef, 2000)
	for i := range refs {
		u := h.fake.AddUser(User{Email: fmt.Sprintf("m%04d@example.com", i), Type: 1})
		refs[i] = zoom.MemberRef{ID: u.ID}
	}
	c := zoom.New(zoom.Config{
		APIURL:      h.srv.URL + "/v2",
		TokenURL:    h.srv.URL + "/oauth/token",
		Credentials: zoom.Credentials{AccountID: testAccount, ClientID: testClient, ClientSecret: testSecret},
	})
	ctx := context.Background()
	g, err := c.CreateGroup(ctx, "Everyone")
	if err != nil {
		t.Fatal(err)
	}
	h.fake.ResetCounters()
	if _, err := c.AddGroupMembersBatched(ctx, g.ID, refs); err != nil {
		t.Fatal(err)
	}
	if got, want := h.fake.Count(EndpointAddGroupMembers), 67; got != want {
		t.Errorf("add calls = %d, want %d", got, want)
	}
	listed, err := c.ListAllGroupMembers(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 2000 {
		t.Errorf("listed %d members, want 2000", len(listed))
	}
	if got, want := h.fake.Count(EndpointListGroupMembers), 7; got != want {
		t.Errorf("list calls = %d, want ceil(2000/300) = %d", got, want)
	}
}

func TestGroupEndpointsCountAgainstTheirCategory(t *testing.T) {
	h := newHarness(t, Options{LightPerSecond: 1, MediumPerSecond: 1})
	g := h.fake.AddGroup("Eng")
	// Medium: list groups, then list members is the second Medium call this second.
	wantStatus(t, h.call(http.MethodGet, "/groups", nil), http.StatusOK)
	res := h.call(http.MethodGet, "/groups/"+g.ID+"/members", nil)
	wantError(t, res, http.StatusTooManyRequests, codeRateLimited, msgQPSLimited)
	if got := res.header.Get("X-RateLimit-Category"); got != categoryMedium {
		t.Errorf("category = %q, want Medium", got)
	}
	// Light is a separate window: get group still passes, then a second Light call does not.
	wantStatus(t, h.call(http.MethodGet, "/groups/"+g.ID, nil), http.StatusOK)
	res = h.call(http.MethodDelete, "/groups/"+g.ID+"/members/x@example.com", nil)
	wantError(t, res, http.StatusTooManyRequests, codeRateLimited, msgQPSLimited)
	if got := res.header.Get("X-RateLimit-Category"); got != categoryLight {
		t.Errorf("category = %q, want Light", got)
	}
	for endpoint, want := range map[string]string{
		EndpointListGroups: categoryMedium, EndpointCreateGroup: categoryLight, EndpointGetGroup: categoryLight,
		EndpointDeleteGroup: categoryLight, EndpointListGroupMembers: categoryMedium, EndpointAddGroupMembers: categoryMedium,
		EndpointRemoveGroupMember: categoryLight, EndpointListRoles: categoryMedium, EndpointAssignRole: categoryMedium,
		EndpointUnassignRole: categoryLight,
	} {
		if got := rateCategory(endpoint); got != want {
			t.Errorf("rateCategory(%s) = %s, want %s", endpoint, got, want)
		}
	}
}

func TestGroupAndRoleRoutes(t *testing.T) {
	tests := []struct{ method, path, endpoint, parent, user string }{
		{"GET", "/v2/groups", EndpointListGroups, "", ""},
		{"POST", "/v2/groups", EndpointCreateGroup, "", ""},
		{"GET", "/v2/groups/g1", EndpointGetGroup, "g1", ""},
		{"DELETE", "/v2/groups/g1", EndpointDeleteGroup, "g1", ""},
		{"GET", "/v2/groups/g1/members", EndpointListGroupMembers, "g1", ""},
		{"POST", "/v2/groups/g1/members", EndpointAddGroupMembers, "g1", ""},
		{"DELETE", "/v2/groups/g1/members/u1", EndpointRemoveGroupMember, "g1", "u1"},
		{"GET", "/v2/roles", EndpointListRoles, "", ""},
		{"POST", "/v2/roles/1/members", EndpointAssignRole, "1", ""},
		{"DELETE", "/v2/roles/1/members/u1", EndpointUnassignRole, "1", "u1"},
		{"PUT", "/v2/groups/g1", "PUT /v2/groups/g1", "", ""},
		{"DELETE", "/v2/groups//members/u1", "DELETE /v2/groups//members/u1", "", ""},
		{"GET", "/v2/groups/g1/admins", "GET /v2/groups/g1/admins", "", ""},
	}
	for _, tc := range tests {
		rt := matchRoute(tc.method, tc.path)
		if rt.endpoint != tc.endpoint || rt.parentID != tc.parent || rt.userID != tc.user {
			t.Errorf("%s %s = %q parent %q user %q, want %q parent %q user %q",
				tc.method, tc.path, rt.endpoint, rt.parentID, rt.userID, tc.endpoint, tc.parent, tc.user)
		}
	}
}
