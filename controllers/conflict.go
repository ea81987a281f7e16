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
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/desired"
)

// checkConflict finds the other ZoomUsers that claim the same email in the
// same Zoom account. One wins: the one holding status.id, else the oldest.
// The others never call Zoom for that email, so two objects cannot fight
// over one user. lost is true when zu is not the winner.
func (r *ZoomUserReconciler) checkConflict(ctx context.Context, zu *zoomv1.ZoomUser, id accountpool.Identity) (outcome, bool) {
	var same zoomv1.ZoomUserList
	if err := r.List(ctx, &same, client.MatchingFields{emailIndex: strings.ToLower(zu.Spec.Email)}); err != nil {
		return failed(zoomv1.ReasonProgressing, err), true
	}
	winner := zu
	for i := range same.Items {
		other := &same.Items[i]
		if other.UID == zu.UID || !r.sameZoomAccount(ctx, other, id) {
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
	forgetBinding(zu)
	return stalled(zoomv1.ReasonConflict, fmt.Sprintf(
		"email %s in this Zoom account is already managed by ZoomUser %s/%s", zu.Spec.Email, winner.Namespace, winner.Name)), true
}

// wins orders claimants (see desired.Wins).
func wins(a, b *zoomv1.ZoomUser) bool { return desired.Wins(a, b) }

// sameZoomAccount tells whether other uses the Zoom account id. An object
// whose account cannot be used from its namespace, or never authenticated,
// claims nothing: a tenant cannot squat on an email from a namespace that
// may not use the account, nor with credentials Zoom never accepted.
func (r *ZoomUserReconciler) sameZoomAccount(ctx context.Context, other *zoomv1.ZoomUser, id accountpool.Identity) bool {
	theirs, ok := r.accounts.identity(ctx, other.Namespace, other.Spec.AccountRef)
	return ok && theirs == id
}
