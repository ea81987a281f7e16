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
	"fmt"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/desired"
	"github.com/zoom-operator/zoom-operator/internal/roles"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// syncRole gives the active Zoom user the role spec.role names, once the
// rest of the user matches. ok=false means the outcome is final for this
// reconcile: a refusal, a wait or a failed call.
//
// A role outside the account's allowedRoles makes the user Stalled with
// RoleNotAllowed, not Ready: the spec asks for a privilege the operator
// will not grant, and only a change of the spec or of the account can help.
// Showing Ready would tell GitOps tools (Argo CD, kstatus) that the user is
// as declared when it is not. The other fields were already synced.
func (s *userSync) syncRole(ctx context.Context, remote *zoom.User) (outcome, bool) {
	if s.zu.Spec.Role == "" {
		return outcome{}, true // removing the field leaves the role as it is
	}
	ix, err := s.acct.Roles(ctx)
	if err != nil {
		return s.zoomOutcome(err), false
	}
	d := roles.Decide(s.zu.Spec.Role, s.acct.Settings.AllowedRoles, currentRole(remote), ix)
	switch d.Action {
	case roles.Refuse:
		return stalled(d.Reason, d.Message), false
	case roles.Wait:
		return ready(d.Reason, d.Message), false
	case roles.Assign:
		err = s.acct.Groups.AssignRole(ctx, d.RoleID, []zoom.MemberRef{{ID: remote.ID}})
	case roles.Unassign:
		err = s.acct.Groups.UnassignRole(ctx, d.RoleID, remote.ID)
	default:
		return outcome{}, true
	}
	if err != nil {
		return s.updateFailed(err), false
	}
	s.event(zoomv1.ReasonUpdated, "%s", fmt.Sprintf("gave Zoom user %s the role %s", remote.ID, s.zu.Spec.Role))
	return outcome{}, true
}

// currentRole is Zoom's word on the user's role. A user just created, whose
// answer carries no role, is a Member: Zoom gives new users that role.
func currentRole(u *zoom.User) roles.Current {
	cur := roles.Current{RoleID: u.RoleID, RoleName: u.RoleName, Pending: u.Status == zoom.StatusPending}
	if cur.RoleID == "" && cur.RoleName == "" {
		cur.RoleID = zoom.RoleIDMember
	}
	return cur
}

// roleDrift is the role spec.role names, as a change, when the active user
// does not hold it: reported, not made, where the policies exclude Update.
func (s *userSync) roleDrift(ctx context.Context, remote *zoom.User) ([]desired.Change, error) {
	if s.zu.Spec.Role == "" || remote.Status != zoom.StatusActive {
		return nil, nil
	}
	ix, err := s.acct.Roles(ctx)
	if err != nil {
		return nil, err
	}
	cur := currentRole(remote)
	if roles.Holds(s.zu.Spec.Role, cur, ix) {
		return nil, nil
	}
	from := cur.RoleName
	if from == "" {
		from = "role id " + cur.RoleID
	}
	return []desired.Change{{Field: "role", From: from, To: s.zu.Spec.Role}}, nil
}
