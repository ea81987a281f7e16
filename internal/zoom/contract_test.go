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
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// These tests run the client against the fake Zoom over HTTP: each checks a
// behaviour of Zoom that docs/zoom-contract.md lists, on both sides at once.

var contractStart = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

type contractEnv struct {
	fake   *zoomfake.Server
	clock  *zoomfake.Clock
	client *Client
}

func newContractEnv(t *testing.T, opts zoomfake.Options) *contractEnv {
	t.Helper()
	clock := zoomfake.NewClock(contractStart)
	opts.AccountID, opts.ClientID, opts.ClientSecret = testAccountID, testClientID, testSecret
	opts.Now = clock.Now
	fake := zoomfake.New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	client := New(Config{
		APIURL:      srv.URL + "/v2",
		TokenURL:    srv.URL + "/oauth/token",
		Credentials: Credentials{AccountID: testAccountID, ClientID: testClientID, ClientSecret: testSecret},
	})
	return &contractEnv{fake: fake, clock: clock, client: client}
}

func (e *contractEnv) get(t *testing.T, idOrEmail string) *User {
	t.Helper()
	u, err := e.client.GetUser(context.Background(), idOrEmail)
	if err != nil {
		t.Fatalf("GetUser(%s): %v", idOrEmail, err)
	}
	return u
}

func TestContractCreationTimes(t *testing.T) {
	ctx := context.Background()
	env := newContractEnv(t, zoomfake.Options{})
	made := contractStart.Add(-30 * 24 * time.Hour)
	relogged := contractStart.Add(-time.Hour)
	env.fake.AddUser(zoomfake.User{Email: "old@example.com", Type: TypeBasic, CreatedAt: made, LoginTypeCreatedAt: relogged})

	old := env.get(t, "old@example.com")
	if diff := cmp.Diff([2]string{made.Format(time.RFC3339), relogged.Format(time.RFC3339)},
		[2]string{old.UserCreatedAt, old.CreatedAt}); diff != "" {
		t.Errorf("active user [user_created_at, created_at] (-want +got):\n%s", diff)
	}

	if _, err := env.client.CreateUser(ctx, CreateUserRequest{Action: CreateActionCreate,
		UserInfo: UserInfo{Email: "invitee@example.com", Type: TypeBasic}}); err != nil {
		t.Fatal(err)
	}
	env.clock.Advance(2 * time.Hour)
	pending := env.get(t, "invitee@example.com")
	want := [2]string{contractStart.Format(time.RFC3339), contractStart.Add(2 * time.Hour).Format(time.RFC3339)}
	if diff := cmp.Diff(want, [2]string{pending.UserCreatedAt, pending.CreatedAt}); diff != "" {
		t.Errorf("pending user [user_created_at, created_at = time of the call] (-want +got):\n%s", diff)
	}

	listed, err := env.client.ListAllUsers(ctx, StatusPending)
	if err != nil || len(listed) != 1 || listed[0].UserCreatedAt != want[0] {
		t.Errorf("pending listing = %+v, %v; want user_created_at %s", listed, err, want[0])
	}
}

func TestContractDeactivationDropsTheLicence(t *testing.T) {
	ctx := context.Background()
	env := newContractEnv(t, zoomfake.Options{})
	u := env.fake.AddUser(zoomfake.User{Email: "paid@example.com", Type: TypeLicensed})

	step := func(name string, call func() error, wantType int, wantStatus string) {
		t.Helper()
		if err := call(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := env.get(t, u.ID)
		if got.Type != wantType || got.Status != wantStatus {
			t.Errorf("after %s: type %d status %s, want %d %s", name, got.Type, got.Status, wantType, wantStatus)
		}
	}
	licensed := TypeLicensed
	step("deactivate", func() error { return env.client.SetUserStatus(ctx, u.ID, false) }, TypeBasic, StatusInactive)
	step("licence while inactive", func() error {
		return env.client.UpdateUser(ctx, u.ID, UpdateUserRequest{Type: &licensed})
	}, TypeBasic, StatusInactive)
	step("reactivate", func() error { return env.client.SetUserStatus(ctx, u.ID, true) }, TypeBasic, StatusActive)
	step("licence again", func() error {
		return env.client.UpdateUser(ctx, u.ID, UpdateUserRequest{Type: &licensed})
	}, TypeLicensed, StatusActive)

	admin := env.fake.AddUser(zoomfake.User{Email: "admin@example.com", Type: TypeLicensed, RoleID: zoomfake.RoleAdmin})
	err := env.client.SetUserStatus(ctx, admin.ID, false)
	if e := asAPIError(err); e == nil || e.Code != 200 || Classify(err) != KindTerminal {
		t.Errorf("deactivating an admin: %v, want Zoom's code 200 refusal", err)
	}
}

func TestContractRefusedDisassociation(t *testing.T) {
	tests := map[string]struct {
		user     zoomfake.User
		wantCode int // 0: disassociation works
	}{
		"member of a managed domain":     {user: zoomfake.User{Email: "m@corp.example"}, wantCode: 1107},
		"autoCreate user of any domain":  {user: zoomfake.User{Email: "a@other.example", Action: CreateActionAutoCreate}, wantCode: 1107},
		"admin":                          {user: zoomfake.User{Email: "adm@other.example", RoleID: zoomfake.RoleAdmin}, wantCode: 1117},
		"owner":                          {user: zoomfake.User{Email: "own@other.example", RoleID: zoomfake.RoleOwner}, wantCode: 1117},
		"admin of a managed domain":      {user: zoomfake.User{Email: "adm@corp.example", RoleID: zoomfake.RoleAdmin}, wantCode: 1117},
		"member elsewhere":               {user: zoomfake.User{Email: "m@other.example"}},
		"invitation in a managed domain": {user: zoomfake.User{Email: "inv@CORP.example", Status: StatusPending}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			env := newContractEnv(t, zoomfake.Options{ManagedDomains: []string{"corp.example"}})
			u := env.fake.AddUser(tc.user)
			err := env.client.DeleteUser(ctx, u.ID, DeleteActionDisassociate)
			gotCode := 0
			if e := asAPIError(err); e != nil {
				gotCode = e.Code
			}
			if err != nil && tc.wantCode == 0 || gotCode != tc.wantCode {
				t.Fatalf("disassociate: %v; want code %d", err, tc.wantCode)
			}
			if got := IsDisassociationRefused(err); got != (tc.wantCode != 0) {
				t.Errorf("IsDisassociationRefused = %v for %v", got, err)
			}
			if tc.wantCode == 0 {
				return
			}
			if Classify(err) != KindTerminal {
				t.Errorf("Classify = %v, want Terminal", Classify(err))
			}
			// Another policy still removes the user, in one call.
			if err := env.client.DeleteUser(ctx, u.ID, DeleteActionDelete); err != nil {
				t.Fatalf("delete after a refused disassociation: %v", err)
			}
			if _, found := env.fake.User(u.Email); found {
				t.Error("the user is still in Zoom after delete")
			}
		})
	}
}

func TestContractTransfers(t *testing.T) {
	allFlags := RemoveOptions{TransferMeeting: true, TransferWebinar: true, TransferRecording: true, TransferWhiteboard: true}
	with := func(o RemoveOptions, action, email string) RemoveOptions {
		o.Action, o.TransferEmail = action, email
		return o
	}
	tests := map[string]struct {
		hostsEvents      bool
		opts             RemoveOptions
		wantTransferReq  bool
		wantOtherRefusal bool
		wantQuery        url.Values
	}{
		"events host without a target": {
			hostsEvents: true, opts: RemoveOptions{Action: DeleteActionDelete}, wantTransferReq: true,
		},
		"events host disassociated without a target": {
			hostsEvents: true, opts: RemoveOptions{Action: DeleteActionDisassociate}, wantTransferReq: true,
		},
		"events host to another host, moving everything": {
			hostsEvents: true, opts: with(allFlags, DeleteActionDelete, "heir@example.com"),
			wantQuery: url.Values{"action": {"delete"}, "transfer_email": {"heir@example.com"},
				"transfer_meeting": {"true"}, "transfer_webinar": {"true"}, "transfer_recording": {"true"}, "transfer_whiteboard": {"true"}},
		},
		"events host to a user without Zoom Events": {
			hostsEvents: true, opts: with(RemoveOptions{}, DeleteActionDelete, "plain@example.com"), wantOtherRefusal: true,
		},
		"target is the user itself": {
			opts: with(RemoveOptions{}, DeleteActionDelete, "leaver@example.com"), wantOtherRefusal: true,
		},
		"no events, no target": {
			opts:      RemoveOptions{Action: DeleteActionDelete},
			wantQuery: url.Values{"action": {"delete"}},
		},
		"no events, meetings to a colleague": {
			opts:      RemoveOptions{Action: DeleteActionDisassociate, TransferEmail: "plain@example.com", TransferMeeting: true},
			wantQuery: url.Values{"action": {"disassociate"}, "transfer_email": {"plain@example.com"}, "transfer_meeting": {"true"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := newContractEnv(t, zoomfake.Options{})
			leaver := env.fake.AddUser(zoomfake.User{Email: "leaver@example.com", ZoomEvents: tc.hostsEvents})
			env.fake.AddUser(zoomfake.User{Email: "heir@example.com", ZoomEvents: true})
			env.fake.AddUser(zoomfake.User{Email: "plain@example.com"})

			err := env.client.RemoveUser(context.Background(), leaver.ID, tc.opts)
			if got := IsTransferRequired(err); got != tc.wantTransferReq {
				t.Errorf("IsTransferRequired = %v for %v", got, err)
			}
			refused := tc.wantTransferReq || tc.wantOtherRefusal
			if (err != nil) != refused {
				t.Fatalf("RemoveUser: %v, want refused=%v", err, refused)
			}
			_, stillThere := env.fake.User("leaver@example.com")
			if stillThere != refused {
				t.Errorf("user still in Zoom = %v, want %v", stillThere, refused)
			}
			if refused {
				if Classify(err) != KindTerminal || asAPIError(err).Code != 300 {
					t.Errorf("refusal = %v (%v), want a code-300 Terminal", err, Classify(err))
				}
				return
			}
			reqs := env.fake.Requests()
			got, _ := url.ParseQuery(reqs[len(reqs)-1].Query)
			if diff := cmp.Diff(tc.wantQuery, got); diff != "" {
				t.Errorf("DELETE query (-want +got):\n%s", diff)
			}
		})
	}
}

// TestContractListingPages asks for Zoom's largest page and follows
// next_page_token whatever size the pages come back in.
func TestContractListingPages(t *testing.T) {
	tests := map[string]struct {
		users     int
		cap       int
		wantCalls int
	}{
		"pages of 2000":         {users: 2001, wantCalls: 2},
		"exactly one full page": {users: 2000, wantCalls: 1},
		"served 300 a page":     {users: 650, cap: 300, wantCalls: 3},
		"empty account":         {users: 0, wantCalls: 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := newContractEnv(t, zoomfake.Options{PageSizeCap: tc.cap})
			for i := range tc.users {
				env.fake.AddUser(zoomfake.User{Email: fmt.Sprintf("u%d@example.com", i), Type: TypeBasic})
			}
			users, calls, err := env.client.ListAllUsersCounted(context.Background(), StatusActive)
			if err != nil {
				t.Fatal(err)
			}
			if len(users) != tc.users || calls != tc.wantCalls {
				t.Errorf("got %d users in %d calls, want %d in %d", len(users), calls, tc.users, tc.wantCalls)
			}
			if n := env.fake.Count(zoomfake.EndpointListUsers); n != tc.wantCalls {
				t.Errorf("fake saw %d list calls, want %d", n, tc.wantCalls)
			}
			for _, r := range env.fake.Requests() {
				if q, _ := url.ParseQuery(r.Query); r.Endpoint == zoomfake.EndpointListUsers && q.Get("page_size") != "2000" {
					t.Errorf("asked page_size=%q, want 2000", q.Get("page_size"))
				}
			}
		})
	}
}

func TestContractMissingScope(t *testing.T) {
	ctx := context.Background()
	want := []string{"user:delete:user:admin", "user:read:email:admin", "user:read:list_users:admin", "user:read:user:admin",
		"user:update:status:admin", "user:update:user:admin", "user:write:user:admin"}
	if diff := cmp.Diff(want, zoomfake.GranularScopes()); diff != "" {
		t.Errorf("GranularScopes (-want +got):\n%s", diff)
	}
	granular := slices.DeleteFunc(zoomfake.GranularScopes(), func(s string) bool { return s == "user:read:list_users:admin" })
	env := newContractEnv(t, zoomfake.Options{Scopes: granular})
	env.fake.AddUser(zoomfake.User{Email: "a@example.com"})

	_, err := env.client.ListAllUsers(ctx, StatusActive)
	if got := Classify(err); got != KindMissingScope {
		t.Fatalf("Classify(%v) = %v, want MissingScope", err, got)
	}
	wantErr := &APIError{StatusCode: 400, Code: 4711, Endpoint: "GET /users",
		Message: "Invalid access token, does not contain scopes:[user:read:list_users:admin]."}
	if diff := cmp.Diff(wantErr, asAPIError(err)); diff != "" {
		t.Errorf("APIError (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"user:read:list_users:admin"}, MissingScopes(err)); diff != "" {
		t.Errorf("MissingScopes (-want +got):\n%s", diff)
	}
	if _, err := env.client.GetUser(ctx, "a@example.com"); err != nil {
		t.Errorf("GetUser with its scope granted: %v", err)
	}

	env.fake.SetScopes(append(granular, "user:read:list_users:admin"))
	if _, err := env.client.ListAllUsers(ctx, StatusActive); err != nil {
		t.Errorf("after the scope was added: %v", err)
	}
	env.fake.SetScopes([]string{"user:read:admin"}) // classic read scope: reads only
	if _, err := env.client.ListAllUsers(ctx, StatusActive); err != nil {
		t.Errorf("list with user:read:admin: %v", err)
	}
	err = env.client.SetUserStatus(ctx, "a@example.com", false)
	if diff := cmp.Diff([]string{"user:update:status:admin", "user:update:status"}, MissingScopes(err)); diff != "" {
		t.Errorf("status change with user:read:admin only: MissingScopes (-want +got):\n%s", diff)
	}
}

// TestContractCodes checks the fake's answers against Zoom's documented
// codes and messages, and what the client makes of each.
func TestContractCodes(t *testing.T) {
	ctx := context.Background()
	licensed := TypeLicensed
	tests := map[string]struct {
		call        func(env *contractEnv) error
		want        *APIError
		wantKind    Kind
		wantLicence bool
	}{
		"email already used": {
			call: func(env *contractEnv) error {
				_, err := env.client.CreateUser(ctx, CreateUserRequest{Action: CreateActionCustCreate,
					UserInfo: UserInfo{Email: "Taken@example.com", Type: TypeBasic}})
				return err
			},
			want:     &APIError{StatusCode: 409, Code: 1005, Endpoint: "POST /users", Message: `Email "Taken@example.com" has already been used.`},
			wantKind: KindAlreadyExists,
		},
		"no such user": {
			call: func(env *contractEnv) error {
				_, err := env.client.GetUser(ctx, "nobody@example.com")
				return err
			},
			want:     &APIError{StatusCode: 404, Code: 1001, Endpoint: "GET /users/{userId}", Message: "User does not exist: nobody@example.com"},
			wantKind: KindNotFound,
		},
		"no licence left for a new user": {
			call: func(env *contractEnv) error {
				_, err := env.client.CreateUser(ctx, CreateUserRequest{Action: CreateActionCustCreate,
					UserInfo: UserInfo{Email: "new@example.com", Type: TypeLicensed}})
				return err
			},
			want: &APIError{StatusCode: 400, Code: 2034, Endpoint: "POST /users",
				Message: "Your request to add a new Licensed user could not be approved at this time because your account has reached the permitted maximum number of 1 users. " +
					"Please purchase additional licenses or contact the Zoom support team to provision additional users in your account."},
			wantKind: KindTerminal, wantLicence: true,
		},
		"no licence left for a type change": {
			call: func(env *contractEnv) error {
				return env.client.UpdateUser(ctx, "free@example.com", UpdateUserRequest{Type: &licensed})
			},
			want: &APIError{StatusCode: 400, Code: 3412, Endpoint: "PATCH /users/{userId}",
				Message: `Your request to convert the user type of a "Basic" user to a "Licensed" user was not approved at this time because your account has reached the permitted maximum number of "1" paying users. ` +
					`Please purchase additional licenses or remove existing paying user(s) from your "Users" list or the "Pending Users" list before attempting to convert a user to a paying user.`},
			wantKind: KindTerminal, wantLicence: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := newContractEnv(t, zoomfake.Options{MaxLicensed: 1})
			env.fake.AddUser(zoomfake.User{Email: "taken@example.com", Type: TypeLicensed})
			env.fake.AddUser(zoomfake.User{Email: "free@example.com", Type: TypeBasic})
			err := tc.call(env)
			if diff := cmp.Diff(tc.want, asAPIError(err)); diff != "" {
				t.Errorf("APIError (-want +got):\n%s", diff)
			}
			if got := Classify(err); got != tc.wantKind {
				t.Errorf("Classify = %v, want %v", got, tc.wantKind)
			}
			if got := IsLicenseExhausted(err); got != tc.wantLicence {
				t.Errorf("IsLicenseExhausted = %v, want %v", got, tc.wantLicence)
			}
		})
	}
}
