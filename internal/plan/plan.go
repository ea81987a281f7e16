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

// Package plan says what the operator would do with a ZoomUser, given the
// Zoom user it would find: create, adopt, update, leave or refuse. It makes
// no call anywhere; `kubectl zoom plan` looks the Zoom users up and prints
// what Decide returns. The rules are the operator's (controllers,
// zoomuser_sync.go), and the spec logic is the operator's own
// (internal/desired), so that a plan shows what the operator will do.
package plan

import (
	"fmt"
	"strings"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/desired"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// Verdict is what the operator would do with one ZoomUser.
type Verdict string

const (
	// Create: Zoom has no such user and the operator would create it.
	Create Verdict = "create"
	// Adopt: a Zoom user the operator did not create would be bound to
	// the object (and then updated, when Changes says so).
	Adopt Verdict = "adopt"
	// Update: the operator would change the Zoom user.
	Update Verdict = "update"
	// Unchanged: Zoom already matches, or the operator leaves the user
	// alone (a pending invitation, a suspended object).
	Unchanged Verdict = "unchanged"
	// Refused: the operator would stop with an error (Stalled).
	Refused Verdict = "refused"
	// NotCorrected: Zoom differs from the spec and managementPolicies
	// forbid the operator to correct it; it reports the difference.
	NotCorrected Verdict = "not corrected"
)

// Messages the operator's status would carry too, in a plan's words.
const (
	MsgNotCreated   = "missing; not created: managementPolicies exclude Create"
	MsgNoAdoption   = "exists; account does not allow adoption (adoptExistingUsers: false)"
	MsgNotUpdated   = "drift left uncorrected (managementPolicies exclude Update)"
	MsgPending      = "pending invitation; left alone until the person accepts it"
	MsgSuspended    = "suspended (spec.suspend); the operator makes no call to Zoom"
	MsgOwn          = "exists; created by the operator (status.createRequestedAt), bound as its own"
	MsgGoneByID     = "the Zoom user of status.id is gone"
	MsgOtherByEmail = "the Zoom user of status.id is gone; another user has the email"
	MsgRole         = "spec.role is not planned: the operator compares it with the account's roles when it runs"
)

// Input is one ZoomUser and what Zoom says of its email.
type Input struct {
	// User is the object: its spec, and its status as the cluster has it
	// (empty for an object read from a file).
	User *zoomv1.ZoomUser
	// Remote is the Zoom user the operator would observe (by status.id,
	// else by email); nil when Zoom has none.
	Remote *zoom.User
	// AdoptExistingUsers is the account's setting.
	AdoptExistingUsers bool
	// Refusal, when set, is why the operator stops before it looks at
	// Zoom: the namespace may not use the account, or another ZoomUser
	// claims the email (see Conflicts).
	Refusal string
}

// Step is the operator's course for one ZoomUser.
type Step struct {
	Verdict Verdict
	// Detail says why, or how (the create's action and type).
	Detail string
	// Notes are further facts: a pending invitation, a type that waits
	// for activation, drift that policies leave.
	Notes []string
	// Changes are the fields the operator changes, or, for NotCorrected
	// and an adoption without Update, would change if allowed.
	Changes []desired.Change
	// Pending is a pending invitation.
	Pending bool
}

// Decide returns what the operator would do with in.User.
func Decide(in Input) Step {
	step := decide(in)
	if in.User.Spec.Role != "" && step.Verdict != Refused && !in.User.Spec.Suspend {
		step.Notes = append(step.Notes, MsgRole)
	}
	return step
}

func decide(in Input) Step {
	spec, status := &in.User.Spec, &in.User.Status
	if spec.Suspend {
		return Step{Verdict: Unchanged, Detail: MsgSuspended}
	}
	if in.Refusal != "" {
		return Step{Verdict: Refused, Detail: in.Refusal}
	}
	if in.Remote == nil {
		step := absent(spec)
		if status.ID != "" {
			step.Notes = append(step.Notes, MsgGoneByID)
		}
		return step
	}
	if status.ID != "" && in.Remote.ID == status.ID {
		return update(spec, in.Remote, Step{})
	}
	var base Step
	if status.ID != "" {
		base.Notes = append(base.Notes, MsgOtherByEmail)
	}
	switch {
	case desired.Owned(in.User, in.Remote):
		base.Notes = append(base.Notes, MsgOwn)
		return update(spec, in.Remote, base)
	case !in.AdoptExistingUsers:
		base.Verdict, base.Detail = Refused, MsgNoAdoption
		return base
	}
	step := update(spec, in.Remote, base)
	if step.Detail != "" { // a pending invitation, or drift left as is
		step.Notes = append(step.Notes, step.Detail)
	}
	step.Verdict, step.Detail = Adopt, existing(in.Remote)
	return step
}

// existing names the Zoom user to adopt. Zoom lists some pending users
// without an id; the operator finds it by email when it binds them.
func existing(u *zoom.User) string {
	if u.ID == "" {
		return "existing Zoom user (a pending invitation, listed without an id)"
	}
	return "existing Zoom user " + u.ID
}

// absent is the course for a user Zoom does not have.
func absent(spec *zoomv1.ZoomUserSpec) Step {
	if !spec.ManagementPolicies.Allow(zoomv1.ManagementCreate) {
		return Step{Verdict: NotCorrected, Detail: MsgNotCreated}
	}
	req := desired.CreateRequest(spec)
	action := req.Action
	if action == "" {
		action = string(zoomv1.ActionCreate) // the API's default
	}
	detail := fmt.Sprintf("action %s, type %s", action, desired.TypeName(req.UserInfo.Type))
	if action == zoom.CreateActionCreate {
		detail += "; Zoom emails an invitation, the user is pending until accepted"
	}
	return Step{Verdict: Create, Detail: detail}
}

// update is the course for a Zoom user bound to the object; base carries
// what binding it noted.
func update(spec *zoomv1.ZoomUserSpec, remote *zoom.User, base Step) Step {
	step := base
	step.Verdict = Unchanged
	if remote.Status == zoom.StatusPending {
		step.Pending = true
		step.Detail = MsgPending
		return step
	}
	step.Changes = desired.Changes(spec, remote)
	if after := afterActivation(spec, remote); desired.TypeWaits(spec, &after) {
		step.Notes = append(step.Notes, fmt.Sprintf("type %s applies once the user is active (Zoom removes the licence of an inactive user)", desired.TypeName(desired.ZoomType(spec.Type))))
	}
	switch {
	case len(step.Changes) == 0:
	case spec.ManagementPolicies.Allow(zoomv1.ManagementUpdate):
		step.Verdict = Update
	default:
		step.Verdict, step.Detail = NotCorrected, MsgNotUpdated
	}
	return step
}

// afterActivation is the Zoom user once the operator set its activation
// as the spec wants.
func afterActivation(spec *zoomv1.ZoomUserSpec, remote *zoom.User) zoom.User {
	if want := desired.Active(spec); want != (remote.Status == zoom.StatusActive) {
		return desired.AfterActivation(*remote, want)
	}
	return *remote
}

// Conflicts returns, for each ZoomUser that loses its email to another one
// of the same Zoom account, the refusal the operator gives it (reason
// Conflict). claimants are the ZoomUsers of one Zoom account.
func Conflicts(claimants []*zoomv1.ZoomUser) map[*zoomv1.ZoomUser]string {
	winners := map[string]*zoomv1.ZoomUser{}
	for _, zu := range claimants {
		email := strings.ToLower(zu.Spec.Email)
		if w, ok := winners[email]; !ok || desired.Wins(zu, w) {
			winners[email] = zu
		}
	}
	refusals := map[*zoomv1.ZoomUser]string{}
	for _, zu := range claimants {
		if w := winners[strings.ToLower(zu.Spec.Email)]; w != zu {
			refusals[zu] = fmt.Sprintf("email %s in this Zoom account is already managed by ZoomUser %s", zu.Spec.Email, qualified(w))
		}
	}
	return refusals
}

func qualified(zu *zoomv1.ZoomUser) string {
	if zu.Namespace == "" {
		return zu.Name
	}
	return zu.Namespace + "/" + zu.Name
}
