package controllers

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// ZoomUserReconciler makes a Zoom user match each ZoomUser.
type ZoomUserReconciler struct {
	client.Client
	Recorder recorder.EventRecorder
	// ResyncInterval is how often a converged user is compared with Zoom again.
	ResyncInterval time.Duration
	// Now is the clock; tests may replace it.
	Now func() time.Time

	accounts *accountResolver
	baseline bool // see Options.Baseline
}

// +kubebuilder:rbac:groups=zoom.zoomoperator.dev,resources=zoomusers,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=zoom.zoomoperator.dev,resources=zoomusers/status,verbs=get;patch
// +kubebuilder:rbac:groups=zoom.zoomoperator.dev,resources=zoomaccounts;clusterzoomaccounts,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile handles one ZoomUser: one status patch at the end, whatever happened.
func (r *ZoomUserReconciler) Reconcile(ctx context.Context, req ctrl.Request) (_ ctrl.Result, retErr error) {
	zu := &zoomv1.ZoomUser{}
	if err := r.Get(ctx, req.NamespacedName, zu); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !zu.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, zu)
	}
	before := zu.DeepCopy()
	defer func() { retErr = errors.Join(retErr, r.patchStatus(ctx, before, zu)) }()

	if zu.Spec.Suspend {
		markSuspended(zu)
		return ctrl.Result{}, nil
	}
	out := r.sync(ctx, zu)
	if r.baseline && out.reason == zoomv1.ReasonRateLimited {
		out.err, out.wait = errors.New(out.message), 0 // what a naive controller does
	}
	applyConditions(zu, out)
	r.announce(before, zu, out)
	return result(out, r.ResyncInterval)
}

// ensureFinalizer adds the finalizer before this object binds a Zoom user,
// so that no Zoom user can outlive its object unnoticed.
func (r *ZoomUserReconciler) ensureFinalizer(ctx context.Context, zu *zoomv1.ZoomUser) error {
	if controllerutil.ContainsFinalizer(zu, zoomv1.Finalizer) {
		return nil
	}
	return r.patchMetadata(ctx, zu, func(m *zoomv1.ZoomUser) { controllerutil.AddFinalizer(m, zoomv1.Finalizer) })
}

// markCreateRequested stamps the time of a create before it is sent (see
// zoomv1.CreateRequestedAnnotation), and adds the finalizer in the same write.
func (r *ZoomUserReconciler) markCreateRequested(ctx context.Context, zu *zoomv1.ZoomUser, now time.Time) error {
	return r.patchMetadata(ctx, zu, func(m *zoomv1.ZoomUser) {
		controllerutil.AddFinalizer(m, zoomv1.Finalizer)
		if m.Annotations == nil {
			m.Annotations = map[string]string{}
		}
		m.Annotations[zoomv1.CreateRequestedAnnotation] = now.UTC().Format(time.RFC3339)
	})
}

// patchMetadata patches a copy, so that the status being built in zu is
// kept, then takes the new metadata (and resourceVersion) over.
func (r *ZoomUserReconciler) patchMetadata(ctx context.Context, zu *zoomv1.ZoomUser, mutate func(*zoomv1.ZoomUser)) error {
	changed := zu.DeepCopy()
	mutate(changed)
	if err := r.Patch(ctx, changed, client.MergeFromWithOptions(zu, client.MergeFromWithOptimisticLock{})); err != nil {
		return err
	}
	changed.ObjectMeta.DeepCopyInto(&zu.ObjectMeta)
	return nil
}

// sync compares the ZoomUser with Zoom and acts; it returns what it concluded.
func (r *ZoomUserReconciler) sync(ctx context.Context, zu *zoomv1.ZoomUser) outcome {
	acct, err := r.accounts.resolve(ctx, zu)
	if err != nil {
		return accountOutcome(err)
	}
	if out, lost := r.checkConflict(ctx, zu, acct); lost {
		return out
	}
	return (&userSync{r: r, acct: acct, zu: zu}).run(ctx)
}

// patchStatus writes the status once, only when it changed. The optimistic
// lock makes a concurrent writer's change fail this patch (and requeue)
// rather than be overwritten.
func (r *ZoomUserReconciler) patchStatus(ctx context.Context, before, after *zoomv1.ZoomUser) error {
	if equality.Semantic.DeepEqual(before.Status, after.Status) {
		return nil
	}
	// The base takes after's metadata: a metadata patch made during this
	// reconcile (the create marker) is already on the server, and the lock
	// must hold its resourceVersion.
	base := before.DeepCopy()
	after.ObjectMeta.DeepCopyInto(&base.ObjectMeta)
	patch := client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})
	return client.IgnoreNotFound(r.Status().Patch(ctx, after, patch))
}

// announce sends a Warning event when the Ready condition turned to a new
// failure, so a person sees each problem once rather than at every retry.
func (r *ZoomUserReconciler) announce(before, after *zoomv1.ZoomUser, out outcome) {
	if out.ready || out.reason == "" {
		return
	}
	old := meta.FindStatusCondition(before.Status.Conditions, zoomv1.ConditionReady)
	cur := meta.FindStatusCondition(after.Status.Conditions, zoomv1.ConditionReady)
	if cur == nil || (old != nil && old.Reason == cur.Reason && old.Message == cur.Message) {
		return
	}
	r.eventf(after, corev1.EventTypeWarning, out.reason, "%s", out.message)
}

func (r *ZoomUserReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *ZoomUserReconciler) setup(mgr ctrl.Manager, pool *clientPool, maxConcurrent int) error {
	r.accounts = &accountResolver{reader: mgr.GetClient(), live: mgr.GetAPIReader(), clients: pool}
	m := &mapper{reader: mgr.GetClient()}
	onSpecChange := builder.WithPredicates(predicate.GenerationChangedPredicate{})
	opts := controller.Options{MaxConcurrentReconciles: maxConcurrent}
	if !r.baseline {
		opts.RateLimiter = errorBackoff()
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&zoomv1.ZoomUser{}, onSpecChange).
		Watches(&zoomv1.ZoomUser{}, handler.EnqueueRequestsFromMapFunc(m.usersSharingEmail), builder.WithPredicates(onDelete)).
		Watches(&zoomv1.ClusterZoomAccount{}, handler.EnqueueRequestsFromMapFunc(m.usersOfAccount), onSpecChange).
		Watches(&zoomv1.ZoomAccount{}, handler.EnqueueRequestsFromMapFunc(m.usersOfAccount), onSpecChange).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(m.usersOfSecret)).
		WatchesMetadata(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(m.usersInNamespace),
			builder.WithPredicates(predicate.LabelChangedPredicate{})).
		WithOptions(opts).
		Named("zoomuser").
		Complete(r)
}

// errorBackoff is the per-item backoff for real failures (5xx, network).
// Unlike the default it has no shared 10/s bucket: rate-limit waits are
// RequeueAfter and never reach it, and the account's request budget, not
// the queue, paces calls to Zoom.
func errorBackoff() workqueue.TypedRateLimiter[reconcile.Request] {
	return workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](500*time.Millisecond, 5*time.Minute)
}

// countUsersOf counts an account's ZoomUsers, to decide whether listing the
// account is cheaper than one GET per user. It runs once per snapshot.
func (r *ZoomUserReconciler) countUsersOf(ctx context.Context, key string) int {
	var list zoomv1.ZoomUserList
	if err := r.List(ctx, &list, client.MatchingFields{accountRefIndex: key}, client.UnsafeDisableDeepCopy); err != nil {
		return 0
	}
	return len(list.Items)
}

// onDelete passes only deletions: when a ZoomUser goes, the others that
// claimed its email may now take it over.
var onDelete = predicate.Funcs{
	CreateFunc:  func(event.CreateEvent) bool { return false },
	UpdateFunc:  func(event.UpdateEvent) bool { return false },
	GenericFunc: func(event.GenericEvent) bool { return false },
	DeleteFunc:  func(event.DeleteEvent) bool { return true },
}
