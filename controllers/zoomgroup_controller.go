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
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/groups"
	"github.com/zoom-operator/zoom-operator/internal/patch"
)

// ZoomGroupReconciler makes a Zoom group and its membership match each
// ZoomGroup: the selected ZoomUsers of its namespace that are bound to Zoom
// users of the same Zoom account.
type ZoomGroupReconciler struct {
	client.Client
	Recorder recorder.EventRecorder

	accounts *accountResolver
	timing   timing
	shards   *sharding
	live     client.Reader // uncached: confirms removals when sharded
}

// +kubebuilder:rbac:groups=zoom.zoomoperator.dev,resources=zoomgroups,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=zoom.zoomoperator.dev,resources=zoomgroups/status,verbs=get;patch

// Reconcile handles one ZoomGroup: one status patch at the end, whatever happened.
func (r *ZoomGroupReconciler) Reconcile(ctx context.Context, req ctrl.Request) (_ ctrl.Result, retErr error) {
	zg := &zoomv1.ZoomGroup{}
	if err := r.Get(ctx, req.NamespacedName, zg); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if r.shards.draining(zg) {
		return ctrl.Result{}, r.shards.release(ctx, r.Client, zg)
	}
	p := patch.New(r.Client, zg)
	defer func() { retErr = errors.Join(retErr, p.FinalStatus(ctx, zg, statusWriteTimeout)) }()
	ctx, cancel := context.WithTimeout(ctx, r.timing.reconcile)
	defer cancel()
	ctx, release := r.shards.bound(ctx)
	defer release()

	before := zg.DeepCopy()
	var out outcome
	switch {
	case !zg.DeletionTimestamp.IsZero():
		var released bool
		if out, released = r.deleteInZoom(ctx, zg); released {
			return ctrl.Result{}, p.RemoveFinalizer(ctx, zg, zoomv1.Finalizer)
		}
	case zg.Spec.Suspend:
		groupView(zg).markSuspended()
		return ctrl.Result{}, nil
	default:
		out = (&groupSync{r: r, p: p, zg: zg}).run(ctx)
	}
	if out.elsewhere {
		return ctrl.Result{RequeueAfter: out.wait}, nil
	}
	groupView(zg).apply(out)
	if newFailure(before.Status.Conditions, zg.Status.Conditions, out) {
		r.eventf(zg, corev1.EventTypeWarning, out.reason, "%s", out.message)
	}
	return result(out, r.timing.resync)
}

func groupView(zg *zoomv1.ZoomGroup) statusView {
	return statusView{generation: zg.Generation, conds: &zg.Status.Conditions, observed: &zg.Status.ObservedGeneration, bound: zg.Status.ID != ""}
}

func (r *ZoomGroupReconciler) eventf(zg *zoomv1.ZoomGroup, typ, reason, format string, args ...any) {
	r.Recorder.Eventf(zg, nil, typ, reason, reason, format, args...)
}

func (r *ZoomGroupReconciler) now() time.Time { return time.Now() }

func (r *ZoomGroupReconciler) setup(mgr ctrl.Manager, maxConcurrent int) error {
	m := &groupMapper{reader: mgr.GetClient()}
	onSpecChange := builder.WithPredicates(predicate.GenerationChangedPredicate{})
	b := ctrl.NewControllerManagedBy(mgr)
	if r.shards != nil {
		b = b.Watches(&zoomv1.ZoomGroup{}, &handler.EnqueueRequestForObject{}, builder.WithPredicates(drainAsked))
	}
	return b.
		// Only spec changes (and deletions) of the group itself: its own
		// status writes must not bring a requeue it asked for early.
		For(&zoomv1.ZoomGroup{}, onSpecChange).
		Watches(&zoomv1.ZoomUser{}, handler.EnqueueRequestsFromMapFunc(m.groupsOfUser), builder.WithPredicates(membershipChanged)).
		// An account's settings (adoptExistingGroups) and fixes to it reach its groups at once.
		Watches(&zoomv1.ClusterZoomAccount{}, handler.EnqueueRequestsFromMapFunc(m.groupsOfAccount), onSpecChange).
		Watches(&zoomv1.ZoomAccount{}, handler.EnqueueRequestsFromMapFunc(m.groupsOfAccount), onSpecChange).
		WithOptions(controller.Options{MaxConcurrentReconciles: maxConcurrent, RateLimiter: errorBackoff(), NeedLeaderElection: r.shards.needsLeader()}).
		Named("zoomgroup").
		Complete(r)
}

// groupMapper finds the ZoomGroups a ZoomUser event concerns.
type groupMapper struct {
	reader client.Reader
}

// groupsOfUser returns the groups that select zu now and those that added
// it, so that a relabelled user leaves one group and joins another at once.
func (m *groupMapper) groupsOfUser(ctx context.Context, obj client.Object) []reconcile.Request {
	zu, ok := obj.(*zoomv1.ZoomUser)
	if !ok {
		return nil
	}
	var list zoomv1.ZoomGroupList
	if err := m.reader.List(ctx, &list, client.InNamespace(zu.Namespace)); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "listing ZoomGroups for a ZoomUser", "zoomuser", client.ObjectKeyFromObject(zu))
		return nil
	}
	var out []reconcile.Request
	for _, key := range groups.GroupsFor(zu, list.Items) {
		out = append(out, reconcile.Request{NamespacedName: key})
	}
	return out
}

// groupsOfAccount returns the groups that use an account object.
func (m *groupMapper) groupsOfAccount(ctx context.Context, obj client.Object) []reconcile.Request {
	ref := zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: obj.GetName()}
	if _, namespaced := obj.(*zoomv1.ZoomAccount); namespaced {
		ref.Kind = zoomv1.AccountKindNamespaced
	}
	var list zoomv1.ZoomGroupList
	if err := m.reader.List(ctx, &list, client.MatchingFields{accountRefIndex: string(accountKey(obj.GetNamespace(), ref))}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "listing ZoomGroups for an account")
		return nil
	}
	out := make([]reconcile.Request, 0, len(list.Items))
	for _, zg := range list.Items {
		out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&zg)})
	}
	return out
}

// membershipChanged passes the ZoomUser changes that can change a group's
// membership: labels, binding to a Zoom user, Zoom's state, readiness and
// deletion. Other status writes (every resync's) pass no event.
var membershipChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		a, okA := e.ObjectOld.(*zoomv1.ZoomUser)
		b, okB := e.ObjectNew.(*zoomv1.ZoomUser)
		if !okA || !okB {
			return true
		}
		return !equality.Semantic.DeepEqual(a.Labels, b.Labels) ||
			a.Status.ID != b.Status.ID || a.Status.State != b.Status.State ||
			isReady(a) != isReady(b) ||
			a.DeletionTimestamp.IsZero() != b.DeletionTimestamp.IsZero()
	},
}

func isReady(zu *zoomv1.ZoomUser) bool {
	return meta.IsStatusConditionTrue(zu.Status.Conditions, zoomv1.ConditionReady)
}
