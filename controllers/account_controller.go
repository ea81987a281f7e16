package controllers

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// accountReconciler checks that a ZoomAccount or ClusterZoomAccount works:
// its Secret has the keys and Zoom gives a token for them.
type accountReconciler struct {
	client.Client
	recorder recorder.EventRecorder
	kind     zoomv1.AccountKind
	accounts *accountResolver
	resync   time.Duration
}

// +kubebuilder:rbac:groups=zoom.zoomoperator.dev,resources=zoomaccounts/status;clusterzoomaccounts/status,verbs=get;patch

// accountView is the part of either account kind that the check needs.
type accountView struct {
	obj      client.Object
	status   *zoomv1.AccountStatus
	settings zoomv1.AccountSettings
	secret   types.NamespacedName
}

func (r *accountReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	key := accountKey(req.Namespace, zoomv1.AccountReference{Kind: r.kind, Name: req.Name})
	view, err := r.load(ctx, req.NamespacedName)
	if apierrors.IsNotFound(err) {
		return r.forgetWhenUnused(ctx, key)
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	before := view.obj.DeepCopyObject().(client.Object)
	oldReady := meta.FindStatusCondition(view.status.Conditions, zoomv1.ConditionReady).DeepCopy()

	cond, wait, retryErr := r.check(ctx, key, view)
	cond.ObservedGeneration = view.obj.GetGeneration()
	meta.SetStatusCondition(&view.status.Conditions, cond)
	view.status.ObservedGeneration = view.obj.GetGeneration()
	r.announce(view.obj, oldReady, cond)

	if err := r.patchStatus(ctx, before, view); err != nil {
		return ctrl.Result{}, err
	}
	if retryErr != nil {
		return ctrl.Result{}, retryErr
	}
	return ctrl.Result{RequeueAfter: wait}, nil
}

// forgetWhenUnused drops a deleted account's client once no ZoomUser uses
// it: until then it lets their deletions finish (see resolveForDeletion).
func (r *accountReconciler) forgetWhenUnused(ctx context.Context, key string) (ctrl.Result, error) {
	var users zoomv1.ZoomUserList
	if err := r.List(ctx, &users, client.MatchingFields{accountRefIndex: key}, client.UnsafeDisableDeepCopy); err != nil {
		return ctrl.Result{}, err
	}
	if len(users.Items) > 0 {
		return ctrl.Result{RequeueAfter: accountRetryInterval}, nil
	}
	r.accounts.clients.forget(key)
	return ctrl.Result{}, nil
}

func (r *accountReconciler) load(ctx context.Context, name types.NamespacedName) (*accountView, error) {
	if r.kind == zoomv1.AccountKindNamespaced {
		var za zoomv1.ZoomAccount
		if err := r.Get(ctx, name, &za); err != nil {
			return nil, err
		}
		secret := types.NamespacedName{Namespace: za.Namespace, Name: za.Spec.CredentialsSecretRef.Name}
		return &accountView{obj: &za, status: &za.Status, settings: za.Spec.AccountSettings, secret: secret}, nil
	}
	var cza zoomv1.ClusterZoomAccount
	if err := r.Get(ctx, name, &cza); err != nil {
		return nil, err
	}
	ref := cza.Spec.CredentialsSecretRef
	secret := types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}
	return &accountView{obj: &cza, status: &cza.Status, settings: cza.Spec.AccountSettings, secret: secret}, nil
}

// check builds the account's client (replacing it when the credentials
// changed, which drops the old token) and asks Zoom for a token. Zoom's own
// words reach the condition; the secret never does.
func (r *accountReconciler) check(ctx context.Context, key string, view *accountView) (metav1.Condition, time.Duration, error) {
	cond := metav1.Condition{Type: zoomv1.ConditionReady, Status: metav1.ConditionFalse}
	acct, err := r.accounts.build(ctx, key, view.settings, view.secret)
	var accErr *accountError
	if errors.As(err, &accErr) {
		cond.Reason, cond.Message = zoomv1.ReasonSecretInvalid, err.Error()
		return cond, r.resync, nil // the Secret watch brings the fix
	}
	if err != nil {
		cond.Reason, cond.Message = zoomv1.ReasonAccountNotReady, "reading the account's Secret failed; retrying"
		return cond, 0, err
	}
	err = acct.api.Authenticate(ctx)
	switch zoom.Classify(err) {
	case zoom.KindNone:
		cond.Status, cond.Reason, cond.Message = metav1.ConditionTrue, zoomv1.ReasonAuthenticated, "Zoom issued a token for these credentials"
		return cond, r.resync, nil
	case zoom.KindUnauthorized:
		cond.Reason, cond.Message = zoomv1.ReasonAuthFailed, "Zoom refused the credentials: "+err.Error()
		return cond, authRetryInterval, nil
	default:
		cond.Reason, cond.Message = zoomv1.ReasonZoomUnavailable, "Zoom's token endpoint failed: "+err.Error()
		return cond, 0, err
	}
}

func (r *accountReconciler) announce(obj client.Object, old *metav1.Condition, cur metav1.Condition) {
	if old != nil && old.Status == cur.Status && old.Reason == cur.Reason && old.Message == cur.Message {
		return
	}
	typ := corev1.EventTypeWarning
	if cur.Status == metav1.ConditionTrue {
		typ = corev1.EventTypeNormal
	}
	r.recorder.Eventf(obj, nil, typ, cur.Reason, "Check", "%s", cur.Message)
}

func (r *accountReconciler) patchStatus(ctx context.Context, before client.Object, view *accountView) error {
	if equality.Semantic.DeepEqual(before, view.obj) {
		return nil
	}
	patch := client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})
	return client.IgnoreNotFound(r.Status().Patch(ctx, view.obj, patch))
}

func (r *accountReconciler) setup(mgr ctrl.Manager) error {
	var obj client.Object = &zoomv1.ClusterZoomAccount{}
	name := "clusterzoomaccount"
	if r.kind == zoomv1.AccountKindNamespaced {
		obj, name = &zoomv1.ZoomAccount{}, "zoomaccount"
	}
	m := &mapper{reader: mgr.GetClient()}
	return ctrl.NewControllerManagedBy(mgr).
		For(obj, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, s client.Object) []reconcile.Request {
			return r.requestsOfKind(m.accountsOfSecret(ctx, s))
		})).
		Named(name).
		Complete(r)
}

func (r *accountReconciler) requestsOfKind(accounts []client.Object) []reconcile.Request {
	var reqs []reconcile.Request
	for _, a := range accounts {
		_, namespaced := a.(*zoomv1.ZoomAccount)
		if namespaced == (r.kind == zoomv1.AccountKindNamespaced) {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(a)})
		}
	}
	return reqs
}

// Options configure the controllers.
type Options struct {
	// ResyncInterval is how often converged objects are checked against Zoom.
	ResyncInterval time.Duration
	// MaxConcurrentReconciles bounds parallel ZoomUser reconciles.
	MaxConcurrentReconciles int
	// RateScale multiplies Zoom's published rate limits in the client-side
	// budget; 0 means 1. Only benchmarks against a scaled fake change it.
	RateScale float64
	// Baseline makes the controller naive, for benchmarks only: one GET per
	// object and resync, no request budget, and 429s fed to the per-item
	// exponential backoff like any error.
	Baseline bool
	// ZoomTimeout bounds each HTTP exchange with Zoom; 0 means 30s.
	ZoomTimeout time.Duration
	// AccountRetryInterval is how long a user waiting for its account or
	// password Secret waits before trying again; 0 means 30s. Tests make it
	// longer than they wait, to prove that a watch, not the retry, acted.
	AccountRetryInterval time.Duration
}

// Setup registers the ZoomUser, ZoomAccount and ClusterZoomAccount
// reconcilers with one shared pool of Zoom clients, so an account's token,
// connections and rate-limit gate serve all of them.
func Setup(mgr ctrl.Manager, opts Options) error {
	if err := indexFields(context.Background(), mgr.GetFieldIndexer()); err != nil {
		return err
	}
	// Set before any reconciler runs; a second Setup with the same value
	// (two managers in one test process) leaves it alone.
	if opts.AccountRetryInterval > 0 && opts.AccountRetryInterval != accountRetryInterval {
		accountRetryInterval = opts.AccountRetryInterval
	}
	rec := mgr.GetEventRecorder("zoom-operator")
	registerUserMetrics(mgr.GetClient())
	users := &ZoomUserReconciler{Client: mgr.GetClient(), Recorder: rec, ResyncInterval: opts.ResyncInterval, baseline: opts.Baseline}
	pool := newClientPool(poolTuning{
		rateScale: opts.RateScale, snapshotTTL: opts.ResyncInterval, managed: users.countUsersOf,
		baseline: opts.Baseline, timeout: opts.ZoomTimeout,
	})
	if err := users.setup(mgr, pool, opts.MaxConcurrentReconciles); err != nil {
		return err
	}
	for _, kind := range []zoomv1.AccountKind{zoomv1.AccountKindNamespaced, zoomv1.AccountKindCluster} {
		ar := &accountReconciler{Client: mgr.GetClient(), recorder: rec, kind: kind, accounts: users.accounts, resync: opts.ResyncInterval}
		if err := ar.setup(mgr); err != nil {
			return err
		}
	}
	return nil
}
