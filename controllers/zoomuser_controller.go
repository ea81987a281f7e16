package controllers

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// accountRefIndex indexes ZoomUsers by the account they use, so that an
// account change requeues only that account's users.
const accountRefIndex = "spec.accountRef"

// ZoomUserReconciler makes a Zoom user match each ZoomUser.
type ZoomUserReconciler struct {
	client.Client
	Recorder recorder.EventRecorder
	// ResyncInterval is how often a converged user is compared with Zoom again.
	ResyncInterval time.Duration
	// Now is the clock; tests may replace it.
	Now func() time.Time

	accounts *accountResolver
}

// +kubebuilder:rbac:groups=zoom.zoomoperator.dev,resources=zoomusers,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=zoom.zoomoperator.dev,resources=zoomusers/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=zoom.zoomoperator.dev,resources=zoomaccounts;clusterzoomaccounts,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets;namespaces,verbs=get
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile handles one ZoomUser: one status patch at the end, whatever happened.
func (r *ZoomUserReconciler) Reconcile(ctx context.Context, req ctrl.Request) (_ ctrl.Result, retErr error) {
	zu := &zoomv1.ZoomUser{}
	if err := r.Get(ctx, req.NamespacedName, zu); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := zu.DeepCopy()
	defer func() { retErr = errors.Join(retErr, r.patchStatus(ctx, before, zu)) }()

	if zu.Spec.Suspend {
		markSuspended(zu)
		return ctrl.Result{}, nil
	}
	out := r.sync(ctx, zu)
	applyConditions(zu, out)
	r.announce(before, zu, out)
	return result(out, r.ResyncInterval)
}

// sync compares the ZoomUser with Zoom and acts; it returns what it concluded.
func (r *ZoomUserReconciler) sync(ctx context.Context, zu *zoomv1.ZoomUser) outcome {
	acct, err := r.accounts.resolve(ctx, zu)
	if err != nil {
		return accountOutcome(err)
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
	patch := client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})
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
	r.Recorder.Eventf(after, nil, corev1.EventTypeWarning, out.reason, "Reconcile", "%s", out.message)
}

func (r *ZoomUserReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// SetupWithManager registers the reconciler; maxConcurrent bounds parallel
// reconciles (the Zoom budget, not this number, bounds the request rate).
func (r *ZoomUserReconciler) SetupWithManager(mgr ctrl.Manager, maxConcurrent int) error {
	r.accounts = &accountResolver{reader: mgr.GetClient(), live: mgr.GetAPIReader(), clients: newClientPool()}
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &zoomv1.ZoomUser{}, accountRefIndex, indexAccountRef); err != nil {
		return err
	}
	onSpecChange := builder.WithPredicates(predicate.GenerationChangedPredicate{})
	return ctrl.NewControllerManagedBy(mgr).
		For(&zoomv1.ZoomUser{}, onSpecChange).
		Watches(&zoomv1.ClusterZoomAccount{}, handler.EnqueueRequestsFromMapFunc(r.usersOfAccount), onSpecChange).
		Watches(&zoomv1.ZoomAccount{}, handler.EnqueueRequestsFromMapFunc(r.usersOfAccount), onSpecChange).
		WithOptions(controller.Options{MaxConcurrentReconciles: maxConcurrent}).
		Named("zoomuser").
		Complete(r)
}

func indexAccountRef(obj client.Object) []string {
	zu := obj.(*zoomv1.ZoomUser)
	return []string{accountKey(zu.Namespace, zu.Spec.AccountRef)}
}

// accountKey names an account the same way for the index and the client pool.
func accountKey(namespace string, ref zoomv1.AccountReference) string {
	if ref.Kind == zoomv1.AccountKindNamespaced {
		return string(ref.Kind) + "/" + namespace + "/" + ref.Name
	}
	return string(zoomv1.AccountKindCluster) + "/" + ref.Name
}

func (r *ZoomUserReconciler) usersOfAccount(ctx context.Context, obj client.Object) []reconcile.Request {
	ref := zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: obj.GetName()}
	if _, namespaced := obj.(*zoomv1.ZoomAccount); namespaced {
		ref.Kind = zoomv1.AccountKindNamespaced
	}
	var users zoomv1.ZoomUserList
	if err := r.List(ctx, &users, client.MatchingFields{accountRefIndex: accountKey(obj.GetNamespace(), ref)}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "listing the users of an account")
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(users.Items))
	for _, u := range users.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: u.Namespace, Name: u.Name}})
	}
	return reqs
}
