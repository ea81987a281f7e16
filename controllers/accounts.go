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
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// accountError says why a ZoomUser or ZoomGroup cannot use its account. The message is
// safe to show: it names objects and keys, never their values.
type accountError struct {
	reason  string // zoomv1.ReasonAccountNotReady or zoomv1.ReasonForbidden
	message string
}

func (e *accountError) Error() string { return e.message }

func notReady(format string, args ...any) *accountError {
	return &accountError{reason: zoomv1.ReasonAccountNotReady, message: fmt.Sprintf(format, args...)}
}

// accountObject is what either account kind says, read from Kubernetes.
type accountObject struct {
	key    accountpool.Key
	source accountpool.Source
}

// accountResolver turns an accountRef into an authenticated account of the
// pool. It does the Kubernetes reads (account objects, Namespace labels,
// Secret metadata and, uncached, Secret data); the pool does the rest.
// Secrets are read uncached, so their contents are never held in the
// manager's memory; only their metadata (and Namespaces') is watched.
type accountResolver struct {
	reader client.Reader // cached: accounts, Secret and Namespace metadata
	live   client.Reader // uncached: Secrets
	pool   *accountpool.Pool
	shards *sharding // nil: this manager serves every account
}

// resolve returns the account that an object of namespace naming ref may
// use, connecting it when needed. ZoomUsers and ZoomGroups share the rules.
func (r *accountResolver) resolve(ctx context.Context, namespace string, ref zoomv1.AccountReference) (*accountpool.Account, error) {
	obj, err := r.objectFor(ctx, namespace, ref)
	if err != nil {
		return nil, err
	}
	return r.connect(ctx, obj)
}

// identity returns the Zoom account that ref, seen from namespace,
// authenticated as, without any call to Zoom; ok is false when it cannot be
// used or never authenticated.
func (r *accountResolver) identity(ctx context.Context, namespace string, ref zoomv1.AccountReference) (accountpool.Identity, bool) {
	obj, err := r.objectFor(ctx, namespace, ref)
	if err != nil {
		return accountpool.Identity{}, false
	}
	return r.pool.IdentityOf(obj.key, obj.source)
}

// resolveForDeletion is resolve, but when the account or its Secret is
// already gone (a namespace being deleted takes them with its ZoomUsers) it
// falls back on the account the pool still remembers, so the deletions can
// finish. A forbidden namespace gets no such fallback, and a remembered
// ClusterZoomAccount serves only the namespaces it allowed.
func (r *accountResolver) resolveForDeletion(ctx context.Context, namespace string, ref zoomv1.AccountReference) (*accountpool.Account, error) {
	acct, err := r.resolve(ctx, namespace, ref)
	var accErr *accountError
	if err == nil || !errors.As(err, &accErr) || accErr.reason != zoomv1.ReasonAccountNotReady {
		return acct, err
	}
	remembered, src, ok := r.pool.Remembered(accountKey(namespace, ref))
	if !ok {
		return nil, err
	}
	if err := r.shards.check(ctx, remembered.Identity); err != nil {
		return nil, err
	}
	if src.Allowed != nil {
		if nsErr := r.checkNamespace(ctx, *src.Allowed, ref.Name, namespace); nsErr != nil {
			return nil, nsErr
		}
	}
	return remembered, nil
}

// accountSpec is what either account kind says, as read from the cache.
type accountSpec struct {
	obj      client.Object
	status   *zoomv1.AccountStatus
	settings zoomv1.AccountSettings
	secret   types.NamespacedName
	allowed  *zoomv1.AllowedNamespaces // a ClusterZoomAccount's; nil for a ZoomAccount
	version  string                    // the account object's resourceVersion
}

// describeAccount reads the account object ref names from namespace.
func describeAccount(ctx context.Context, reader client.Reader, namespace string, ref zoomv1.AccountReference) (accountSpec, error) {
	if ref.Kind == zoomv1.AccountKindNamespaced {
		var za zoomv1.ZoomAccount
		if err := reader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: ref.Name}, &za); err != nil {
			return accountSpec{}, err
		}
		return accountSpec{obj: &za, status: &za.Status, settings: za.Spec.AccountSettings, version: za.ResourceVersion,
			secret: types.NamespacedName{Namespace: namespace, Name: za.Spec.CredentialsSecretRef.Name}}, nil
	}
	var cza zoomv1.ClusterZoomAccount
	if err := reader.Get(ctx, types.NamespacedName{Name: ref.Name}, &cza); err != nil {
		return accountSpec{}, err
	}
	return accountSpec{obj: &cza, status: &cza.Status, settings: cza.Spec.AccountSettings, version: cza.ResourceVersion, allowed: &cza.Spec.AllowedNamespaces,
		secret: types.NamespacedName{Namespace: cza.Spec.CredentialsSecretRef.Namespace, Name: cza.Spec.CredentialsSecretRef.Name}}, nil
}

// objectFor reads the account object ref names, as seen from namespace.
func (r *accountResolver) objectFor(ctx context.Context, namespace string, ref zoomv1.AccountReference) (accountObject, error) {
	spec, err := describeAccount(ctx, r.reader, namespace, ref)
	if err != nil {
		if ref.Kind == zoomv1.AccountKindNamespaced {
			return accountObject{}, missing(err, "ZoomAccount %s/%s", namespace, ref.Name)
		}
		return accountObject{}, missing(err, "ClusterZoomAccount %s", ref.Name)
	}
	if spec.allowed != nil {
		if err := r.checkNamespace(ctx, *spec.allowed, ref.Name, namespace); err != nil {
			return accountObject{}, err
		}
	}
	return r.describe(ctx, accountKey(namespace, ref), spec.settings, spec.secret, spec.allowed), nil
}

func (r *accountResolver) describe(ctx context.Context, key accountpool.Key, settings zoomv1.AccountSettings, secret types.NamespacedName, allowed *zoomv1.AllowedNamespaces) accountObject {
	ref := accountpool.SecretRef{Name: secret, Version: secretVersion(ctx, r.reader, secret)}
	return accountObject{key: key, source: accountpool.Source{Settings: settings, Secret: ref, Allowed: allowed}}
}

func (r *accountResolver) checkNamespace(ctx context.Context, allowed zoomv1.AllowedNamespaces, account, namespace string) error {
	if allowed.From != zoomv1.NamespacesFromSelector {
		return nil
	}
	selector, err := metav1.LabelSelectorAsSelector(allowed.Selector)
	if err != nil {
		return notReady("ClusterZoomAccount %s has an invalid namespace selector: %v", account, err)
	}
	// Labels come from the watched Namespace metadata: no API call per reconcile.
	var ns metav1.PartialObjectMetadata
	ns.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Namespace"))
	if err := r.reader.Get(ctx, types.NamespacedName{Name: namespace}, &ns); err != nil {
		return fmt.Errorf("reading namespace %s: %w", namespace, err)
	}
	if !selector.Matches(labels.Set(ns.Labels)) {
		return &accountError{reason: zoomv1.ReasonForbidden,
			message: fmt.Sprintf("namespace %s is not allowed to use ClusterZoomAccount %s", namespace, account)}
	}
	return nil
}

// connect returns the pooled account when neither the settings nor the
// Secret changed since it authenticated; otherwise it reads the Secret and
// connects, so a resync of many users reads the Secret once.
//
// Every path of a ZoomUser or ZoomGroup to Zoom passes here, and with
// shards another replica's account is refused before any call, even for a
// token, whatever labels the object carries: by the identity that
// authenticated, or the one the Secret claims before it did.
func (r *accountResolver) connect(ctx context.Context, obj accountObject) (*accountpool.Account, error) {
	if acct := r.pool.Cached(obj.key, obj.source); acct != nil {
		return acct, r.shards.check(ctx, acct.Identity)
	}
	creds, err := r.credentials(ctx, obj.source.Secret.Name)
	if err != nil {
		return nil, err
	}
	claimed := accountpool.Identity{APIURL: obj.source.Settings.APIURL, AccountID: creds.AccountID}
	if err := r.shards.check(ctx, claimed); err != nil {
		return nil, err
	}
	acct, err := r.pool.Connect(ctx, obj.key, obj.source, creds)
	return acct, connectError(obj.key, err)
}

// connectError turns what the pool refused into an accountError (waits and
// transient failures pass through to be retried).
func connectError(key accountpool.Key, err error) error {
	var hostErr *accountpool.HostError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &hostErr):
		return &accountError{reason: zoomv1.ReasonAccountNotReady, message: fmt.Sprintf("%s is not Ready (HostNotAllowed): %v", key, err)}
	case zoom.Classify(err) == zoom.KindUnauthorized:
		return &accountError{reason: zoomv1.ReasonAccountNotReady, message: fmt.Sprintf("Zoom refused the credentials of %s: %v", key, err)}
	}
	return err
}

// secretVersion is the Secret's resourceVersion in the metadata cache, or ""
// when the cache does not know it (then the Secret is read).
func secretVersion(ctx context.Context, reader client.Reader, name types.NamespacedName) string {
	var meta metav1.PartialObjectMetadata
	meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	if err := reader.Get(ctx, name, &meta); err != nil {
		return ""
	}
	return meta.ResourceVersion
}

func (r *accountResolver) credentials(ctx context.Context, name types.NamespacedName) (zoom.Credentials, error) {
	var secret corev1.Secret
	if err := r.live.Get(ctx, name, &secret); err != nil {
		return zoom.Credentials{}, missing(err, "Secret %s", name)
	}
	creds, missingKeys := accountpool.SecretCredentials(secret.Data)
	if len(missingKeys) > 0 {
		return zoom.Credentials{}, notReady("Secret %s lacks the keys %v", name, missingKeys)
	}
	return creds, nil
}

// missing turns a NotFound into an accountError and passes other errors on.
func missing(err error, format string, args ...any) error {
	if apierrors.IsNotFound(err) {
		return notReady(format+" not found", args...)
	}
	return err
}

// accountKey names an account object the same way for the index and the pool.
func accountKey(namespace string, ref zoomv1.AccountReference) accountpool.Key {
	if ref.Kind == zoomv1.AccountKindNamespaced {
		return accountpool.Key(string(ref.Kind) + "/" + namespace + "/" + ref.Name)
	}
	return accountpool.Key(string(zoomv1.AccountKindCluster) + "/" + ref.Name)
}
