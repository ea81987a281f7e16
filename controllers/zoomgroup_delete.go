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
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// deleteInZoom carries out spec.deletionPolicy and returns released=true
// once nothing more is owed to Zoom. Delete removes the Zoom group (its
// members stay in the account); an adopted group only while the account
// still allows adoption. Orphan leaves it.
func (r *ZoomGroupReconciler) deleteInZoom(ctx context.Context, zg *zoomv1.ZoomGroup) (outcome, bool) {
	if !controllerutil.ContainsFinalizer(zg, zoomv1.Finalizer) {
		return outcome{}, true
	}
	if zg.Spec.DeletionPolicy == zoomv1.GroupDeletionPolicyOrphan || zg.Status.ID == "" {
		r.eventf(zg, corev1.EventTypeNormal, zoomv1.ReasonOrphaned, "released without a call to Zoom")
		return outcome{}, true
	}
	if zg.Spec.Suspend {
		return waiting(zoomv1.ReasonSuspended,
			"deletion with policy Delete waits while spec.suspend is true; unsuspend, or set deletionPolicy: Orphan", 0), false
	}
	acct, err := r.accounts.resolveForDeletion(ctx, zg.Namespace, zg.Spec.AccountRef)
	if err != nil {
		out := accountOutcome(err, r.now(), r.timing.accountRetry)
		out.stalled = false
		out.message += "; deletion waits for the account (set deletionPolicy: Orphan to release the object)"
		if out.wait == 0 {
			out.wait = r.timing.accountRetry
		}
		return out, false
	}
	if zg.Status.Adopted && !acct.Settings.AdoptExistingGroups {
		r.eventf(zg, corev1.EventTypeNormal, zoomv1.ReasonOrphaned,
			"Zoom group %s was adopted and the account no longer allows adoption: left in Zoom", zg.Status.ID)
		return outcome{}, true
	}
	if err := acct.Groups.DeleteGroup(ctx, zg.Status.ID); err != nil && zoom.Classify(err) != zoom.KindNotFound {
		return zoomOutcome(err, r.now()), false
	}
	r.eventf(zg, corev1.EventTypeNormal, zoomv1.ReasonDeleted, "%s", fmt.Sprintf("Zoom group %s deleted per deletionPolicy Delete", zg.Status.ID))
	return outcome{}, true
}
