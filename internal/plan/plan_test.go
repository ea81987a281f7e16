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

package plan

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/desired"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

var (
	objectMade = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	requested  = objectMade.Add(time.Minute)
)

func zu(mutate ...func(*zoomv1.ZoomUser)) *zoomv1.ZoomUser {
	u := &zoomv1.ZoomUser{
		ObjectMeta: metav1.ObjectMeta{Name: "ada", Namespace: "team-a", CreationTimestamp: metav1.NewTime(objectMade)},
		Spec:       zoomv1.ZoomUserSpec{Email: "ada@example.com", FirstName: "Ada", Type: zoomv1.UserTypeLicensed},
	}
	for _, m := range mutate {
		m(u)
	}
	return u
}

func policies(p ...zoomv1.ManagementPolicy) func(*zoomv1.ZoomUser) {
	return func(u *zoomv1.ZoomUser) { u.Spec.ManagementPolicies = p }
}

func boundTo(id string) func(*zoomv1.ZoomUser) {
	return func(u *zoomv1.ZoomUser) { u.Status.ID = id }
}

func createRequested(u *zoomv1.ZoomUser) { u.Status.CreateRequestedAt = &metav1.Time{Time: requested} }

// remote is a Zoom user that matches zu() as it is.
func remote(mutate ...func(*zoom.User)) *zoom.User {
	r := &zoom.User{ID: "z1", Email: "ada@example.com", FirstName: "Ada", Type: zoom.TypeLicensed, Status: zoom.StatusActive,
		UserCreatedAt: objectMade.Add(-24 * time.Hour).Format(time.RFC3339)}
	for _, m := range mutate {
		m(r)
	}
	return r
}

func named(first string) func(*zoom.User) { return func(r *zoom.User) { r.FirstName = first } }
func status(s string) func(*zoom.User)    { return func(r *zoom.User) { r.Status = s } }
func madeAt(t time.Time) func(*zoom.User) {
	return func(r *zoom.User) { r.UserCreatedAt = t.Format(time.RFC3339) }
}

func TestDecide(t *testing.T) {
	firstName := desired.Change{Field: "firstName", From: "Augusta", To: "Ada"}
	for name, tc := range map[string]struct {
		in   Input
		want Step
	}{
		"absent: create": {
			in:   Input{User: zu()},
			want: Step{Verdict: Create, Detail: "action create, type Licensed; Zoom emails an invitation, the user is pending until accepted"},
		},
		"absent, sso: create without invitation": {
			in:   Input{User: zu(func(u *zoomv1.ZoomUser) { u.Spec.Action = zoomv1.ActionSSOCreate })},
			want: Step{Verdict: Create, Detail: "action ssoCreate, type Licensed"},
		},
		"absent without Create: not created": {
			in:   Input{User: zu(policies(zoomv1.ManagementObserve, zoomv1.ManagementUpdate))},
			want: Step{Verdict: NotCorrected, Detail: MsgNotCreated},
		},
		"bound user gone: create again": {
			in:   Input{User: zu(boundTo("z0"))},
			want: Step{Verdict: Create, Detail: "action create, type Licensed; Zoom emails an invitation, the user is pending until accepted", Notes: []string{MsgGoneByID}},
		},
		"exists, adoption allowed: adopt": {
			in:   Input{User: zu(), Remote: remote(), AdoptExistingUsers: true},
			want: Step{Verdict: Adopt, Detail: "existing Zoom user z1"},
		},
		"exists, adoption allowed, drift: adopt and update": {
			in:   Input{User: zu(), Remote: remote(named("Augusta")), AdoptExistingUsers: true},
			want: Step{Verdict: Adopt, Detail: "existing Zoom user z1", Changes: []desired.Change{firstName}},
		},
		"exists, adoption allowed, drift without Update: adopt, drift left": {
			in:   Input{User: zu(policies(zoomv1.ManagementObserve)), Remote: remote(named("Augusta")), AdoptExistingUsers: true},
			want: Step{Verdict: Adopt, Detail: "existing Zoom user z1", Changes: []desired.Change{firstName}, Notes: []string{MsgNotUpdated}},
		},
		"exists, adoption allowed, pending: adopt, left alone": {
			in:   Input{User: zu(), Remote: remote(status(zoom.StatusPending)), AdoptExistingUsers: true},
			want: Step{Verdict: Adopt, Detail: "existing Zoom user z1", Pending: true, Notes: []string{MsgPending}},
		},
		// Roles need the account's role list: named, never hidden.
		"a role is noted, not planned": {
			in:   Input{User: zu(func(u *zoomv1.ZoomUser) { u.Spec.Role = "Admin" }), Remote: remote(), AdoptExistingUsers: true},
			want: Step{Verdict: Adopt, Detail: "existing Zoom user z1", Notes: []string{MsgRole}},
		},
		// Zoom lists some pending users without an id.
		"exists as a listed invitation without an id: adopt, no empty id": {
			in:   Input{User: zu(), Remote: remote(status(zoom.StatusPending), func(u *zoom.User) { u.ID = "" }), AdoptExistingUsers: true},
			want: Step{Verdict: Adopt, Detail: "existing Zoom user (a pending invitation, listed without an id)", Pending: true, Notes: []string{MsgPending}},
		},
		"exists, no adoption: refused": {
			in:   Input{User: zu(), Remote: remote()},
			want: Step{Verdict: Refused, Detail: MsgNoAdoption},
		},
		"exists, no adoption, create requested long after Zoom made it: refused": {
			in:   Input{User: zu(createRequested), Remote: remote()},
			want: Step{Verdict: Refused, Detail: MsgNoAdoption},
		},
		"exists, made after the operator's create request: its own": {
			in:   Input{User: zu(createRequested), Remote: remote(madeAt(requested.Add(time.Second)))},
			want: Step{Verdict: Unchanged, Notes: []string{MsgOwn}},
		},
		"bound id gone, another user has the email, no adoption: refused": {
			in:   Input{User: zu(boundTo("z0")), Remote: remote()},
			want: Step{Verdict: Refused, Detail: MsgNoAdoption, Notes: []string{MsgOtherByEmail}},
		},
		"bound, matches: unchanged": {
			in:   Input{User: zu(boundTo("z1")), Remote: remote()},
			want: Step{Verdict: Unchanged},
		},
		"bound, drift: update": {
			in:   Input{User: zu(boundTo("z1")), Remote: remote(named("Augusta"))},
			want: Step{Verdict: Update, Changes: []desired.Change{firstName}},
		},
		"bound, drift, adoption refused elsewhere does not matter": {
			in:   Input{User: zu(boundTo("z1")), Remote: remote(named("Augusta")), AdoptExistingUsers: false},
			want: Step{Verdict: Update, Changes: []desired.Change{firstName}},
		},
		"bound, inactive: activate, then the licence": {
			in: Input{User: zu(boundTo("z1")), Remote: remote(status(zoom.StatusInactive), func(r *zoom.User) { r.Type = zoom.TypeBasic })},
			want: Step{Verdict: Update, Changes: []desired.Change{
				{Field: "state", From: "inactive", To: "active"}, {Field: "type", From: "Basic", To: "Licensed"}}},
		},
		"bound, to deactivate: type waits": {
			in: Input{User: zu(boundTo("z1"), func(u *zoomv1.ZoomUser) { u.Spec.State = zoomv1.UserStateInactive }), Remote: remote()},
			want: Step{Verdict: Update, Changes: []desired.Change{{Field: "state", From: "active", To: "inactive"}},
				Notes: []string{"type Licensed applies once the user is active (Zoom removes the licence of an inactive user)"}},
		},
		"bound, drift without Update: not corrected": {
			in:   Input{User: zu(boundTo("z1"), policies(zoomv1.ManagementObserve, zoomv1.ManagementCreate)), Remote: remote(named("Augusta"))},
			want: Step{Verdict: NotCorrected, Detail: MsgNotUpdated, Changes: []desired.Change{firstName}},
		},
		"bound, drift, all policies: update": {
			in:   Input{User: zu(boundTo("z1"), policies(zoomv1.ManagementAll)), Remote: remote(named("Augusta"))},
			want: Step{Verdict: Update, Changes: []desired.Change{firstName}},
		},
		"bound, pending: left alone": {
			in:   Input{User: zu(boundTo("z1")), Remote: remote(status(zoom.StatusPending), named("Augusta"))},
			want: Step{Verdict: Unchanged, Detail: MsgPending, Pending: true},
		},
		"refused before Zoom: refused": {
			in:   Input{User: zu(boundTo("z1")), Remote: remote(named("Augusta")), Refusal: "namespace team-a may not use ClusterZoomAccount default"},
			want: Step{Verdict: Refused, Detail: "namespace team-a may not use ClusterZoomAccount default"},
		},
		"suspended and refused: nothing": {
			in:   Input{User: zu(func(u *zoomv1.ZoomUser) { u.Spec.Suspend = true }), Refusal: "x"},
			want: Step{Verdict: Unchanged, Detail: MsgSuspended},
		},
		"suspended: nothing": {
			in:   Input{User: zu(func(u *zoomv1.ZoomUser) { u.Spec.Suspend = true })},
			want: Step{Verdict: Unchanged, Detail: MsgSuspended},
		},
	} {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Decide(tc.in)); diff != "" {
				t.Errorf("Decide (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	entries := []Entry{
		{Name: "team-a/ada", Email: "ada@example.com", Step: Step{Verdict: Create, Detail: "action ssoCreate, type Basic"}},
		{Name: "team-a/bob", Email: "bob@example.com", Step: Step{Verdict: Update, Changes: []desired.Change{{Field: "firstName", From: "Rob", To: "Bob"}}}},
		{Name: "team-a/cy", Email: "cy@example.com", Step: Step{Verdict: Unchanged}},
		{Name: "team-a/cz", Email: "cz@example.com", Step: Step{Verdict: Unchanged, Notes: []string{"type Licensed applies once the user is active"}}},
		{Name: "team-a/di", Email: "di@example.com", Step: Step{Verdict: Unchanged, Detail: MsgPending, Pending: true}},
		{Name: "team-a/ed", Email: "ed@example.com", Step: Step{Verdict: Refused, Detail: MsgNoAdoption}},
		{Name: "team-b/fay", Email: "fay@example.com", Err: errors.New("reading ZoomAccount team-b/zoom: forbidden")},
		{Name: "team-a/gus", Email: "gus@example.com", Step: Step{Verdict: Adopt, Detail: "existing Zoom user z9", Notes: []string{MsgNotUpdated}}},
	}
	var b strings.Builder
	if err := Write(&b, entries, false); err != nil {
		t.Fatal(err)
	}
	want := `team-a/ada (ada@example.com): create: action ssoCreate, type Basic
team-a/bob (bob@example.com): update
    firstName "Rob" -> "Bob"
team-a/cz (cz@example.com): unchanged
    note: type Licensed applies once the user is active
team-a/di (di@example.com): unchanged: pending invitation; left alone until the person accepts it
team-a/ed (ed@example.com): refused: exists; account does not allow adoption (adoptExistingUsers: false)
team-b/fay (fay@example.com): error: reading ZoomAccount team-b/zoom: forbidden
team-a/gus (gus@example.com): adopt: existing Zoom user z9
    note: drift left uncorrected (managementPolicies exclude Update)

Plan: 1 to create, 1 to adopt, 1 to update, 1 refused, 0 not corrected, 3 unchanged; 1 pending invitation; 1 error.
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("Write (-want +got):\n%s", diff)
	}
}

func TestSummaryActionable(t *testing.T) {
	for name, tc := range map[string]struct {
		verdicts []Verdict
		want     bool
	}{
		"nothing":          {nil, false},
		"all unchanged":    {[]Verdict{Unchanged, Unchanged}, false},
		"a create":         {[]Verdict{Unchanged, Create}, true},
		"an adoption":      {[]Verdict{Adopt}, true},
		"an update":        {[]Verdict{Update}, true},
		"a refusal":        {[]Verdict{Refused}, true},
		"drift left as is": {[]Verdict{NotCorrected}, true},
	} {
		var entries []Entry
		for _, v := range tc.verdicts {
			entries = append(entries, Entry{Step: Step{Verdict: v}})
		}
		if got := Summarize(entries).Actionable(); got != tc.want {
			t.Errorf("%s: Actionable = %v, want %v", name, got, tc.want)
		}
	}
}

func TestConflicts(t *testing.T) {
	older := metav1.NewTime(objectMade.Add(-time.Hour))
	user := func(ns, name, email string, mutate ...func(*zoomv1.ZoomUser)) *zoomv1.ZoomUser {
		u := &zoomv1.ZoomUser{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: metav1.NewTime(objectMade)},
			Spec: zoomv1.ZoomUserSpec{Email: email}}
		for _, m := range mutate {
			m(u)
		}
		return u
	}
	holder := user("team-b", "zz", "ada@example.com", boundTo("z1"))
	oldest := user("team-b", "old", "ADA@example.com", func(u *zoomv1.ZoomUser) { u.CreationTimestamp = older })
	first := user("team-a", "a", "ada@example.com")
	second := user("team-a", "b", "ada@example.com")
	alone := user("team-a", "grace", "grace@example.com")
	for name, tc := range map[string]struct {
		claimants []*zoomv1.ZoomUser
		want      map[string]string // loser -> winner
	}{
		"no one shares an email":        {[]*zoomv1.ZoomUser{first, alone}, map[string]string{}},
		"same age: the first name":      {[]*zoomv1.ZoomUser{second, first, alone}, map[string]string{"team-a/b": "team-a/a"}},
		"the oldest, whatever the case": {[]*zoomv1.ZoomUser{first, oldest}, map[string]string{"team-a/a": "team-b/old"}},
		"the one holding the user": {[]*zoomv1.ZoomUser{oldest, first, holder},
			map[string]string{"team-a/a": "team-b/zz", "team-b/old": "team-b/zz"}},
	} {
		t.Run(name, func(t *testing.T) {
			got := map[string]string{}
			for loser, msg := range Conflicts(tc.claimants) {
				_, winner, _ := strings.Cut(msg, "already managed by ZoomUser ")
				got[qualified(loser)] = winner
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("losers (-want +got):\n%s", diff)
			}
		})
	}
}
