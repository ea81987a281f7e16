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
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// changesSince returns the requests after the first n that change Zoom:
// reads and token fetches (a resync may fall in between) do not count.
func (tn *tenant) changesSince(n int) []zoomfake.Request {
	var out []zoomfake.Request
	for _, r := range tn.fake.Requests()[n:] {
		if zoomfake.IsWrite(r.Endpoint) {
			out = append(out, r)
		}
	}
	return out
}

// waitResyncs waits until the operator has read Zoom n more times, which
// only a reconcile does: a resync has looked at the user.
func (tn *tenant) waitResyncs(n int) {
	tn.t.Helper()
	reads := func() int {
		count := 0
		for _, r := range tn.fake.Requests() {
			if strings.HasPrefix(r.Endpoint, "GET ") {
				count++
			}
		}
		return count
	}
	want := reads() + n
	deadline := time.Now().Add(waitTimeout)
	for reads() < want {
		if time.Now().After(deadline) {
			tn.t.Fatalf("Zoom was read %d times, want %d: no resync came", reads(), want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Zoom removes the licence of a user it deactivates and keeps no type change
// made meanwhile: an inactive Licensed user is settled as it is (no PATCH
// at each resync), and a reactivation activates first, then restores the type.
func TestInactiveUserTypeWaitsForActivation(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("idle", "idle@example.com", func(zu *zoomv1.ZoomUser) {
		zu.Spec.Type, zu.Spec.State = zoomv1.UserTypeLicensed, zoomv1.UserStateInactive
	}))
	zu := tn.waitUser("idle", "settled inactive", func(zu *zoomv1.ZoomUser) bool {
		return readyAtGeneration(zu) && zu.Status.State == "inactive"
	})
	if msg := condition(zu, zoomv1.ConditionReady).Message; !strings.Contains(msg, "type Licensed applies when the user is active") {
		t.Errorf("Ready message = %q, want it to say the type waits for activation", msg)
	}
	if u, _ := tn.fake.User("idle@example.com"); u.Type != 1 || u.Status != "inactive" {
		t.Fatalf("Zoom user = %+v, want Basic and inactive", u)
	}
	tn.waitResyncs(2)
	if n := tn.fake.Count(zoomfake.EndpointUpdateUser); n != 0 {
		t.Fatalf("%d PATCHes of an inactive user whose names match, want none", n)
	}

	before := len(tn.fake.Requests())
	tn.edit("idle", func(zu *zoomv1.ZoomUser) { zu.Spec.State = zoomv1.UserStateActive })
	zu = tn.waitUser("idle", "Ready after the reactivation", func(now *zoomv1.ZoomUser) bool {
		return now.Generation > zu.Generation && readyAtGeneration(now)
	})
	// The licence is back by the time the object says Ready: in the same
	// pass as the activation, not at a later resync.
	if u, _ := tn.fake.User("idle@example.com"); u.Status != "active" || u.Type != 2 {
		t.Fatalf("Zoom user = %+v when the object turned Ready, want active and Licensed", u)
	}
	var calls []string
	for _, r := range tn.changesSince(before) {
		calls = append(calls, r.Endpoint+" "+string(r.Body))
	}
	want := []string{zoomfake.EndpointUpdateStatus + ` {"action":"activate"}`, zoomfake.EndpointUpdateUser + ` {"type":2}`}
	if !slices.Equal(calls, want) {
		t.Errorf("calls = %q, want activation first, then the type: %q", calls, want)
	}
	if msg := condition(zu, zoomv1.ConditionReady).Message; msg != "Zoom user matches the spec" {
		t.Errorf("Ready message = %q after reactivation", msg)
	}
}

// Zoom refuses to disassociate a user of a managed domain (1107) or an
// admin (1117). The deletion waits, Stalled with DeletionRefused, without
// retrying in a loop or making another call on its own, until a person
// changes spec.deletionPolicy on the object being deleted.
func TestRefusedDisassociationWaitsForAnotherPolicy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, email string
		admin       bool
		code        string
		works       string
		then        zoomv1.DeletionPolicy
		remaining   bool // the Zoom user stays (Orphan)
		finalCall   string
	}{
		{"managed domain", "leaver@corp.example.com", false, "code 1107: You can not disassociate a user with managed domain.",
			"Delete, Deactivate or Orphan", zoomv1.DeletionPolicyDelete, false, "action=delete"},
		{"admin", "boss@example.com", true, "code 1117: You can not disassociate an Admin user.",
			"Delete or Orphan", zoomv1.DeletionPolicyOrphan, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tn := newTenant(t, zoomfake.Options{ManagedDomains: []string{"corp.example.com"}}, false)
			tn.create(tn.user("leaver", tc.email)) // deletionPolicy defaults to Disassociate
			tn.waitReady("leaver")
			if tc.admin {
				u, _ := tn.fake.User(tc.email)
				u.RoleID = zoomfake.RoleAdmin
				tn.fake.SetUser(u)
			}
			before := len(tn.fake.Requests())
			tn.delete("leaver")

			zu := tn.waitReason("leaver", zoomv1.ReasonDeletionRefused)
			stalledCond := condition(zu, zoomv1.ConditionStalled)
			if stalledCond == nil || stalledCond.Status != metav1.ConditionTrue {
				t.Fatalf("Stalled = %+v, want True", stalledCond)
			}
			for _, part := range []string{tc.code, tc.works, "spec.deletionPolicy"} {
				if !strings.Contains(stalledCond.Message, part) {
					t.Errorf("message %q lacks %q", stalledCond.Message, part)
				}
			}
			tn.waitEvent("leaver", corev1.EventTypeWarning, zoomv1.ReasonDeletionRefused, tc.code)
			// Neither a retry loop nor another call: one disassociation.
			consistently(t, 2*time.Second, "one refused disassociation and nothing else", func() bool {
				calls := tn.changesSince(before)
				return len(calls) == 1 && calls[0].Endpoint == zoomfake.EndpointDeleteUser && calls[0].Query == "action=disassociate"
			})

			tn.edit("leaver", func(zu *zoomv1.ZoomUser) { zu.Spec.DeletionPolicy = tc.then })
			tn.waitGone("leaver")
			calls := tn.changesSince(before)
			last := calls[len(calls)-1]
			if tc.finalCall != "" && (last.Endpoint != zoomfake.EndpointDeleteUser || last.Query != tc.finalCall) {
				t.Errorf("last call = %+v, want DELETE %s", last, tc.finalCall)
			}
			if tc.finalCall == "" && len(calls) != 1 {
				t.Errorf("calls = %+v, want only the refused disassociation", calls)
			}
			if _, found := tn.fake.User(tc.email); found != tc.remaining {
				t.Errorf("Zoom user found = %v, want %v", found, tc.remaining)
			}
		})
	}
}

// Zoom removes a user who hosts Zoom Events only with a transfer target.
// Without one the deletion waits with TransferRequired; a target Zoom will
// not accept is InvalidSpec; spec.transferTo set on the object being
// deleted finishes it, moving every kind of data.
func TestTransferToFinishesARemoval(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.fake.AddUser(zoomfake.User{Email: "heir@example.com", FirstName: "Heir", Type: 2, ZoomEvents: true})
	tn.create(tn.user("host", "host@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.DeletionPolicy = zoomv1.DeletionPolicyDelete }))
	tn.waitReady("host")
	u, _ := tn.fake.User("host@example.com")
	u.ZoomEvents = true
	tn.fake.SetUser(u)
	before := len(tn.fake.Requests())
	tn.delete("host")

	zu := tn.waitReason("host", zoomv1.ReasonTransferRequired)
	if msg := condition(zu, zoomv1.ConditionStalled).Message; !strings.Contains(msg, "set spec.transferTo") || !strings.Contains(msg, "code 300") {
		t.Errorf("message %q should ask for spec.transferTo and carry Zoom's code", msg)
	}
	// A target without Zoom Events: Zoom's other code-300 answer.
	tn.edit("host", func(zu *zoomv1.ZoomUser) { zu.Spec.TransferTo = "nobody@example.com" })
	zu = tn.waitReason("host", zoomv1.ReasonInvalidSpec)
	if msg := condition(zu, zoomv1.ConditionReady).Message; !strings.Contains(msg, "does not have a Zoom Events license") {
		t.Errorf("message %q should carry Zoom's refusal", msg)
	}

	tn.edit("host", func(zu *zoomv1.ZoomUser) { zu.Spec.TransferTo = "heir@example.com" })
	tn.waitGone("host")
	calls := tn.changesSince(before)
	const want = "action=delete&transfer_email=heir%40example.com&transfer_meeting=true&transfer_recording=true&transfer_webinar=true&transfer_whiteboard=true"
	if last := calls[len(calls)-1]; last.Endpoint != zoomfake.EndpointDeleteUser || last.Query != want || last.Status != 204 {
		t.Errorf("last call = %+v, want DELETE %s answered 204", last, want)
	}
	if _, found := tn.fake.User("host@example.com"); found {
		t.Error("the Zoom user is still there")
	}
}

// A scope the account's app lacks (Zoom's code 4711) shows on the object
// with Zoom's message and the scope to add, and the object recovers once
// the scope is granted.
func TestMissingScopeNamesTheScopeToAdd(t *testing.T) {
	t.Parallel()
	const withheld = "user:write:user:admin"
	granted := slices.DeleteFunc(zoomfake.GranularScopes(), func(s string) bool { return s == withheld })
	tn := newTenant(t, zoomfake.Options{Scopes: granted}, false)
	tn.create(tn.user("scoped", "scoped@example.com"))

	zu := tn.waitReason("scoped", zoomv1.ReasonMissingScope)
	msg := condition(zu, zoomv1.ConditionStalled).Message
	for _, part := range []string{"lacks the scope " + withheld, "code 4711", "does not contain scopes:[" + withheld} {
		if !strings.Contains(msg, part) {
			t.Errorf("message %q lacks %q", msg, part)
		}
	}
	tn.fake.SetScopes(zoomfake.GranularScopes())
	tn.waitReady("scoped")
}
