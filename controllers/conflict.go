package controllers

import (
	"context"
	"fmt"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// checkConflict finds the other ZoomUsers that claim the same email in the
// same Zoom account. One wins: the one holding status.id, else the oldest.
// The others never call Zoom for that email, so two objects cannot fight
// over one user. lost is true when zu is not the winner.
func (r *ZoomUserReconciler) checkConflict(ctx context.Context, zu *zoomv1.ZoomUser, acct *account) (outcome, bool) {
	var same zoomv1.ZoomUserList
	if err := r.List(ctx, &same, client.MatchingFields{emailIndex: strings.ToLower(zu.Spec.Email)}); err != nil {
		return failed(zoomv1.ReasonProgressing, err), true
	}
	winner := zu
	for i := range same.Items {
		other := &same.Items[i]
		if other.UID == zu.UID || !r.sameZoomAccount(ctx, other, acct) {
			continue
		}
		if wins(other, winner) {
			winner = other
		}
	}
	if winner == zu {
		return outcome{}, false
	}
	// A loser holds nothing: should it ever have recorded the user, it must
	// not delete it later.
	zu.Status.ID, zu.Status.State, zu.Status.Adopted = "", "", false
	return stalled(zoomv1.ReasonConflict, fmt.Sprintf(
		"email %s in this Zoom account is already managed by ZoomUser %s/%s", zu.Spec.Email, winner.Namespace, winner.Name)), true
}

// wins orders claimants: holding the Zoom user first, then age, then name,
// so every reconcile of every claimant picks the same winner.
func wins(a, b *zoomv1.ZoomUser) bool {
	if (a.Status.ID != "") != (b.Status.ID != "") {
		return a.Status.ID != ""
	}
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
}

// sameZoomAccount tells whether other uses the same Zoom account as acct.
// An object whose account cannot be resolved for it (missing, or a namespace
// the account does not allow) claims nothing, so a tenant cannot squat on an
// email from a namespace that may not use the account.
func (r *ZoomUserReconciler) sameZoomAccount(ctx context.Context, other *zoomv1.ZoomUser, acct *account) bool {
	theirs, err := r.accounts.resolve(ctx, other)
	return err == nil && theirs.zoomID == acct.zoomID
}
