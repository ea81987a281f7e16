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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// recordCreateRequest writes status.createRequestedAt as the manager does
// before a POST, standing for a create whose answer was lost.
func (tn *tenant) recordCreateRequest(name string, at time.Time) {
	tn.t.Helper()
	var zu zoomv1.ZoomUser
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: name}, &zu); err != nil {
		tn.t.Fatal(err)
	}
	base := zu.DeepCopy()
	zu.Status.CreateRequestedAt = &metav1.Time{Time: at}
	if err := k8s.Status().Patch(context.Background(), &zu, client.MergeFrom(base)); err != nil {
		tn.t.Fatal(err)
	}
}

// A tenant forges what once proved ownership: a back-dated create-request
// annotation, the finalizer and deletionPolicy: Delete, on a ZoomUser for
// someone else's existing Zoom user. Nothing in metadata or spec proves
// ownership, so the operator binds, changes and deletes nothing.
func TestForgedOwnershipBindsChangesAndDeletesNothing(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	ceo := tn.fake.AddUser(zoomfake.User{Email: "ceo@example.com", FirstName: "Grace", LastName: "Hopper", Type: 2, Action: "ssoCreate"})
	tn.create(tn.user("ceo", "ceo@example.com", func(zu *zoomv1.ZoomUser) {
		zu.Annotations = map[string]string{"zoom.zoomoperator.dev/create-requested-at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}
		zu.Finalizers = []string{zoomv1.Finalizer}
		zu.Spec.DeletionPolicy = zoomv1.DeletionPolicyDelete
		zu.Spec.FirstName, zu.Spec.Type = "Mallory", zoomv1.UserTypeBasic
	}))
	zu := tn.waitReason("ceo", zoomv1.ReasonAlreadyExists)
	if zu.Status.ID != "" || zu.Status.CreateRequestedAt != nil {
		t.Errorf("status = %+v, want no id and no recorded request", zu.Status)
	}
	tn.delete("ceo")
	tn.waitGone("ceo")
	got, found := tn.fake.User("ceo@example.com")
	if !found || got.ID != ceo.ID || got.FirstName != "Grace" || got.Type != 2 {
		t.Errorf("the CEO's Zoom user = %+v (found %v), want it untouched", got, found)
	}
	for _, endpoint := range []string{"PATCH /users/{userId}", "DELETE /users/{userId}", "PUT /users/{userId}/status"} {
		if n := tn.fake.Count(endpoint); n != 0 {
			t.Errorf("%s called %d times", endpoint, n)
		}
	}
}

// A create refused for sure (here the daily invite cap) clears the recorded
// request: an invitation someone sends by hand afterwards is not the
// object's own, so deleting the object leaves it alone.
func TestRefusedCreateDoesNotClaimALaterHandMadeInvitation(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{CreateDailyLimit: 1}, false)
	invite := func(zu *zoomv1.ZoomUser) {
		zu.Spec.Action = zoomv1.ActionCreate
		zu.Spec.DeletionPolicy = zoomv1.DeletionPolicyDelete
	}
	tn.create(tn.user("first", "first@example.com", invite))
	tn.waitReason("first", zoomv1.ReasonInvitePending)
	tn.create(tn.user("late", "late@example.com", invite))
	zu := tn.waitReason("late", zoomv1.ReasonRateLimited)
	if zu.Status.CreateRequestedAt != nil {
		t.Errorf("createRequestedAt = %v after a daily-cap refusal, want cleared", zu.Status.CreateRequestedAt)
	}
	byHand := tn.fake.AddUser(zoomfake.User{Email: "late@example.com", Status: "pending", Action: "create", Type: 1})
	tn.delete("late")
	tn.waitGone("late")
	if got, found := tn.fake.User("late@example.com"); !found || got.ID != byHand.ID {
		t.Errorf("the hand-made invitation = %+v (found %v), want it left alone", got, found)
	}
	if n := tn.fake.CountForEmail("DELETE /users/{userId}", "late@example.com"); n != 0 {
		t.Errorf("DELETE calls for late@example.com = %d, want 0", n)
	}
}
