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

package roles

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

var account = NewIndex([]zoom.Role{
	{ID: zoom.RoleIDOwner, Name: "Owner"},
	{ID: zoom.RoleIDAdmin, Name: "Admin"},
	{ID: zoom.RoleIDMember, Name: "Member"},
	{ID: "c7", Name: "Auditor"},
})

var (
	member  = Current{RoleID: zoom.RoleIDMember, RoleName: "Member"}
	admin   = Current{RoleID: zoom.RoleIDAdmin, RoleName: "Admin"}
	auditor = Current{RoleID: "c7", RoleName: "Auditor"}
	owner   = Current{RoleID: zoom.RoleIDOwner, RoleName: "Owner"}
)

func TestDecide(t *testing.T) {
	adminsToo := []string{"Member", "Admin", "Auditor"}
	tests := map[string]struct {
		desired string
		allowed []string
		cur     Current
		want    Decision
	}{
		"no role asked: leave it, whatever it is": {desired: "", allowed: adminsToo, cur: admin, want: Decision{Action: Leave}},
		"already holds it":                        {desired: "Admin", allowed: adminsToo, cur: admin, want: Decision{Action: Leave}},
		"names compare without case":              {desired: "admin", allowed: []string{"ADMIN"}, cur: admin, want: Decision{Action: Leave}},
		"only the name in the answer":             {desired: "Admin", allowed: adminsToo, cur: Current{RoleName: "Admin"}, want: Decision{Action: Leave}},
		"member to admin":                         {desired: "Admin", allowed: adminsToo, cur: member, want: Decision{Action: Assign, RoleID: zoom.RoleIDAdmin}},
		"admin to custom role":                    {desired: "Auditor", allowed: adminsToo, cur: admin, want: Decision{Action: Assign, RoleID: "c7"}},
		"drift back to member leaves the current role": {desired: "Member", allowed: nil, cur: auditor,
			want: Decision{Action: Unassign, RoleID: "c7"}},
		"default allows only Member": {desired: "Admin", allowed: nil, cur: member, want: Decision{Action: Refuse, Reason: zoomv1.ReasonRoleNotAllowed,
			Message: `role "Admin" is not in the account's allowedRoles ["Member"]`}},
		"not in allowedRoles": {desired: "Auditor", allowed: []string{"Member", "Admin"}, cur: member, want: Decision{Action: Refuse, Reason: zoomv1.ReasonRoleNotAllowed,
			Message: `role "Auditor" is not in the account's allowedRoles ["Member" "Admin"]`}},
		"owner never, even if listed": {desired: "owner", allowed: []string{"Owner", "owner"}, cur: member, want: Decision{Action: Refuse, Reason: zoomv1.ReasonRoleNotAllowed,
			Message: `role "owner" is not in the account's allowedRoles ["Owner" "owner"]`}},
		"the account owner is left alone": {desired: "Member", allowed: nil, cur: owner, want: Decision{Action: Refuse, Reason: zoomv1.ReasonAccountOwner,
			Message: "the user owns the Zoom account; its role is not managed"}},
		"unknown role": {desired: "Janitor", allowed: []string{"Janitor"}, cur: member, want: Decision{Action: Refuse, Reason: zoomv1.ReasonRoleNotFound,
			Message: `the Zoom account has no role "Janitor"`}},
		"pending invitation waits": {desired: "Admin", allowed: adminsToo, cur: Current{RoleID: zoom.RoleIDMember, Pending: true},
			want: Decision{Action: Wait, Reason: zoomv1.ReasonInvitePending, Message: `role "Admin" is assigned once the invitation is accepted`}},
		"pending user already a Member": {desired: "Member", allowed: nil, cur: Current{RoleID: zoom.RoleIDMember, Pending: true}, want: Decision{Action: Leave}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Decide(tc.desired, tc.allowed, tc.cur, account)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Decide (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIndexLookup(t *testing.T) {
	if r, ok := account.Lookup("AUDITOR"); !ok || r.ID != "c7" {
		t.Errorf("Lookup(AUDITOR) = %+v, %v", r, ok)
	}
	if _, ok := account.Lookup("Janitor"); ok {
		t.Error("Lookup(Janitor) found a role")
	}
}
