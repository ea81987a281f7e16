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

package groups

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

const acct = "ClusterZoomAccount/default"

// ready is a bound, Ready, active ZoomUser of the group's account whose
// Zoom id is "id-"+name.
func ready(name string) Candidate {
	return Candidate{Name: name, Found: true, ZoomID: "id-" + name, Ready: true, State: zoom.StatusActive, Account: acct}
}

// frozen is a ready user whose managementPolicies exclude Update.
func frozen(name string) Candidate {
	return with(ready(name), func(c *Candidate) { c.Frozen = true })
}

func member(name string) zoom.GroupMember {
	return zoom.GroupMember{ID: "id-" + name, Email: name + "@example.com"}
}

func refs(names ...string) []zoom.MemberRef {
	out := make([]zoom.MemberRef, len(names))
	for i, n := range names {
		out[i] = zoom.MemberRef{ID: "id-" + n}
	}
	return out
}

func ids(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "id-" + n
	}
	return out
}

func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return out
}

func readyAll(names []string) []Candidate {
	out := make([]Candidate, len(names))
	for i, n := range names {
		out[i] = ready(n)
	}
	return out
}

func with(c Candidate, edit func(*Candidate)) Candidate {
	edit(&c)
	return c
}

func TestCompute(t *testing.T) {
	sixtyFive := numbered("u", 65)
	tests := map[string]struct {
		in   Input
		want Plan
	}{
		"empty group gets every ready user in one call": {
			in:   Input{Account: acct, Selected: []Candidate{ready("grace"), ready("ada"), ready("linus")}},
			want: Plan{Add: [][]zoom.MemberRef{refs("ada", "grace", "linus")}, Added: ids("ada", "grace", "linus"), Members: 3},
		},
		"65 users in calls of 30, 30 and 5": {
			in: Input{Account: acct, Selected: readyAll(sixtyFive)},
			want: Plan{
				Add:   [][]zoom.MemberRef{refs(sixtyFive[:30]...), refs(sixtyFive[30:60]...), refs(sixtyFive[60:]...)},
				Added: ids(sixtyFive...), Members: 65,
			},
		},
		"in sync": {
			in:   Input{Account: acct, Selected: []Candidate{ready("ada")}, Current: []zoom.GroupMember{member("ada")}, Added: ids("ada")},
			want: Plan{Added: ids("ada"), Members: 1},
		},
		"a user the operator added leaves the selection": {
			in:   Input{Account: acct, Selected: []Candidate{ready("ada")}, Current: []zoom.GroupMember{member("ada"), member("grace")}, Added: ids("ada", "grace")},
			want: Plan{Remove: ids("grace"), Added: ids("ada"), Members: 1},
		},
		// A ZoomUser whose managementPolicies exclude Update is the
		// operator's to read only: never added, never removed.
		"an observe-only user is not added": {
			in: Input{Account: acct, Selected: []Candidate{ready("ada"), frozen("grace")}},
			want: Plan{Add: [][]zoom.MemberRef{refs("ada")}, Added: ids("ada"), Members: 1, PendingCount: 1,
				Pending: []zoomv1.PendingMember{{Name: "grace", Reason: zoomv1.PendingObserveOnly}}},
		},
		"an observe-only member already in the group counts": {
			in:   Input{Account: acct, Selected: []Candidate{frozen("grace")}, Current: []zoom.GroupMember{member("grace")}},
			want: Plan{Members: 1},
		},
		"an observe-only user the operator added leaves the selection: kept, still recorded": {
			in:   Input{Account: acct, Current: []zoom.GroupMember{member("grace")}, Added: ids("grace"), Frozen: ids("grace")},
			want: Plan{Added: ids("grace")},
		},
		"removeUnmanagedMembers spares an observe-only member": {
			in:   Input{Account: acct, Current: []zoom.GroupMember{member("grace")}, Frozen: ids("grace"), RemoveUnmanaged: true},
			want: Plan{},
		},
		"a member the operator did not add stays": {
			in:   Input{Account: acct, Selected: []Candidate{ready("ada")}, Current: []zoom.GroupMember{member("ada"), member("boss")}, Added: ids("ada")},
			want: Plan{Added: ids("ada"), Members: 1},
		},
		"removeUnmanagedMembers removes it": {
			in:   Input{Account: acct, Selected: []Candidate{ready("ada")}, Current: []zoom.GroupMember{member("ada"), member("boss")}, Added: ids("ada"), RemoveUnmanaged: true},
			want: Plan{Remove: ids("boss"), Added: ids("ada"), Members: 1},
		},
		"a selected user who was already a member is not claimed": {
			in:   Input{Account: acct, Selected: []Candidate{ready("ada"), ready("boss")}, Current: []zoom.GroupMember{member("boss")}},
			want: Plan{Add: [][]zoom.MemberRef{refs("ada")}, Added: ids("ada"), Members: 2},
		},
		"a member removed by hand in Zoom is added again": {
			in:   Input{Account: acct, Selected: []Candidate{ready("ada")}, Added: ids("ada")},
			want: Plan{Add: [][]zoom.MemberRef{refs("ada")}, Added: ids("ada"), Members: 1},
		},
		"a member removed by hand and deselected is forgotten": {
			in:   Input{Account: acct, Added: ids("ada")},
			want: Plan{},
		},
		"selected twice, or two objects for one Zoom user, add once": {
			in:   Input{Account: acct, Selected: []Candidate{ready("ada"), ready("ada"), with(ready("ada2"), func(c *Candidate) { c.ZoomID = "id-ada" })}},
			want: Plan{Add: [][]zoom.MemberRef{refs("ada")}, Added: ids("ada"), Members: 1},
		},
		"users who cannot be members yet, and why": {
			in: Input{Account: acct, Selected: []Candidate{
				ready("ada"),
				{Name: "ghost"},
				with(ready("other"), func(c *Candidate) { c.Account = "ZoomAccount/team-b/b" }),
				with(ready("invited"), func(c *Candidate) { c.State = zoom.StatusPending }),
				with(ready("new"), func(c *Candidate) { c.ZoomID, c.Ready = "", false }),
				with(ready("broken"), func(c *Candidate) { c.Ready = false }),
			}},
			want: Plan{
				Add: [][]zoom.MemberRef{refs("ada")}, Added: ids("ada"), Members: 1, PendingCount: 5,
				Pending: []zoomv1.PendingMember{
					{Name: "broken", Reason: zoomv1.PendingNotReady},
					{Name: "ghost", Reason: zoomv1.PendingNotFound},
					{Name: "invited", Reason: zoomv1.PendingInvitePending},
					{Name: "new", Reason: zoomv1.PendingNotReady},
					{Name: "other", Reason: zoomv1.PendingOtherAccount},
				},
			},
		},
		"a member that became unready is removed only if the operator added it": {
			in: Input{Account: acct,
				Selected: []Candidate{with(ready("ada"), func(c *Candidate) { c.Ready = false }), with(ready("boss"), func(c *Candidate) { c.Ready = false })},
				Current:  []zoom.GroupMember{member("ada"), member("boss")}, Added: ids("ada")},
			want: Plan{Remove: ids("ada"), PendingCount: 2, Pending: []zoomv1.PendingMember{
				{Name: "ada", Reason: zoomv1.PendingNotReady}, {Name: "boss", Reason: zoomv1.PendingNotReady},
			}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Compute(tc.in)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Compute (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPendingListIsBounded(t *testing.T) {
	var sel []Candidate
	for _, n := range numbered("p", 120) {
		sel = append(sel, Candidate{Name: n})
	}
	got := Compute(Input{Account: acct, Selected: sel})
	if got.PendingCount != 120 || len(got.Pending) != MaxPendingListed {
		t.Fatalf("pending: count %d, listed %d; want 120 and %d", got.PendingCount, len(got.Pending), MaxPendingListed)
	}
	if got.Pending[0].Name != "p000" || got.Pending[MaxPendingListed-1].Name != "p049" {
		t.Errorf("listed %s..%s, want the first names in order", got.Pending[0].Name, got.Pending[MaxPendingListed-1].Name)
	}
}

// 2,000 selected users converge in ceil(2000/30) = 67 add calls.
func TestTwoThousandUsersIn67Calls(t *testing.T) {
	got := Compute(Input{Account: acct, Selected: readyAll(numbered("u", 2000))})
	if len(got.Add) != 67 {
		t.Errorf("add calls = %d, want 67", len(got.Add))
	}
	for i, b := range got.Add {
		if len(b) > zoom.MaxMembersPerCall {
			t.Errorf("call %d has %d members", i, len(b))
		}
	}
}

func TestProgress(t *testing.T) {
	tests := map[string]struct {
		before  []string
		added   []zoom.MemberRef
		removed []string
		want    []string
	}{
		"nothing ran":            {before: ids("b", "a"), want: ids("a", "b")},
		"first batch went in":    {before: ids("a"), added: refs("c", "b"), want: ids("a", "b", "c")},
		"a removal went through": {before: ids("a", "b"), removed: ids("a"), want: ids("b")},
		"both":                   {before: ids("a"), added: refs("b"), removed: ids("a"), want: ids("b")},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Progress(tc.before, tc.added, tc.removed), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Progress (-want +got):\n%s", diff)
			}
		})
	}
}
