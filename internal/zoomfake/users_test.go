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
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var zoomID = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

func TestCreateUser(t *testing.T) {
	info := func(email string, typ int) map[string]any {
		return map[string]any{"email": email, "type": typ, "first_name": "Ada", "last_name": "Lovelace"}
	}
	withPassword := func(pw string) map[string]any {
		m := info("auto@example.com", 1)
		m["password"] = pw
		return m
	}
	longName := info("long@example.com", 1)
	longName["first_name"] = strings.Repeat("a", 65)

	tests := map[string]struct {
		body        any
		maxLicensed int
		wantStatus  int
		wantCode    int
		wantMessage string
		wantField   string
		wantUser    User // checked on success; ID is ignored
	}{
		"create invites a pending user": {
			body:       map[string]any{"action": "create", "user_info": info("New@Example.com", 2)},
			wantStatus: http.StatusCreated,
			wantUser:   User{Email: "New@Example.com", FirstName: "Ada", LastName: "Lovelace", DisplayName: "Ada Lovelace", Type: 2, Status: "pending", Action: "create"},
		},
		"custCreate is active at once": {
			body:       map[string]any{"action": "custCreate", "user_info": info("cust@example.com", 1)},
			wantStatus: http.StatusCreated,
			wantUser:   User{Email: "cust@example.com", FirstName: "Ada", LastName: "Lovelace", DisplayName: "Ada Lovelace", Type: 1, Status: "active", Action: "custCreate"},
		},
		"ssoCreate may use type 99": {
			body:       map[string]any{"action": "ssoCreate", "user_info": info("sso@example.com", 99)},
			wantStatus: http.StatusCreated,
			wantUser:   User{Email: "sso@example.com", FirstName: "Ada", LastName: "Lovelace", DisplayName: "Ada Lovelace", Type: 99, Status: "active", Action: "ssoCreate"},
		},
		"autoCreate with a strong password": {
			body:       map[string]any{"action": "autoCreate", "user_info": withPassword("Secr3tPass")},
			wantStatus: http.StatusCreated,
			wantUser:   User{Email: "auto@example.com", FirstName: "Ada", LastName: "Lovelace", DisplayName: "Ada Lovelace", Type: 1, Status: "active", Action: "autoCreate"},
		},
		"duplicate email ignoring case": {
			body:       map[string]any{"action": "create", "user_info": info("SEEDED@example.com", 1)},
			wantStatus: http.StatusConflict, wantCode: codeUserExists,
			wantMessage: `Email "SEEDED@example.com" has already been used.`,
		},
		"unknown action": {
			body:       map[string]any{"action": "invite", "user_info": info("x@example.com", 1)},
			wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter, wantMessage: msgInvalidField, wantField: "action",
		},
		"missing email": {
			body:       map[string]any{"action": "create", "user_info": map[string]any{"type": 1}},
			wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter, wantField: "user_info.email",
		},
		"malformed email": {
			body:       map[string]any{"action": "create", "user_info": info("not-an-address", 1)},
			wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter, wantField: "user_info.email",
		},
		"email longer than 128": {
			body:       map[string]any{"action": "create", "user_info": info(strings.Repeat("a", 120)+"@example.com", 1)},
			wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter, wantField: "user_info.email",
		},
		"unsupported type": {
			body:       map[string]any{"action": "create", "user_info": info("t3@example.com", 3)},
			wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter, wantField: "user_info.type",
		},
		"type 99 without ssoCreate": {
			body:       map[string]any{"action": "create", "user_info": info("t99@example.com", 99)},
			wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter, wantField: "user_info.type",
		},
		"first name longer than 64": {
			body:       map[string]any{"action": "create", "user_info": longName},
			wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter, wantField: "user_info.first_name",
		},
		"autoCreate with a weak password": {
			body:       map[string]any{"action": "autoCreate", "user_info": withPassword("alllowercase1")},
			wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter, wantMessage: "Invalid parameter: password",
		},
		"autoCreate without a password": {
			body:       map[string]any{"action": "autoCreate", "user_info": info("auto@example.com", 1)},
			wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter, wantMessage: "Invalid parameter: password",
		},
		"invalid JSON": {
			body:       `{"action":`,
			wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter, wantMessage: msgInvalidJSON,
		},
		"licensed seats exhausted": {
			body:        map[string]any{"action": "create", "user_info": info("paid@example.com", 2)},
			maxLicensed: 1,
			wantStatus:  http.StatusBadRequest, wantCode: codeTypeLimit,
			wantMessage: "Your request to add a new Licensed user could not be approved at this time because your account has reached the permitted maximum number of 1 users. " +
				"Please purchase additional licenses or contact the Zoom support team to provision additional users in your account.",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Options{MaxLicensed: tc.maxLicensed})
			h.fake.AddUser(User{Email: "seeded@example.com", Type: 2})
			res := h.call(http.MethodPost, "/users", tc.body)
			if tc.wantCode != 0 {
				wantError(t, res, tc.wantStatus, tc.wantCode, tc.wantMessage)
				checkField(t, res, tc.wantField)
				if got := len(h.fake.Users()); got != 1 {
					t.Errorf("%d users stored after a failed create, want 1", got)
				}
				return
			}
			wantStatus(t, res, tc.wantStatus)
			var created createdUser
			res.decode(t, &created)
			if !zoomID.MatchString(created.ID) {
				t.Errorf("id %q is not a 22-character Zoom-style ID", created.ID)
			}
			want := createdUser{ID: created.ID, FirstName: "Ada", LastName: "Lovelace", Email: tc.wantUser.Email, Type: tc.wantUser.Type}
			if diff := cmp.Diff(want, created); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			stored, ok := h.fake.User(tc.wantUser.Email)
			tc.wantUser.ID = created.ID
			tc.wantUser.CreatedAt = h.clock.Now().UTC()
			tc.wantUser.RoleID = RoleMember
			if diff := cmp.Diff(tc.wantUser, stored); !ok || diff != "" {
				t.Errorf("stored user (found %v) (-want +got):\n%s", ok, diff)
			}
		})
	}
}

func checkField(t *testing.T, res result, field string) {
	t.Helper()
	if field == "" {
		return
	}
	e := res.apiError(t)
	if len(e.Errors) != 1 || e.Errors[0].Field != field {
		t.Errorf("errors = %+v, want one for field %q", e.Errors, field)
	}
}

func TestGetUser(t *testing.T) {
	h := newHarness(t, Options{})
	seeded := h.fake.AddUser(User{Email: "Grace@Example.com", FirstName: "Grace", LastName: "Hopper", DisplayName: "Grace H", Type: 2})
	tests := map[string]struct {
		userID     string
		wantStatus int
	}{
		"by id":                    {userID: seeded.ID, wantStatus: http.StatusOK},
		"by email in another case": {userID: "grace@EXAMPLE.com", wantStatus: http.StatusOK},
		"unknown email":            {userID: "nobody@example.com", wantStatus: http.StatusNotFound},
		"unknown id":               {userID: "AAAAAAAAAAAAAAAAAAAAAA", wantStatus: http.StatusNotFound},
		"me is not a managed user": {userID: "me", wantStatus: http.StatusNotFound},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := h.call(http.MethodGet, "/users/"+tc.userID, nil)
			if tc.wantStatus == http.StatusNotFound {
				wantError(t, res, http.StatusNotFound, codeUserNotFound, "User does not exist: "+tc.userID)
				return
			}
			wantStatus(t, res, http.StatusOK)
			var got map[string]any
			res.decode(t, &got)
			want := map[string]any{
				"id": seeded.ID, "email": "Grace@Example.com", "first_name": "Grace", "last_name": "Hopper",
				"display_name": "Grace H", "type": float64(2), "status": "active",
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			for _, k := range []string{"created_at", "timezone", "verified", "pmi"} {
				if _, ok := got[k]; !ok {
					t.Errorf("user object lacks %q", k)
				}
			}
		})
	}
}

func TestCheckEmail(t *testing.T) {
	h := newHarness(t, Options{})
	h.fake.AddUser(User{Email: "taken@example.com", Type: 1, Status: "pending"})
	tests := map[string]struct {
		query       string
		wantStatus  int
		wantExisted bool
	}{
		"existing, any case": {query: "?email=TAKEN@example.com", wantStatus: http.StatusOK, wantExisted: true},
		"free":               {query: "?email=free@example.com", wantStatus: http.StatusOK},
		"missing email":      {query: "", wantStatus: http.StatusBadRequest},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := h.call(http.MethodGet, "/users/email"+tc.query, nil)
			if tc.wantStatus != http.StatusOK {
				wantError(t, res, tc.wantStatus, codeInvalidParameter, "Email is required.")
				return
			}
			wantStatus(t, res, http.StatusOK)
			var got emailExists
			res.decode(t, &got)
			if got.Existed != tc.wantExisted {
				t.Errorf("existed_email = %v, want %v", got.Existed, tc.wantExisted)
			}
		})
	}
	if got := h.fake.Count(EndpointCheckEmail); got != len(tests) {
		t.Errorf("Count(%q) = %d, want %d", EndpointCheckEmail, got, len(tests))
	}
	if got := h.fake.Count(EndpointGetUser); got != 0 {
		t.Errorf("GET /users/email was routed as GET /users/{userId} %d times", got)
	}
}

func TestUpdateUser(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := map[string]struct {
		seed        User
		body        any
		maxLicensed int
		wantStatus  int
		wantCode    int
		wantUser    func(seed User) User
	}{
		"names and type applied": {
			seed:       User{Email: "u@example.com", FirstName: "A", Type: 1, Status: "active"},
			body:       map[string]any{"first_name": "Alan", "last_name": "Turing", "display_name": "AT", "type": 2},
			wantStatus: http.StatusNoContent,
			wantUser: func(u User) User {
				u.FirstName, u.LastName, u.DisplayName, u.Type = "Alan", "Turing", "AT", 2
				return u
			},
		},
		"absent fields untouched": {
			seed:       User{Email: "u@example.com", FirstName: "A", LastName: "B", Type: 1, Status: "inactive"},
			body:       patchRequest{LastName: str("C")},
			wantStatus: http.StatusNoContent,
			wantUser:   func(u User) User { u.LastName = "C"; return u },
		},
		"pending user accepted but not applied": {
			seed:       User{Email: "u@example.com", FirstName: "A", Type: 1, Status: "pending", Action: "create"},
			body:       map[string]any{"first_name": "Changed", "type": 2},
			wantStatus: http.StatusNoContent,
			wantUser:   func(u User) User { return u },
		},
		"type 99 for an ssoCreate user": {
			seed:       User{Email: "u@example.com", Type: 1, Status: "active", Action: "ssoCreate"},
			body:       map[string]any{"type": 99},
			wantStatus: http.StatusNoContent,
			wantUser:   func(u User) User { u.Type = 99; return u },
		},
		"type 99 for other users": {
			seed:       User{Email: "u@example.com", Type: 1, Status: "active", Action: "create"},
			body:       map[string]any{"type": 99},
			wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter,
		},
		"unsupported type": {
			seed:       User{Email: "u@example.com", Type: 1, Status: "active"},
			body:       map[string]any{"type": 7},
			wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter,
		},
		"licensed seats exhausted": {
			seed:        User{Email: "u@example.com", Type: 1, Status: "active"},
			body:        map[string]any{"type": 2},
			maxLicensed: 1,
			wantStatus:  http.StatusBadRequest, wantCode: codeSeatLimit,
		},
		"invalid JSON": {
			seed:       User{Email: "u@example.com", Type: 1, Status: "active"},
			body:       "{",
			wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Options{MaxLicensed: tc.maxLicensed})
			h.fake.AddUser(User{Email: "paid@example.com", Type: 2})
			seed := h.fake.AddUser(tc.seed)
			res := h.call(http.MethodPatch, "/users/"+seed.ID, tc.body)
			if tc.wantCode != 0 {
				wantError(t, res, tc.wantStatus, tc.wantCode, "")
				tc.wantUser = func(u User) User { return u }
			} else {
				wantStatus(t, res, tc.wantStatus)
			}
			got, _ := h.fake.User(seed.Email)
			if diff := cmp.Diff(tc.wantUser(seed), got); diff != "" {
				t.Errorf("stored user (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("unknown user", func(t *testing.T) {
		h := newHarness(t, Options{})
		res := h.call(http.MethodPatch, "/users/ghost@example.com", map[string]any{"first_name": "x"})
		wantError(t, res, http.StatusNotFound, codeUserNotFound, "User does not exist: ghost@example.com")
	})
}

func TestUpdateStatus(t *testing.T) {
	tests := map[string]struct {
		status, action string
		wantStatus     int
		wantCode       int
		wantAfter      string
	}{
		"deactivate":               {status: "active", action: "deactivate", wantStatus: http.StatusNoContent, wantAfter: "inactive"},
		"activate":                 {status: "inactive", action: "activate", wantStatus: http.StatusNoContent, wantAfter: "active"},
		"deactivate when inactive": {status: "inactive", action: "deactivate", wantStatus: http.StatusNoContent, wantAfter: "inactive"},
		"pending user":             {status: "pending", action: "activate", wantStatus: http.StatusBadRequest, wantCode: codeNoPrivilege, wantAfter: "pending"},
		"unknown action":           {status: "active", action: "suspend", wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter, wantAfter: "active"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Options{})
			u := h.fake.AddUser(User{Email: "s@example.com", Type: 1, Status: tc.status})
			res := h.call(http.MethodPut, "/users/"+u.ID+"/status", map[string]string{"action": tc.action})
			if tc.wantCode != 0 {
				wantError(t, res, tc.wantStatus, tc.wantCode, "")
			} else {
				wantStatus(t, res, tc.wantStatus)
			}
			if got, _ := h.fake.User(u.Email); got.Status != tc.wantAfter {
				t.Errorf("status = %q, want %q", got.Status, tc.wantAfter)
			}
		})
	}

	t.Run("unknown user", func(t *testing.T) {
		h := newHarness(t, Options{})
		res := h.call(http.MethodPut, "/users/ghost@example.com/status", map[string]string{"action": "activate"})
		wantError(t, res, http.StatusNotFound, codeUserNotFound, "User does not exist: ghost@example.com")
	})
}

func TestDeleteUser(t *testing.T) {
	tests := map[string]struct {
		status, query string
		byEmail       bool
		wantStatus    int
		wantCode      int
		wantGone      bool
	}{
		"default disassociates":        {status: "active", wantStatus: http.StatusNoContent, wantGone: true},
		"delete by email":              {status: "inactive", query: "?action=delete", byEmail: true, wantStatus: http.StatusNoContent, wantGone: true},
		"pending can be disassociated": {status: "pending", query: "?action=disassociate", wantStatus: http.StatusNoContent, wantGone: true},
		"pending cannot be deleted":    {status: "pending", query: "?action=delete", wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter},
		"unknown action":               {status: "active", query: "?action=purge", wantStatus: http.StatusBadRequest, wantCode: codeInvalidParameter},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Options{})
			u := h.fake.AddUser(User{Email: "d@example.com", Type: 1, Status: tc.status})
			target := u.ID
			if tc.byEmail {
				target = "D@example.com"
			}
			res := h.call(http.MethodDelete, "/users/"+target+tc.query, nil)
			if tc.wantCode != 0 {
				wantError(t, res, tc.wantStatus, tc.wantCode, "")
			} else {
				wantStatus(t, res, tc.wantStatus)
			}
			if _, found := h.fake.User(u.Email); found == tc.wantGone {
				t.Errorf("user still stored = %v, want %v", found, !tc.wantGone)
			}
		})
	}

	t.Run("unknown user", func(t *testing.T) {
		h := newHarness(t, Options{})
		res := h.call(http.MethodDelete, "/users/AAAAAAAAAAAAAAAAAAAAAA", nil)
		wantError(t, res, http.StatusNotFound, codeUserNotFound, "User does not exist: AAAAAAAAAAAAAAAAAAAAAA")
	})
}

func TestInvitationLifecycle(t *testing.T) {
	h := newHarness(t, Options{})
	wantStatus(t, h.create("invitee@example.com", "invitee@example.com", 1), http.StatusBadRequest)
	wantStatus(t, h.create("create", "invitee@example.com", 1), http.StatusCreated)

	if h.fake.AcceptInvite("nobody@example.com") {
		t.Error("AcceptInvite of an unknown user reported success")
	}
	if !h.fake.AcceptInvite("INVITEE@example.com") {
		t.Fatal("AcceptInvite of a pending user reported failure")
	}
	if h.fake.AcceptInvite("invitee@example.com") {
		t.Error("AcceptInvite of an active user reported success")
	}
	wantStatus(t, h.call(http.MethodPatch, "/users/invitee@example.com", map[string]any{"first_name": "Now"}), http.StatusNoContent)
	if got, _ := h.fake.User("invitee@example.com"); got.FirstName != "Now" || got.Status != "active" {
		t.Errorf("after acceptance the patch was not applied: %+v", got)
	}
}

func TestSetUserSimulatesOutsideChanges(t *testing.T) {
	h := newHarness(t, Options{})
	u := h.fake.AddUser(User{Email: "x@example.com", Type: 1})
	if u.Status != "active" || !zoomID.MatchString(u.ID) {
		t.Fatalf("AddUser defaults: %+v", u)
	}
	u.FirstName, u.Status = "Edited", "inactive"
	h.fake.SetUser(u)

	res := h.call(http.MethodGet, "/users/"+u.ID, nil)
	var got userJSON
	res.decode(t, &got)
	if got.FirstName != "Edited" || got.Status != "inactive" {
		t.Errorf("GET after SetUser = %+v", got)
	}
	if n := len(h.fake.Users()); n != 1 {
		t.Errorf("SetUser of an existing ID left %d users, want 1", n)
	}
	if !h.fake.RemoveUser("X@example.com") || len(h.fake.Users()) != 0 {
		t.Error("RemoveUser did not remove the user")
	}
}
