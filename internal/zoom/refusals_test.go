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
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRefusals classifies each Zoom answer the operator tells apart, with
// the codes and messages of Zoom's Users API definition.
func TestRefusals(t *testing.T) {
	const (
		del    = "DELETE /users/{userId}"
		create = "POST /users"
		patch  = "PATCH /users/{userId}"
		status = "PUT /users/{userId}/status"
	)
	type got struct {
		Kind                  Kind
		DisassociationRefused bool
		TransferRequired      bool
		LicenseExhausted      bool
		MissingScopes         []string
	}
	apiErr := func(endpoint string, httpStatus, code int, message string) error {
		return &APIError{Endpoint: endpoint, StatusCode: httpStatus, Code: code, Message: message}
	}
	tests := map[string]struct {
		err  error
		want got
	}{
		"nil": {want: got{Kind: KindNone}},
		"1107 on delete: managed domain": {
			err:  apiErr(del, 400, 1107, "You can not disassociate a user with managed domain."),
			want: got{Kind: KindTerminal, DisassociationRefused: true},
		},
		"1117 on delete: admin": {
			err:  apiErr(del, 400, 1117, "You can not disassociate an Admin user."),
			want: got{Kind: KindTerminal, DisassociationRefused: true},
		},
		"1117 wrapped": {
			err:  fmt.Errorf("removing: %w", apiErr(del, 400, 1117, "You can not disassociate an Admin user.")),
			want: got{Kind: KindTerminal, DisassociationRefused: true},
		},
		"1107 on create: blocked domain, not a disassociation": {
			err:  apiErr(create, 400, 1107, "Email domain is blocked."),
			want: got{Kind: KindTerminal},
		},
		"300 on delete: transfer target required": {
			err:  apiErr(del, 400, 300, "This user has published events on Zoom Events and you do not specify a target user to transfer data."),
			want: got{Kind: KindTerminal, TransferRequired: true},
		},
		"300 on delete: target cannot receive": {
			err:  apiErr(del, 400, 300, "The destination user does not have a Zoom Events license and cannot receive this data."),
			want: got{Kind: KindTerminal},
		},
		"300 on delete: target is the user": {
			err:  apiErr(del, 400, 300, "The transfer-to email address cannot be the same as the unlinked or deleted user's email address."),
			want: got{Kind: KindTerminal},
		},
		"300 on delete: events cannot be removed at all": {
			err:  apiErr(del, 400, 300, "This user has published events on Zoom Events and cannot be deleted or unlinked."),
			want: got{Kind: KindTerminal},
		},
		"300 on status: upcoming events": {
			err:  apiErr(status, 400, 300, "You cannot deactivate this user because the user has an upcoming Zoom Events scheduled."),
			want: got{Kind: KindTerminal},
		},
		"2033 on create: Basic users used up": {
			err: apiErr(create, 400, 2033, "Your request to add a basic user wasn't approved because you've already reached the maximum basic user limit allowed in your account. "+
				"For additional help regarding this issue, contact the Zoom Customer Support team."),
			want: got{Kind: KindTerminal, LicenseExhausted: true},
		},
		"2034 on create: users of the type used up": {
			err:  apiErr(create, 400, 2034, "Your request to add a new Licensed user could not be approved at this time because your account has reached the permitted maximum number of 9 users."),
			want: got{Kind: KindTerminal, LicenseExhausted: true},
		},
		"3412 on patch: paying users used up": {
			err:  apiErr(patch, 400, 3412, `Your request to convert the user type of a "Basic" user to a "Licensed" user was not approved at this time because your account has reached the permitted maximum number of "9" paying users.`),
			want: got{Kind: KindTerminal, LicenseExhausted: true},
		},
		"3412 on activation: Basic users used up": {
			err:  apiErr(status, 400, 3412, `Your request to activate the user was not approved at this time because your account has reached the permitted maximum number of 9 "Basic" users.`),
			want: got{Kind: KindTerminal, LicenseExhausted: true},
		},
		"2038 on create: Zoom One used up": {
			err:  apiErr(create, 400, 2038, "Your request to add a new Zoom One user could not be approved at this time because your account has reached the permitted maximum number."),
			want: got{Kind: KindTerminal, LicenseExhausted: true},
		},
		"200 on create: no privilege is not a licence": {
			err:  apiErr(create, 400, 200, "No privilege."),
			want: got{Kind: KindTerminal},
		},
		"4711 on list: granular scope named": {
			err:  apiErr("GET /users", 400, 4711, "Invalid access token, does not contain scopes:[user:read:list_users:admin]."),
			want: got{Kind: KindMissingScope, MissingScopes: []string{"user:read:list_users:admin"}},
		},
		"4711 on delete: two scopes named": {
			err:  apiErr(del, 400, 4711, "Invalid access token, does not contain scopes:[user:delete:user:admin, user:delete:user]."),
			want: got{Kind: KindMissingScope, MissingScopes: []string{"user:delete:user:admin", "user:delete:user"}},
		},
		"4711 without a list": {
			err:  apiErr(del, 401, 4711, "Invalid access token, does not contain scopes."),
			want: got{Kind: KindMissingScope},
		},
		"4700 classic scopes named": {
			err:  apiErr("GET /users", 401, 4700, "Invalid access token, does not contain scopes:[user:read:admin, user:read]."),
			want: got{Kind: KindMissingScope, MissingScopes: []string{"user:read:admin", "user:read"}},
		},
		"124 expired token is not a scope": {
			err:  apiErr("GET /users", 401, 124, "Access token is expired."),
			want: got{Kind: KindUnauthorized},
		},
		"409 1005 email used": {
			err:  apiErr(create, 409, 1005, `Email "a@b.c" has already been used.`),
			want: got{Kind: KindAlreadyExists},
		},
		"404 1001 on delete": {
			err:  apiErr(del, 404, 1001, "User does not exist: a@b.c."),
			want: got{Kind: KindNotFound},
		},
		"400 1120 on delete: invitation gone": {
			err:  apiErr(del, 400, 1120, "A valid invitation to join the Zoom account was not found for this user."),
			want: got{Kind: KindNotFound},
		},
		"not an API error": {
			err:  errors.New("connection reset"),
			want: got{Kind: KindRetryable},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			g := got{
				Kind:                  Classify(tc.err),
				DisassociationRefused: IsDisassociationRefused(tc.err),
				TransferRequired:      IsTransferRequired(tc.err),
				LicenseExhausted:      IsLicenseExhausted(tc.err),
				MissingScopes:         MissingScopes(tc.err),
			}
			if diff := cmp.Diff(tc.want, g); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRemoveOptionsQuery(t *testing.T) {
	tests := map[string]struct {
		opts RemoveOptions
		want string
	}{
		"nothing: Zoom's defaults": {want: ""},
		"action only":              {opts: RemoveOptions{Action: DeleteActionDelete}, want: "action=delete"},
		"false flags are left out": {opts: RemoveOptions{TransferEmail: "h@x.io"}, want: "transfer_email=h%40x.io"},
		"every flag": {
			opts: RemoveOptions{Action: DeleteActionDisassociate, TransferEmail: "h@x.io", TransferMeeting: true, TransferWebinar: true, TransferRecording: true, TransferWhiteboard: true},
			want: "action=disassociate&transfer_email=h%40x.io&transfer_meeting=true&transfer_recording=true&transfer_webinar=true&transfer_whiteboard=true",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.opts.query().Encode(); got != tc.want {
				t.Errorf("query = %q, want %q", got, tc.want)
			}
		})
	}
}

// A 429 from the token endpoint must not pass for the API's daily cap: the
// create gate closes only on the latter (controllers/zoomuser_sync.go).
func TestIsTokenError(t *testing.T) {
	daily := http.Header{"X-Ratelimit-Type": {"Daily-limit"}}
	for name, tc := range map[string]struct {
		err  error
		want bool
	}{
		"token endpoint 429": {&APIError{Token: true, StatusCode: http.StatusTooManyRequests, RateLimitType: daily.Get("X-Ratelimit-Type")}, true},
		"wrapped token 429":  {fmt.Errorf("x: %w", &APIError{Token: true, StatusCode: http.StatusTooManyRequests}), true},
		"API daily 429":      {&APIError{StatusCode: http.StatusTooManyRequests, RateLimitType: "Daily-limit"}, false},
		"network":            {errors.New("dial tcp: refused"), false},
		"nil":                {nil, false},
	} {
		if got := IsTokenError(tc.err); got != tc.want {
			t.Errorf("%s: IsTokenError = %v, want %v", name, got, tc.want)
		}
	}
}
