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

// Package roles decides what to do about the role a ZoomUser asks for:
// assign it, take the user back to Member, refuse, or leave the role alone.
// It is pure: the caller resolves the account's roles once (ListRoles),
// reads the user's current role (GetUser) and makes the call decided.
package roles

import (
	"fmt"
	"slices"
	"strings"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// Names of the built-in roles. Role names are compared without regard to
// case, so that "admin" in a manifest cannot slip past "Admin" in
// allowedRoles, nor "owner" past the Owner rule.
const (
	NameOwner  = "Owner"
	NameMember = "Member"
)

// DefaultAllowed applies when an account lists no allowedRoles.
var DefaultAllowed = []string{NameMember}

// Index finds an account's roles by name. Build it once per account from
// ListRoles and keep it: roles change rarely, and listing them is a Medium
// call.
type Index struct {
	byName map[string]zoom.Role
}

// NewIndex indexes roles by name.
func NewIndex(roles []zoom.Role) Index {
	ix := Index{byName: make(map[string]zoom.Role, len(roles))}
	for _, r := range roles {
		ix.byName[strings.ToLower(r.Name)] = r
	}
	return ix
}

// Lookup returns the role called name, in any letter case.
func (ix Index) Lookup(name string) (zoom.Role, bool) {
	r, ok := ix.byName[strings.ToLower(name)]
	return r, ok
}

// Action is what the reconciler does about a user's role.
type Action int

const (
	// Leave: nothing to do, because no role is asked for or the user holds it.
	Leave Action = iota
	// Assign: POST /roles/{RoleID}/members with the user.
	Assign
	// Unassign: DELETE /roles/{RoleID}/members/{userId}; the user becomes a
	// Member, which Zoom does not let one assign directly.
	Unassign
	// Wait: the user has not accepted the invitation; try when it has.
	Wait
	// Refuse: the role cannot be given; Reason and Message say why.
	Refuse
)

func (a Action) String() string {
	return [...]string{"Leave", "Assign", "Unassign", "Wait", "Refuse"}[a]
}

// Current is what Zoom says about the user (GET /users/{userId}).
type Current struct {
	RoleID   string
	RoleName string
	// Pending is true while the invitation is not accepted.
	Pending bool
}

// Decision is the outcome of Decide.
type Decision struct {
	Action Action
	// RoleID is the role to assign (Assign) or to leave (Unassign).
	RoleID string
	// Reason is a condition reason for Wait and Refuse.
	Reason string
	// Message explains Wait and Refuse to the object's owner.
	Message string
}

// Decide returns what to do so that the user holds desired (spec.role).
// allowed is the account's allowedRoles (nil means DefaultAllowed).
func Decide(desired string, allowed []string, cur Current, ix Index) Decision {
	if desired == "" {
		return Decision{Action: Leave}
	}
	if allowed == nil {
		allowed = DefaultAllowed
	}
	if strings.EqualFold(desired, NameOwner) || !containsFold(allowed, desired) {
		return Decision{Action: Refuse, Reason: zoomv1.ReasonRoleNotAllowed,
			Message: fmt.Sprintf("role %q is not in the account's allowedRoles %q", desired, allowed)}
	}
	if cur.RoleID == zoom.RoleIDOwner || strings.EqualFold(cur.RoleName, NameOwner) {
		return Decision{Action: Refuse, Reason: zoomv1.ReasonAccountOwner,
			Message: "the user owns the Zoom account; its role is not managed"}
	}
	target, ok := ix.Lookup(desired)
	if !ok {
		return Decision{Action: Refuse, Reason: zoomv1.ReasonRoleNotFound,
			Message: fmt.Sprintf("the Zoom account has no role %q", desired)}
	}
	if holds(cur, target) {
		return Decision{Action: Leave}
	}
	if cur.Pending {
		return Decision{Action: Wait, Reason: zoomv1.ReasonInvitePending,
			Message: fmt.Sprintf("role %q is assigned once the invitation is accepted", target.Name)}
	}
	if target.ID == zoom.RoleIDMember {
		return Decision{Action: Unassign, RoleID: cur.RoleID}
	}
	return Decision{Action: Assign, RoleID: target.ID}
}

// Holds reports whether the user already has the role named, as Zoom says;
// a role the account lacks is held by no one. It is the comparison without
// the decision: what a user whose changes are not the operator's to make
// reports as drift.
func Holds(name string, cur Current, ix Index) bool {
	target, ok := ix.Lookup(name)
	return ok && holds(cur, target)
}

// holds reports whether the user has the role. Zoom's user object carries
// role_id; role_name is the fallback when an answer lacks the id.
func holds(cur Current, r zoom.Role) bool {
	if cur.RoleID != "" {
		return cur.RoleID == r.ID
	}
	return strings.EqualFold(cur.RoleName, r.Name)
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}
