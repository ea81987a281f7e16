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

// Package groups decides how the membership of a Zoom group must change so
// that it equals the ZoomUsers a ZoomGroup selects. It is pure: the caller
// gathers the selected users, Zoom's member list and the group's status, and
// makes the calls the Plan lists.
package groups

import (
	"cmp"
	"slices"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// MaxPendingListed bounds status.pendingMembers, so that a large group with
// many unready users keeps a small status; status.pendingCount has the total.
const MaxPendingListed = 50

// Candidate is a ZoomUser the group selects, by label or by name.
type Candidate struct {
	// Name of the ZoomUser.
	Name string
	// Found is false when spec.members names a ZoomUser that does not exist.
	Found bool
	// ZoomID is the ZoomUser's status.id; "" while it is not bound.
	ZoomID string
	// Ready is the ZoomUser's Ready condition, True at its generation.
	Ready bool
	// State is Zoom's status of the user (status.state): pending, active or inactive.
	State string
	// Account identifies the Zoom account the ZoomUser lives in, in the
	// caller's terms (e.g. "ClusterZoomAccount/default"); it is compared
	// with Input.Account.
	Account string
	// Frozen is true when the ZoomUser's managementPolicies exclude Update:
	// it is a member only if it already is, and is never added or removed.
	Frozen bool
}

// Input is what the Plan is computed from.
type Input struct {
	// Account identifies the group's Zoom account, as Candidate.Account.
	Account string
	// Selected are the users the group selects, in any order; a user both
	// selected by label and named in spec.members may appear twice.
	Selected []Candidate
	// Current are the group's members as Zoom lists them.
	Current []zoom.GroupMember
	// Added is status.addedMembers: the Zoom user ids the operator added.
	Added []string
	// RemoveUnmanaged is spec.removeUnmanagedMembers.
	RemoveUnmanaged bool
	// Frozen are the Zoom user ids of the namespace's ZoomUsers whose
	// managementPolicies exclude Update, selected or not: never removed.
	Frozen []string
}

// Plan is what must change, and the status that results when it all succeeds.
type Plan struct {
	// Add are the users to add, in calls of at most zoom.MaxMembersPerCall.
	Add [][]zoom.MemberRef
	// Remove are the Zoom user ids to remove, one call each.
	Remove []string
	// Added is status.addedMembers once every add and remove succeeded.
	Added []string
	// Pending are selected users that cannot be members yet, sorted by name,
	// at most MaxPendingListed; PendingCount is how many there are in all.
	Pending      []zoomv1.PendingMember
	PendingCount int
	// Members is how many selected users are, or will be, members.
	Members int
}

// Done reports whether the group already has the wanted members.
func (p Plan) Done() bool { return len(p.Add) == 0 && len(p.Remove) == 0 }

// Compute works out the Plan for in.
func Compute(in Input) Plan {
	current := make(map[string]bool, len(in.Current))
	for _, m := range in.Current {
		current[m.ID] = true
	}
	wanted, pending := classify(in, current)
	added := setOf(in.Added)
	frozen := setOf(in.Frozen)

	var adds []zoom.MemberRef
	var keep []string
	for _, c := range wanted {
		switch {
		case !current[c.ZoomID]:
			adds = append(adds, zoom.MemberRef{ID: c.ZoomID})
			keep = append(keep, c.ZoomID)
		case added[c.ZoomID]:
			keep = append(keep, c.ZoomID)
		}
	}
	var removes []string
	wantedIDs := make(map[string]bool, len(wanted))
	for _, c := range wanted {
		wantedIDs[c.ZoomID] = true
	}
	for _, m := range in.Current {
		switch {
		case frozen[m.ID]:
			if added[m.ID] && !wantedIDs[m.ID] {
				keep = append(keep, m.ID) // still ours to remove once it may be changed
			}
		case !wantedIDs[m.ID] && (added[m.ID] || in.RemoveUnmanaged):
			removes = append(removes, m.ID)
		}
	}
	slices.Sort(removes)
	slices.Sort(keep)

	p := Plan{
		Add:          zoom.Batches(adds, zoom.MaxMembersPerCall),
		Remove:       removes,
		Added:        keep,
		PendingCount: len(pending),
		Pending:      pending[:min(len(pending), MaxPendingListed)],
		Members:      len(wanted),
	}
	return p
}

// classify splits the selection into the users that should be members,
// sorted by name and one per Zoom user, and the ones that cannot be yet,
// sorted by name. A frozen user is a member only if it already is.
func classify(in Input, current map[string]bool) ([]Candidate, []zoomv1.PendingMember) {
	selected := slices.Clone(in.Selected)
	slices.SortFunc(selected, func(a, b Candidate) int { return cmp.Compare(a.Name, b.Name) })
	selected = slices.CompactFunc(selected, func(a, b Candidate) bool { return a.Name == b.Name })

	var wanted []Candidate
	var pending []zoomv1.PendingMember
	seen := map[string]bool{}
	for _, c := range selected {
		if reason, ok := pendingReason(c, in.Account, current); ok {
			pending = append(pending, zoomv1.PendingMember{Name: c.Name, Reason: reason})
			continue
		}
		// Two ZoomUsers bound to one Zoom user (one of them Stalled with
		// Conflict) make one membership.
		if !seen[c.ZoomID] {
			seen[c.ZoomID] = true
			wanted = append(wanted, c)
		}
	}
	return wanted, pending
}

// pendingReason says why c cannot be a member yet, if it cannot. A pending
// invitation is told apart from other unready states: it waits on a person,
// not on the operator.
func pendingReason(c Candidate, account string, current map[string]bool) (zoomv1.PendingReason, bool) {
	switch {
	case !c.Found:
		return zoomv1.PendingNotFound, true
	case c.Account != account:
		return zoomv1.PendingOtherAccount, true
	case c.State == zoom.StatusPending:
		return zoomv1.PendingInvitePending, true
	case c.ZoomID == "" || !c.Ready:
		return zoomv1.PendingNotReady, true
	case c.Frozen && !current[c.ZoomID]:
		return zoomv1.PendingObserveOnly, true
	}
	return "", false
}

// Progress is status.addedMembers after part of a Plan ran: before holds the
// value the Plan started from, added the members of the add calls that
// succeeded and removed the ids whose removal succeeded. A reconciler that
// stops at a failed call records Progress, so that the next Plan neither
// forgets a member it added nor claims one it did not.
func Progress(before []string, added []zoom.MemberRef, removed []string) []string {
	set := setOf(before)
	for _, m := range added {
		set[m.ID] = true
	}
	for _, id := range removed {
		delete(set, id)
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func setOf(ids []string) map[string]bool {
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set
}
