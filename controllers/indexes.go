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
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// Field indexes, so that a change to an account, a Secret or a ZoomUser
// requeues only the objects it concerns.
const (
	accountRefIndex     = "spec.accountRef"           // ZoomUser, ZoomGroup -> account key
	emailIndex          = "spec.email"                // ZoomUser -> lower-cased email
	passwordSecretIndex = "spec.passwordSecretRef"    // ZoomUser -> namespace/name
	credentialsIndex    = "spec.credentialsSecretRef" // accounts -> namespace/name
)

type fieldIndex struct {
	obj   client.Object
	field string
	fn    client.IndexerFunc
}

// accountRefIndexes serve both the manager's cache and the sharder's.
var accountRefIndexes = []fieldIndex{
	{&zoomv1.ZoomUser{}, accountRefIndex, func(o client.Object) []string {
		zu := o.(*zoomv1.ZoomUser)
		return []string{string(accountKey(zu.Namespace, zu.Spec.AccountRef))}
	}},
	{&zoomv1.ZoomGroup{}, accountRefIndex, func(o client.Object) []string {
		zg := o.(*zoomv1.ZoomGroup)
		return []string{string(accountKey(zg.Namespace, zg.Spec.AccountRef))}
	}},
}

func indexAccountRefs(ctx context.Context, indexer client.FieldIndexer) error {
	return addIndexes(ctx, indexer, accountRefIndexes)
}

func indexFields(ctx context.Context, indexer client.FieldIndexer) error {
	indexes := append(slices.Clone(accountRefIndexes), []fieldIndex{
		{&zoomv1.ZoomUser{}, emailIndex, func(o client.Object) []string {
			return []string{strings.ToLower(o.(*zoomv1.ZoomUser).Spec.Email)}
		}},
		{&zoomv1.ZoomUser{}, passwordSecretIndex, func(o client.Object) []string {
			zu := o.(*zoomv1.ZoomUser)
			if zu.Spec.PasswordSecretRef == nil {
				return nil
			}
			return []string{zu.Namespace + "/" + zu.Spec.PasswordSecretRef.Name}
		}},
		{&zoomv1.ZoomAccount{}, credentialsIndex, func(o client.Object) []string {
			za := o.(*zoomv1.ZoomAccount)
			return []string{za.Namespace + "/" + za.Spec.CredentialsSecretRef.Name}
		}},
		{&zoomv1.ClusterZoomAccount{}, credentialsIndex, func(o client.Object) []string {
			ref := o.(*zoomv1.ClusterZoomAccount).Spec.CredentialsSecretRef
			return []string{ref.Namespace + "/" + ref.Name}
		}},
	}...)
	return addIndexes(ctx, indexer, indexes)
}

func addIndexes(ctx context.Context, indexer client.FieldIndexer, indexes []fieldIndex) error {
	for _, ix := range indexes {
		if err := indexer.IndexField(ctx, ix.obj, ix.field, ix.fn); err != nil {
			return err
		}
	}
	return nil
}

// mapper turns a watched object into the requests it concerns.
type mapper struct {
	reader client.Reader
}

func (m *mapper) usersOfAccount(ctx context.Context, obj client.Object) []reconcile.Request {
	ref := zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: obj.GetName()}
	if _, namespaced := obj.(*zoomv1.ZoomAccount); namespaced {
		ref.Kind = zoomv1.AccountKindNamespaced
	}
	return m.users(ctx, client.MatchingFields{accountRefIndex: string(accountKey(obj.GetNamespace(), ref))})
}

// usersInNamespace re-checks a namespace's users when its labels change,
// since a ClusterZoomAccount's allowedNamespaces selector may now say
// otherwise.
func (m *mapper) usersInNamespace(ctx context.Context, obj client.Object) []reconcile.Request {
	return m.users(ctx, client.InNamespace(obj.GetName()))
}

func (m *mapper) usersSharingEmail(ctx context.Context, obj client.Object) []reconcile.Request {
	return m.users(ctx, client.MatchingFields{emailIndex: strings.ToLower(obj.(*zoomv1.ZoomUser).Spec.Email)})
}

// usersOfSecret covers both uses of a Secret: autoCreate passwords and the
// credentials of an account (a rotation must reach every user of it).
func (m *mapper) usersOfSecret(ctx context.Context, obj client.Object) []reconcile.Request {
	key := obj.GetNamespace() + "/" + obj.GetName()
	reqs := m.users(ctx, client.MatchingFields{passwordSecretIndex: key})
	for _, acct := range m.accountsOfSecret(ctx, obj) {
		reqs = append(reqs, m.usersOfAccount(ctx, acct)...)
	}
	return reqs
}

func (m *mapper) accountsOfSecret(ctx context.Context, obj client.Object) []client.Object {
	key := client.MatchingFields{credentialsIndex: obj.GetNamespace() + "/" + obj.GetName()}
	var out []client.Object
	var namespaced zoomv1.ZoomAccountList
	if m.list(ctx, &namespaced, key, client.InNamespace(obj.GetNamespace())) {
		for i := range namespaced.Items {
			out = append(out, &namespaced.Items[i])
		}
	}
	var cluster zoomv1.ClusterZoomAccountList
	if m.list(ctx, &cluster, key) {
		for i := range cluster.Items {
			out = append(out, &cluster.Items[i])
		}
	}
	return out
}

func (m *mapper) users(ctx context.Context, opts ...client.ListOption) []reconcile.Request {
	var users zoomv1.ZoomUserList
	if !m.list(ctx, &users, opts...) {
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(users.Items))
	for _, u := range users.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: u.Namespace, Name: u.Name}})
	}
	return reqs
}

func (m *mapper) list(ctx context.Context, list client.ObjectList, opts ...client.ListOption) bool {
	if err := m.reader.List(ctx, list, opts...); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "listing objects for a watch")
		return false
	}
	return true
}
