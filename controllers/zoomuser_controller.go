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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
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
	"github.com/zoom-operator/zoom-operator/internal/patch"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// ZoomUserReconciler makes a Zoom user match each ZoomUser.
type ZoomUserReconciler struct {
	client.Client
	Recorder recorder.EventRecorder
	// Now is the clock; tests may replace it.
	Now func() time.Time

	accounts *accountResolver
	timing   timing
	baseline bool // see Options.Baseline
	paced    pacedWaits
	shards   *sharding
}

// +kubebuilder:rbac:groups=zoom.zoomoperator.dev,resources=zoomusers,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=zoom.zoomoperator.dev,resources=zoomusers/status,verbs=get;patch
// +kubebuilder:rbac:groups=zoom.zoomoperator.dev,resources=zoomaccounts;clusterzoomaccounts,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// statusWriteTimeout bounds the final status write, which must still run
// when the reconcile's own deadline has passed.
const statusWriteTimeout = 10 * time.Second

// Reconcile handles one ZoomUser: one status patch at the end, whatever happened.
func (r *ZoomUserReconciler) Reconcile(ctx context.Context, req ctrl.Request) (_ ctrl.Result, retErr error) {
	zu := &zoomv1.ZoomUser{}
	if err := r.Get(ctx, req.NamespacedName, zu); err != nil {
		if apierrors.IsNotFound(err) {
			r.paced.forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if r.shards.draining(zu) {
		return ctrl.Result{}, r.shards.release(ctx, r.Client, zu)
	}
	// A retry after a paced wait yields the budget to first attempts.
	var out outcome
	generation := zu.Generation
	if r.paced.retrying(req.NamespacedName, generation) {
		ctx = zoom.WithLowPriority(ctx)
	}
	defer func() { r.paced.settle(req.NamespacedName, generation, out.paced) }()
	p := patch.New(r.Client, zu)
	defer func() { retErr = errors.Join(retErr, p.FinalStatus(ctx, zu, statusWriteTimeout)) }()
	// A slow or hostile Zoom cannot hold a worker past the deadline.
	ctx, cancel := context.WithTimeout(ctx, r.timing.reconcile)
	defer cancel()
	ctx, release := r.shards.bound(ctx)
	defer release()

	before := zu.DeepCopy()
	switch {
	case !zu.DeletionTimestamp.IsZero():
		var released bool
		if out, released = r.deleteInZoom(ctx, zu); released {
			return ctrl.Result{}, p.RemoveFinalizer(ctx, zu, zoomv1.Finalizer)
		}
	case zu.Spec.Suspend:
		markSuspended(zu)
		return ctrl.Result{}, nil
	default:
		out = r.sync(ctx, p, zu)
	}
	if out.elsewhere {
		return ctrl.Result{RequeueAfter: out.wait}, nil
	}
	if r.baseline && out.reason == zoomv1.ReasonRateLimited {
		out.err, out.wait = errors.New(out.message), 0 // what a naive controller does
	}
	applyConditions(zu, out)
	r.announce(before, zu, out)
	return result(out, r.timing.resync)
}

// sync resolves the account, settles email conflicts, then compares the
// ZoomUser with Zoom and acts; it returns what it concluded.
func (r *ZoomUserReconciler) sync(ctx context.Context, p *patch.Helper[*zoomv1.ZoomUser], zu *zoomv1.ZoomUser) outcome {
	acct, err := r.accounts.resolve(ctx, zu.Namespace, zu.Spec.AccountRef)
	if err != nil {
		return r.accountOutcome(err)
	}
	if out, lost := r.checkConflict(ctx, zu, acct.Identity); lost {
		return out
	}
	return (&userSync{r: r, p: p, acct: acct, zu: zu}).run(ctx)
}

// announce sends a Warning event when the Ready condition turned to a new
// failure, and a Normal one when new drift is left as the policies ask, so
// a person sees each once rather than at every retry.
func (r *ZoomUserReconciler) announce(before, after *zoomv1.ZoomUser, out outcome) {
	switch {
	case newFailure(before.Status.Conditions, after.Status.Conditions, out):
		r.eventf(after, corev1.EventTypeWarning, out.reason, "%s", out.message)
	case out.reason == zoomv1.ReasonDrifted && readyChanged(before.Status.Conditions, after.Status.Conditions):
		r.eventf(after, corev1.EventTypeNormal, out.reason, "%s", out.message)
	}
}

func (r *ZoomUserReconciler) eventf(zu *zoomv1.ZoomUser, typ, reason, format string, args ...any) {
	r.Recorder.Eventf(zu, nil, typ, reason, reason, format, args...)
}

func (r *ZoomUserReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *ZoomUserReconciler) setup(mgr ctrl.Manager, maxConcurrent int) error {
	m := &mapper{reader: mgr.GetClient()}
	onSpecChange := builder.WithPredicates(predicate.GenerationChangedPredicate{})
	arrivals := newChangeArrivals()
	arrivals.queuedLow = func(key types.NamespacedName, generation int64) { r.paced.settle(key, generation, true) }
	b := ctrl.NewControllerManagedBy(mgr)
	if r.shards != nil {
		b = b.Watches(&zoomv1.ZoomUser{}, &handler.EnqueueRequestForObject{}, builder.WithPredicates(drainAsked))
	}
	return b.
		// Only spec changes (and deletions) of the object itself: its own
		// status writes must not bring a requeue it asked for early.
		// Creates and spec changes are queued at the priority their pace
		// gives them (see changeArrivals).
		For(&zoomv1.ZoomUser{}, builder.WithPredicates(onDelete)).
		Watches(&zoomv1.ZoomUser{}, arrivals.handler(), onSpecChange).
		Watches(&zoomv1.ZoomUser{}, handler.EnqueueRequestsFromMapFunc(m.usersSharingEmail), builder.WithPredicates(onDelete)).
		Watches(&zoomv1.ClusterZoomAccount{}, handler.EnqueueRequestsFromMapFunc(m.usersOfAccount), onSpecChange).
		Watches(&zoomv1.ZoomAccount{}, handler.EnqueueRequestsFromMapFunc(m.usersOfAccount), onSpecChange).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(m.usersOfSecret)).
		WatchesMetadata(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(m.usersInNamespace),
			builder.WithPredicates(predicate.LabelChangedPredicate{})).
		WithOptions(userControllerOptions(maxConcurrent, r.baseline, r.shards.needsLeader())).
		Named("zoomuser").
		Complete(r)
}

// userControllerOptions configures the ZoomUser controller. Its queue is
// controller-runtime's priority queue (named here, though it is the default,
// because interactive changes depend on it): events from the initial list,
// resyncs, retries after a paced wait (see result) and changes arriving
// faster than a person makes them (see changeArrivals) enter at
// handler.LowPriority, other new and changed objects at the default
// priority, so a ZoomUser someone creates or edits while thousands converge
// is reconciled next rather than after them. Every request still spends the
// same account budget, in which a retry yields to a first attempt (see
// pacedWaits and zoom.WithLowPriority).
func userControllerOptions(maxConcurrent int, baseline bool, needLeader *bool) controller.Options {
	opts := controller.Options{MaxConcurrentReconciles: maxConcurrent, UsePriorityQueue: new(true), NeedLeaderElection: needLeader}
	if !baseline {
		opts.RateLimiter = errorBackoff()
	}
	return opts
}

// errorBackoff is the per-item backoff for real failures (5xx, network).
// Unlike the default it has no shared 10/s bucket: rate-limit waits are
// RequeueAfter and never reach it, and the account's request budget, not
// the queue, paces calls to Zoom.
func errorBackoff() workqueue.TypedRateLimiter[reconcile.Request] {
	return workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](500*time.Millisecond, 5*time.Minute)
}

// onDelete passes only deletions: when a ZoomUser goes, the others that
// claimed its email may now take it over.
var onDelete = predicate.Funcs{
	CreateFunc:  func(event.CreateEvent) bool { return false },
	UpdateFunc:  func(event.UpdateEvent) bool { return false },
	GenericFunc: func(event.GenericEvent) bool { return false },
	DeleteFunc:  func(event.DeleteEvent) bool { return true },
}
