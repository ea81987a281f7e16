package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// reconcileDelete carries out spec.deletionPolicy, then releases the object.
// While it cannot, the object says why instead of hanging silently.
func (r *ZoomUserReconciler) reconcileDelete(ctx context.Context, zu *zoomv1.ZoomUser) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(zu, zoomv1.Finalizer) {
		return ctrl.Result{}, nil
	}
	before := zu.DeepCopy()
	out, release := r.deleteInZoom(ctx, zu)
	if release {
		controllerutil.RemoveFinalizer(zu, zoomv1.Finalizer)
		// The lock keeps a finalizer another controller added meanwhile.
		patch := client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})
		return ctrl.Result{}, client.IgnoreNotFound(r.Patch(ctx, zu, patch))
	}
	applyConditions(zu, out)
	r.announce(before, zu, out)
	res, err := result(out, r.ResyncInterval)
	if perr := r.patchStatus(ctx, before, zu); perr != nil && err == nil {
		err = perr
	}
	return res, err
}

// deleteInZoom returns release=true once nothing more is owed to Zoom.
func (r *ZoomUserReconciler) deleteInZoom(ctx context.Context, zu *zoomv1.ZoomUser) (outcome, bool) {
	policy := zu.Spec.DeletionPolicy
	_, createRequested := zu.Annotations[zoomv1.CreateRequestedAnnotation]
	if policy == zoomv1.DeletionPolicyOrphan || (zu.Status.ID == "" && !createRequested) {
		// The owner asked to leave the user in Zoom, or this object never
		// created one (never got that far, was refused, or lost a conflict).
		r.eventf(zu, corev1.EventTypeNormal, zoomv1.ReasonOrphaned, "released without a call to Zoom")
		return outcome{}, true
	}
	if zu.Spec.Suspend {
		return waiting(zoomv1.ReasonSuspended, fmt.Sprintf(
			"deletion with policy %s waits while spec.suspend is true; unsuspend, or set deletionPolicy: Orphan", policy), 0), false
	}
	acct, err := r.accounts.resolveForDeletion(ctx, zu)
	if err != nil {
		return accountWaitOnDelete(err), false
	}
	if out, lost := r.checkConflict(ctx, zu, acct); lost {
		if out.err != nil {
			return out, false // the claimants could not be listed: try again
		}
		// Another object holds this email: whatever this one may have
		// created or recorded is the winner's now.
		r.eventf(zu, corev1.EventTypeNormal, zoomv1.ReasonOrphaned, "released: the email is managed by another ZoomUser")
		return outcome{}, true
	}
	if zu.Status.ID == "" {
		// A create was sent but its answer never recorded (a crash): find
		// the user it made, so that it does not outlive this object.
		if out, found := r.findLostCreate(ctx, acct, zu); !found {
			return out, out.reason == ""
		}
	}
	if zu.Status.Adopted && !acct.settings.AdoptExistingUsers && policy != zoomv1.DeletionPolicyDeactivate {
		// Only an account that allows adoption may remove what it adopted.
		r.eventf(zu, corev1.EventTypeNormal, zoomv1.ReasonOrphaned,
			"Zoom user %s was adopted and the account no longer allows adoption: left in Zoom", zu.Status.ID)
		return outcome{}, true
	}
	reason, err := applyDeletionPolicy(ctx, acct.api, zu)
	if err != nil && zoom.Classify(err) != zoom.KindNotFound {
		return zoomOutcome(err, r.now()), false
	}
	if reason != zoomv1.ReasonDeactivated {
		acct.cache.Remove(zu.Spec.Email)
	}
	r.eventf(zu, corev1.EventTypeNormal, reason, "Zoom user %s: %s per deletionPolicy %s", zu.Status.ID, reason, policy)
	return outcome{}, true
}

// findLostCreate looks the user up by email and records it when this object
// created it. found=false with an empty outcome means there is nothing of
// this object's in Zoom; with a non-empty one, that Zoom could not be asked.
func (r *ZoomUserReconciler) findLostCreate(ctx context.Context, acct *account, zu *zoomv1.ZoomUser) (outcome, bool) {
	s := &userSync{r: r, acct: acct, zu: zu}
	remote, err := s.get(ctx, zu.Spec.Email)
	if err != nil {
		return zoomOutcome(err, r.now()), false
	}
	if remote == nil || !s.owned(remote) {
		r.eventf(zu, corev1.EventTypeNormal, zoomv1.ReasonOrphaned, "released: no Zoom user of this object's exists")
		return outcome{}, false
	}
	s.record(remote, false)
	return outcome{}, true
}

// accountWaitOnDelete says why a deletion cannot proceed and how to release it.
func accountWaitOnDelete(err error) outcome {
	out := accountOutcome(err)
	out.stalled = false
	out.message += "; deletion waits for the account (set deletionPolicy: Orphan to release the object)"
	if out.wait == 0 {
		out.wait = accountRetryInterval
	}
	return out
}

// applyDeletionPolicy makes the one call the policy asks for. Zoom lets a
// pending user only be disassociated and cannot deactivate it, so for a
// pending invitation Delete and Deactivate both withdraw it (disassociate).
func applyDeletionPolicy(ctx context.Context, api zoomUsers, zu *zoomv1.ZoomUser) (string, error) {
	id, pending := zu.Status.ID, zu.Status.State == zoom.StatusPending
	switch {
	case zu.Spec.DeletionPolicy == zoomv1.DeletionPolicyDeactivate && zu.Status.State == zoom.StatusInactive:
		return zoomv1.ReasonDeactivated, nil
	case zu.Spec.DeletionPolicy == zoomv1.DeletionPolicyDeactivate && !pending:
		return zoomv1.ReasonDeactivated, api.SetUserStatus(ctx, id, false)
	case zu.Spec.DeletionPolicy == zoomv1.DeletionPolicyDelete && !pending:
		return zoomv1.ReasonDeleted, api.DeleteUser(ctx, id, zoom.DeleteActionDelete)
	default:
		return zoomv1.ReasonDisassociated, api.DeleteUser(ctx, id, zoom.DeleteActionDisassociate)
	}
}

func (r *ZoomUserReconciler) eventf(zu *zoomv1.ZoomUser, typ, reason, format string, args ...any) {
	r.Recorder.Eventf(zu, nil, typ, reason, reason, format, args...)
}
