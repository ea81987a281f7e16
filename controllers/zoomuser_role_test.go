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

package controllers

import (
	"context"
	"testing"
	"time"

	"k8s.io/client-go/util/retry"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// waitRole waits until Zoom gives the user that role.
func (tn *tenant) waitRole(email, role string) {
	tn.t.Helper()
	var got string
	for deadline := time.Now().Add(waitTimeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got, _ = tn.fake.UserRole(email); got == role {
			return
		}
	}
	tn.t.Fatalf("the Zoom role of %s is %q, never became %q", email, got, role)
}

func (tn *tenant) setRole(name, role string) {
	tn.t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		zu := tn.get(name)
		zu.Spec.Role = role
		return tn.k8s.Update(context.Background(), zu)
	})
	if err != nil {
		tn.t.Fatal(err)
	}
}

func TestRoleIsAssignedAndKept(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.editAccount(func(s *zoomv1.AccountSettings) { s.AllowedRoles = []string{"Member", "Admin"} })
	tn.create(tn.user("ada", "ada@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.Role = "Admin" }))
	tn.waitRole("ada@example.com", "Admin")
	tn.waitReason("ada", zoomv1.ReasonSynced)
	if n := tn.fake.Count(zoomfake.EndpointAssignRole); n != 1 {
		t.Errorf("POST /roles/{roleId}/members sent %d times, want 1", n)
	}

	// Drift: someone makes her a Member in Zoom; the resync gives the role back.
	u, _ := tn.fake.User("ada@example.com")
	u.RoleID = zoomfake.RoleMember
	tn.fake.SetUser(u)
	tn.waitRole("ada@example.com", "Admin")

	// Removing the field leaves the role as it is.
	tn.setRole("ada", "")
	tn.waitReason("ada", zoomv1.ReasonSynced)
	u, _ = tn.fake.User("ada@example.com")
	u.RoleID = zoomfake.RoleMember
	tn.fake.SetUser(u)
	assigns := tn.fake.Count(zoomfake.EndpointAssignRole)
	consistently(t, resyncInterval+2*time.Second, "no role call once spec.role is removed", func() bool {
		return tn.fake.Count(zoomfake.EndpointAssignRole) == assigns && tn.fake.Count(zoomfake.EndpointUnassignRole) == 0
	})

	// Back to Member: Zoom takes the user out of Admin.
	u.RoleID = zoomfake.RoleAdmin
	tn.fake.SetUser(u)
	tn.setRole("ada", "member")
	tn.waitRole("ada@example.com", "Member")
}

// A tenant cannot make itself an admin: Admin is outside the default
// allowedRoles, so the user is Stalled and Zoom gets no role call.
func TestRoleOutsideAllowedRolesIsRefused(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("eve", "eve@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.Role = "admin" }))
	zu := tn.waitReason("eve", zoomv1.ReasonRoleNotAllowed)
	if c := condition(zu, zoomv1.ConditionStalled); c == nil || c.Status != "True" {
		t.Errorf("Stalled = %+v, want True", c)
	}
	tn.waitEvent("eve", "Warning", zoomv1.ReasonRoleNotAllowed, "allowedRoles")
	if role, _ := tn.fake.UserRole("eve@example.com"); role != "Member" {
		t.Errorf("Zoom role = %q, want Member", role)
	}
	if n := tn.fake.Count(zoomfake.EndpointAssignRole); n != 0 {
		t.Errorf("POST /roles/{roleId}/members sent %d times, want 0", n)
	}
	// The rest of the user is synced all the same.
	if u, ok := tn.fake.User("eve@example.com"); !ok || u.Status != "active" {
		t.Errorf("Zoom user: %+v, %v", u, ok)
	}
}
