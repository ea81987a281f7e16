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
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/patch"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// accountReconciler checks that a ZoomAccount or ClusterZoomAccount works:
// its URLs are allowed, its Secret has the keys and Zoom gives a token for
// them. The check connects the account in the pool, so its users find it
// ready.
type accountReconciler struct {
	client.Client
	recorder recorder.EventRecorder
	kind     zoomv1.AccountKind
	accounts *accountResolver
	timing   timing
}

// +kubebuilder:rbac:groups=zoom.zoomoperator.dev,resources=zoomaccounts/status;clusterzoomaccounts/status,verbs=get;patch

// accountView is the part of either account kind that the check needs.
type accountView struct {
	obj    client.Object
	status *zoomv1.AccountStatus
	desc   accountObject
}

func (r *accountReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	key := accountKey(req.Namespace, zoomv1.AccountReference{Kind: r.kind, Name: req.Name})
	view, err := r.load(ctx, key, req.NamespacedName)
	if apierrors.IsNotFound(err) {
		return r.forgetWhenUnused(ctx, key)
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	patcher := patch.New(r.Client, view.obj)
	oldReady := meta.FindStatusCondition(view.status.Conditions, zoomv1.ConditionReady).DeepCopy()

	cond, wait, retryErr := r.check(ctx, view.desc)
	cond.ObservedGeneration = view.obj.GetGeneration()
	meta.SetStatusCondition(&view.status.Conditions, cond)
	view.status.ObservedGeneration = view.obj.GetGeneration()
	r.announce(view.obj, oldReady, cond)

	if err := patcher.Status(ctx, view.obj); err != nil {
		return ctrl.Result{}, err
	}
	if retryErr != nil {
		return ctrl.Result{}, retryErr
	}
	return ctrl.Result{RequeueAfter: wait}, nil
}

// forgetWhenUnused drops a deleted account's client once no ZoomUser uses
// it: until then it lets their deletions finish (see resolveForDeletion).
func (r *accountReconciler) forgetWhenUnused(ctx context.Context, key accountpool.Key) (ctrl.Result, error) {
	var users zoomv1.ZoomUserList
	if err := r.List(ctx, &users, client.MatchingFields{accountRefIndex: string(key)}, client.UnsafeDisableDeepCopy); err != nil {
		return ctrl.Result{}, err
	}
	if len(users.Items) > 0 {
		return ctrl.Result{RequeueAfter: r.timing.accountRetry}, nil
	}
	r.accounts.pool.Forget(key)
	return ctrl.Result{}, nil
}

func (r *accountReconciler) load(ctx context.Context, key accountpool.Key, name types.NamespacedName) (*accountView, error) {
	spec, err := describeAccount(ctx, r.Client, name.Namespace, zoomv1.AccountReference{Kind: r.kind, Name: name.Name})
	if err != nil {
		return nil, err
	}
	return &accountView{obj: spec.obj, status: spec.status, desc: r.accounts.describe(ctx, key, spec.settings, spec.secret, spec.allowed)}, nil
}

// check connects the account (replacing its client when the credentials
// changed, which drops the old token) and asks Zoom for a token. Zoom's own
// words reach the condition; the secret never does.
func (r *accountReconciler) check(ctx context.Context, desc accountObject) (metav1.Condition, time.Duration, error) {
	cond := metav1.Condition{Type: zoomv1.ConditionReady, Status: metav1.ConditionFalse}
	creds, err := r.accounts.credentials(ctx, desc.source.Secret.Name)
	var accErr *accountError
	if errors.As(err, &accErr) {
		cond.Reason, cond.Message = zoomv1.ReasonSecretInvalid, err.Error()
		return cond, r.timing.resync, nil // the Secret watch brings the fix
	}
	if err != nil {
		cond.Reason, cond.Message = zoomv1.ReasonAccountNotReady, "reading the account's Secret failed; retrying"
		return cond, 0, err
	}
	acct, err := r.accounts.pool.Connect(ctx, desc.key, desc.source, creds)
	if err == nil {
		err = acct.Authenticate(ctx)
	}
	return r.authCondition(cond, err)
}

func (r *accountReconciler) authCondition(cond metav1.Condition, err error) (metav1.Condition, time.Duration, error) {
	var hostErr *accountpool.HostError
	if errors.As(err, &hostErr) {
		cond.Reason, cond.Message = zoomv1.ReasonHostNotAllowed, err.Error()
		return cond, r.timing.resync, nil // only a spec or flag change helps
	}
	if wait, ok := zoom.WaitFor(err); ok {
		cond.Reason, cond.Message = zoomv1.ReasonAccountNotReady, "waiting for a token fetch under way"
		return cond, wait, nil
	}
	switch zoom.Classify(err) {
	case zoom.KindNone:
		cond.Status, cond.Reason, cond.Message = metav1.ConditionTrue, zoomv1.ReasonAuthenticated, "Zoom issued a token for these credentials"
		return cond, r.timing.resync, nil
	case zoom.KindUnauthorized:
		cond.Reason, cond.Message = zoomv1.ReasonAuthFailed, "Zoom refused the credentials: "+err.Error()
		return cond, r.timing.authRetry, nil
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
