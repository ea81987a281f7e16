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

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/userapi"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// deleteInZoom carries out spec.deletionPolicy and returns released=true
// once nothing more is owed to Zoom; while it cannot, the outcome says why
// instead of hanging silently.
func (r *ZoomUserReconciler) deleteInZoom(ctx context.Context, zu *zoomv1.ZoomUser) (outcome, bool) {
	if !controllerutil.ContainsFinalizer(zu, zoomv1.Finalizer) {
		return outcome{}, true
	}
	if !zu.Spec.ManagementPolicies.Allow(zoomv1.ManagementDelete) {
		r.eventf(zu, corev1.EventTypeNormal, zoomv1.ReasonOrphaned, "managementPolicies exclude Delete: released without a call to Zoom")
		return outcome{}, true
	}
	policy := zu.Spec.DeletionPolicy
	if policy == zoomv1.DeletionPolicyOrphan || (zu.Status.ID == "" && zu.Status.CreateRequestedAt == nil) {
		// The owner asked to leave the user in Zoom, or this object never
		// created one (never got that far, was refused, or lost a conflict).
		r.eventf(zu, corev1.EventTypeNormal, zoomv1.ReasonOrphaned, "released without a call to Zoom")
		return outcome{}, true
	}
	if zu.Spec.Suspend {
		return waiting(zoomv1.ReasonSuspended, fmt.Sprintf(
			"deletion with policy %s waits while spec.suspend is true; unsuspend, or set deletionPolicy: Orphan", policy), 0), false
	}
	acct, err := r.accounts.resolveForDeletion(ctx, zu.Namespace, zu.Spec.AccountRef)
	if err != nil {
		return r.accountWaitOnDelete(err), false
	}
	if out, lost := r.checkConflict(ctx, zu, acct.Identity); lost {
		if out.err != nil {
			return out, false // the claimants could not be listed: try again
		}
		// Another object holds this email: whatever this one may have
		// created or recorded is the winner's now.
		r.eventf(zu, corev1.EventTypeNormal, zoomv1.ReasonOrphaned, "released: the email is managed by another ZoomUser")
		return outcome{}, true
	}
	return r.removeFromZoom(ctx, acct, zu)
}

// removeFromZoom makes the policy's call for the user this object holds,
// or for the one a lost create made.
func (r *ZoomUserReconciler) removeFromZoom(ctx context.Context, acct *accountpool.Account, zu *zoomv1.ZoomUser) (outcome, bool) {
	if zu.Status.ID == "" {
		// A create was sent but its answer never recorded (a crash): find
		// the user it made, so that it does not outlive this object.
		if out, found := r.findLostCreate(ctx, acct, zu); !found {
			return out, out.reason == ""
		}
	}
	policy := zu.Spec.DeletionPolicy
	if zu.Status.Adopted && !acct.Settings.AdoptExistingUsers && policy != zoomv1.DeletionPolicyDeactivate {
		// Only an account that allows adoption may remove what it adopted.
		r.eventf(zu, corev1.EventTypeNormal, zoomv1.ReasonOrphaned,
			"Zoom user %s was adopted and the account no longer allows adoption: left in Zoom", zu.Status.ID)
		return outcome{}, true
	}
	reason, err := applyDeletionPolicy(ctx, acct.Users, zu)
	if err != nil && zoom.Classify(err) != zoom.KindNotFound {
		return zoomOutcome(err, r.now()), false
	}
	r.eventf(zu, corev1.EventTypeNormal, reason, "Zoom user %s: %s per deletionPolicy %s", zu.Status.ID, reason, policy)
	return outcome{}, true
}

// findLostCreate looks the user up by email and records it when this object
// created it. found=false with an empty outcome means there is nothing of
// this object's in Zoom; with a non-empty one, that Zoom could not be asked.
func (r *ZoomUserReconciler) findLostCreate(ctx context.Context, acct *accountpool.Account, zu *zoomv1.ZoomUser) (outcome, bool) {
	remote, err := acct.Users.Observe(ctx, userapi.Target{Email: zu.Spec.Email}, false)
	if err != nil {
		return zoomOutcome(err, r.now()), false
	}
	if remote == nil || !owned(zu, remote) {
		r.eventf(zu, corev1.EventTypeNormal, zoomv1.ReasonOrphaned, "released: no Zoom user of this object's exists")
		return outcome{}, false
	}
	zu.Status.ID, zu.Status.State, zu.Status.Adopted = remote.ID, remote.Status, false
	return outcome{}, true
}

// accountWaitOnDelete says why a deletion cannot proceed and how to release it.
func (r *ZoomUserReconciler) accountWaitOnDelete(err error) outcome {
	out := r.accountOutcome(err)
	out.stalled = false
	out.message += "; deletion waits for the account (set deletionPolicy: Orphan to release the object)"
	if out.wait == 0 {
		out.wait = r.timing.accountRetry
	}
	return out
}

// applyDeletionPolicy makes the one call the policy asks for. Zoom lets a
// pending user only be disassociated and cannot deactivate it, so for a
// pending invitation Delete and Deactivate both withdraw it (disassociate).
// A refusal is never answered with another call: which call replaces it is
// the owner's choice (DeletionRefused, TransferRequired).
func applyDeletionPolicy(ctx context.Context, users userapi.API, zu *zoomv1.ZoomUser) (string, error) {
	t := userapi.Target{ID: zu.Status.ID, Email: zu.Spec.Email}
	pending := zu.Status.State == zoom.StatusPending
	switch {
	case zu.Spec.DeletionPolicy == zoomv1.DeletionPolicyDeactivate && zu.Status.State == zoom.StatusInactive:
		return zoomv1.ReasonDeactivated, nil
	case zu.Spec.DeletionPolicy == zoomv1.DeletionPolicyDeactivate && !pending:
		return zoomv1.ReasonDeactivated, users.SetStatus(ctx, t, false)
	case zu.Spec.DeletionPolicy == zoomv1.DeletionPolicyDelete && !pending:
		return zoomv1.ReasonDeleted, users.Delete(ctx, t, removeOptions(zu, zoom.DeleteActionDelete))
	default:
		return zoomv1.ReasonDisassociated, users.Delete(ctx, t, removeOptions(zu, zoom.DeleteActionDisassociate))
	}
}

// removeOptions sends spec.transferTo, when set, with every kind of data
// Zoom can move: the owner named a receiver, and data left behind is lost
// with a deleted user or goes with a disassociated one. A pending
// invitation owns nothing to move.
func removeOptions(zu *zoomv1.ZoomUser, action string) zoom.RemoveOptions {
	opts := zoom.RemoveOptions{Action: action}
	if zu.Spec.TransferTo == "" || zu.Status.State == zoom.StatusPending {
		return opts
	}
	opts.TransferEmail = zu.Spec.TransferTo
	opts.TransferMeeting, opts.TransferWebinar, opts.TransferRecording, opts.TransferWhiteboard = true, true, true, true
	return opts
}
