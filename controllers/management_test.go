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
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// Every test here counts the write calls Zoom received: that count is what
// a management policy promises.

func policies(p ...zoomv1.ManagementPolicy) func(*zoomv1.ZoomUser) {
	return func(zu *zoomv1.ZoomUser) { zu.Spec.ManagementPolicies = p }
}

// existingUser is a Zoom user made by someone else a day ago.
func (tn *tenant) existingUser(email string, typ int) zoomfake.User {
	return tn.fake.AddUser(zoomfake.User{Email: email, FirstName: "Zoom's", LastName: "Own", Type: typ,
		CreatedAt: time.Now().Add(-24 * time.Hour)})
}

func (tn *tenant) wantWrites(want int, what string) {
	tn.t.Helper()
	if n := tn.fake.Writes(); n != want {
		var calls []string
		for _, r := range tn.changesSince(0) {
			calls = append(calls, r.Endpoint+" "+r.Email)
		}
		tn.t.Errorf("%s: %d write calls to Zoom, want %d: %v", what, n, want, calls)
	}
}

func TestObserveOnlyBindsAndReportsDriftWithoutAWrite(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, true)
	existing := tn.existingUser("obs@example.com", 1)
	tn.create(tn.user("obs", "obs@example.com", policies(zoomv1.ManagementObserve), func(zu *zoomv1.ZoomUser) {
		zu.Spec.Type, zu.Spec.State = zoomv1.UserTypeLicensed, zoomv1.UserStateInactive
	}))

	zu := tn.waitReason("obs", zoomv1.ReasonDrifted)
	if zu.Status.ID != existing.ID || !zu.Status.Adopted {
		t.Errorf("status = %+v, want bound to %s as adopted", zu.Status, existing.ID)
	}
	if ready := condition(zu, zoomv1.ConditionReady); ready.Status != metav1.ConditionTrue {
		t.Errorf("Ready = %+v, want True: the user is bound and reported, as the policies ask", ready)
	}
	synced := condition(zu, zoomv1.ConditionSynced)
	// Deactivation is the one change named: the type waits for an active user.
	for _, want := range []string{`state is "active" in Zoom, "inactive" in the spec`, `firstName is "Zoom's" in Zoom, "Ada" in the spec`, `lastName is "Own"`} {
		if synced == nil || synced.Status != metav1.ConditionFalse || synced.Reason != zoomv1.ReasonDrifted || !strings.Contains(synced.Message, want) {
			t.Errorf("Synced = %+v, want False, Drifted, naming %s", synced, want)
		}
	}
	want := zoomv1.ObservedUser{Type: "Basic", State: "active", FirstName: "Zoom's", LastName: "Own"}
	if zu.Status.Observed == nil || *zu.Status.Observed != want {
		t.Errorf("status.observed = %+v, want %+v", zu.Status.Observed, want)
	}
	if controllerutil.ContainsFinalizer(zu, zoomv1.Finalizer) {
		t.Error("an observe-only object got the finalizer: its deletion has nothing to do in Zoom")
	}
	tn.waitEvent("obs", corev1.EventTypeNormal, zoomv1.ReasonDrifted, "firstName")

	tn.delete("obs")
	tn.waitGone("obs")
	if _, ok := tn.fake.User("obs@example.com"); !ok {
		t.Error("deleting an observe-only object removed the Zoom user")
	}
	tn.wantWrites(0, "observe-only, through binding, drift and deletion")
}

// Observing is binding: a user the operator did not create is bound only
// where the account allows adoption.
func TestObserveOnlyStillNeedsAdoption(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.existingUser("foreign@example.com", 1)
	tn.create(tn.user("foreign", "foreign@example.com", policies(zoomv1.ManagementObserve)))

	zu := tn.waitReason("foreign", zoomv1.ReasonAlreadyExists)
	if zu.Status.ID != "" || zu.Status.Observed != nil {
		t.Errorf("status = %+v, want nothing bound or observed", zu.Status)
	}
	tn.wantWrites(0, "observe-only without adoption")
}

func TestWithoutCreateAMissingUserIsReported(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, true)
	tn.create(tn.user("absent", "absent@example.com",
		policies(zoomv1.ManagementObserve, zoomv1.ManagementUpdate, zoomv1.ManagementDelete)))

	zu := tn.waitReason("absent", zoomv1.ReasonNotInZoom)
	if c := condition(zu, zoomv1.ConditionStalled); c == nil || !strings.Contains(c.Message, "managementPolicies exclude Create") {
		t.Errorf("Stalled = %+v, want it to say Create is excluded", c)
	}
	if c := condition(zu, zoomv1.ConditionSynced); c == nil || c.Status != metav1.ConditionFalse || c.Reason != zoomv1.ReasonNotInZoom {
		t.Errorf("Synced = %+v, want False, NotInZoom", c)
	}
	tn.wantWrites(0, "a missing user without the Create policy")
}

// Without Update the drift stays; granting Update corrects it with one PATCH.
func TestWithoutUpdateDriftStaysUntilUpdateIsAllowed(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("noupd", "noupd@example.com",
		policies(zoomv1.ManagementObserve, zoomv1.ManagementCreate, zoomv1.ManagementDelete)))
	tn.waitReason("noupd", zoomv1.ReasonSynced)
	tn.wantWrites(1, "the create")

	tn.edit("noupd", func(zu *zoomv1.ZoomUser) { zu.Spec.Type, zu.Spec.DisplayName = zoomv1.UserTypeLicensed, "Countess" })
	zu := tn.waitReason("noupd", zoomv1.ReasonDrifted)
	if c := condition(zu, zoomv1.ConditionSynced); c == nil || !strings.Contains(c.Message, `type is "Basic" in Zoom, "Licensed" in the spec`) {
		t.Errorf("Synced = %+v, want it to name the type drift", c)
	}
	tn.wantWrites(1, "drift without the Update policy")

	tn.edit("noupd", func(zu *zoomv1.ZoomUser) {
		zu.Spec.ManagementPolicies = zoomv1.ManagementPolicies{zoomv1.ManagementAll}
	})
	zu = tn.waitReason("noupd", zoomv1.ReasonSynced)
	if c := condition(zu, zoomv1.ConditionSynced); c == nil || c.Status != metav1.ConditionTrue {
		t.Errorf("Synced = %+v, want True once Update is allowed", c)
	}
	if zu.Status.Observed == nil || zu.Status.Observed.Type != "Licensed" || zu.Status.Observed.DisplayName != "Countess" {
		t.Errorf("status.observed = %+v, want the corrected Licensed Countess", zu.Status.Observed)
	}
	tn.wantWrites(2, "the create and one PATCH")
}

// Without Delete, deleting the object leaves Zoom alone whatever
// deletionPolicy says.
func TestWithoutDeleteRemovingTheObjectNeverTouchesZoom(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("nodel", "nodel@example.com",
		policies(zoomv1.ManagementObserve, zoomv1.ManagementCreate, zoomv1.ManagementUpdate),
		func(zu *zoomv1.ZoomUser) { zu.Spec.DeletionPolicy = zoomv1.DeletionPolicyDelete }))
	tn.waitReason("nodel", zoomv1.ReasonSynced)

	tn.delete("nodel")
	tn.waitGone("nodel")
	if _, ok := tn.fake.User("nodel@example.com"); !ok {
		t.Error("the Zoom user was removed although managementPolicies exclude Delete")
	}
	tn.wantWrites(1, "the create alone")
}

// An object that already holds the finalizer (it was fully managed) and
// loses Delete is released without a call.
func TestDeleteWithdrawnFromAManagedUserReleasesIt(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("was", "was@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.DeletionPolicy = zoomv1.DeletionPolicyDelete }))
	zu := tn.waitReason("was", zoomv1.ReasonSynced)
	if !controllerutil.ContainsFinalizer(zu, zoomv1.Finalizer) {
		t.Fatal("a fully managed user has no finalizer")
	}
	tn.edit("was", func(zu *zoomv1.ZoomUser) {
		zu.Spec.ManagementPolicies = zoomv1.ManagementPolicies{zoomv1.ManagementObserve, zoomv1.ManagementUpdate}
	})
	tn.delete("was")
	tn.waitGone("was")
	if _, ok := tn.fake.User("was@example.com"); !ok {
		t.Error("the Zoom user was removed although managementPolicies exclude Delete")
	}
	tn.wantWrites(1, "the create alone")
	tn.waitEvent("was", corev1.EventTypeNormal, zoomv1.ReasonOrphaned, "managementPolicies exclude Delete")
}

// A role is drift like any other field: without Update it is reported, and
// Synced is not True while the user lacks it.
func TestObserveOnlyReportsARoleTheUserLacks(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, true)
	tn.editAccount(func(s *zoomv1.AccountSettings) { s.AllowedRoles = []string{"Member", "Admin"} })
	tn.existingUser("role@example.com", 1)
	tn.create(tn.user("role", "role@example.com", policies(zoomv1.ManagementObserve), func(zu *zoomv1.ZoomUser) {
		zu.Spec.FirstName, zu.Spec.LastName, zu.Spec.Role = "Zoom's", "Own", "Admin"
	}))

	zu := tn.waitReason("role", zoomv1.ReasonDrifted)
	if c := condition(zu, zoomv1.ConditionSynced); c == nil || c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, `role is "Member" in Zoom, "Admin" in the spec`) {
		t.Errorf("Synced = %+v, want False naming the role", c)
	}
	if got, _ := tn.fake.UserRole("role@example.com"); got != "Member" {
		t.Errorf("Zoom role = %q, want Member left as it was", got)
	}
	tn.wantWrites(0, "an observe-only user whose role differs")
}

// A ZoomGroup that selects an observe-only user does not add it: its Zoom
// user is not the operator's to change, memberships included.
func TestGroupLeavesAnObserveOnlyUserAlone(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, true)
	tn.existingUser("obs@example.com", 1)
	tn.create(tn.teamUser("ada", "platform"))
	obs := tn.teamUser("obs", "platform")
	obs.Spec.ManagementPolicies = zoomv1.ManagementPolicies{zoomv1.ManagementObserve}
	obs.Spec.FirstName, obs.Spec.LastName = "Zoom's", "Own"
	tn.create(obs)
	tn.waitReason("obs", zoomv1.ReasonSynced)
	tn.create(tn.liveGroup("platform", "platform"))

	tn.waitMembers("Team platform", "ada@example.com")
	zg := tn.waitGroup("platform", "Ready with obs pending", func(zg *zoomv1.ZoomGroup) bool {
		return groupReason(zg) == "True/"+zoomv1.ReasonSynced && zg.Status.PendingCount == 1
	})
	want := []zoomv1.PendingMember{{Name: "obs", Reason: zoomv1.PendingObserveOnly}}
	if diff := cmp.Diff(want, zg.Status.PendingMembers); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
	if got := tn.memberEmails("Team platform"); !cmp.Equal(got, []string{"ada@example.com"}) {
		t.Errorf("Zoom group members %v, want ada alone", got)
	}
}
