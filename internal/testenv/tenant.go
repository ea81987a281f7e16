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

package testenv

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// Where the operator's own account lives, as config/samples/accounts and
// the docs have it.
const (
	OperatorNamespace = "zoom-operator-system"
	CredentialsSecret = "zoom-s2s"
	DefaultAccount    = "default"
)

// Target is the Zoom an account points at. Empty URLs leave the CRD's
// defaults (real Zoom).
type Target struct {
	Credentials
	APIURL, TokenURL string
}

// Settings points an account at the target.
func (t Target) Settings() zoomv1.AccountSettings {
	return zoomv1.AccountSettings{APIURL: t.APIURL, TokenURL: t.TokenURL}
}

// Secret holds the target's credentials under the keys an account reads.
func (t Target) Secret(namespace, name string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Data: map[string][]byte{
			zoomv1.SecretKeyAccountID:    []byte(t.AccountID),
			zoomv1.SecretKeyClientID:     []byte(t.ClientID),
			zoomv1.SecretKeyClientSecret: []byte(t.ClientSecret),
		},
	}
}

// Namespace is a namespace object.
func Namespace(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

// NamespacedTenant is a namespace with a Secret "zoom-s2s" and a
// ZoomAccount name using it.
func NamespacedTenant(namespace, name string, settings zoomv1.AccountSettings, t Target) []client.Object {
	return []client.Object{
		Namespace(namespace),
		t.Secret(namespace, CredentialsSecret),
		&zoomv1.ZoomAccount{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
			Spec: zoomv1.ZoomAccountSpec{
				CredentialsSecretRef: zoomv1.LocalSecretReference{Name: CredentialsSecret},
				AccountSettings:      settings,
			},
		},
	}
}

// DefaultClusterTenant is the operator's namespace with its Secret and the
// ClusterZoomAccount "default" that ZoomUsers naming no account use.
func DefaultClusterTenant(settings zoomv1.AccountSettings, t Target) []client.Object {
	return append([]client.Object{Namespace(OperatorNamespace)},
		ClusterAccount(DefaultAccount, CredentialsSecret, settings, t)...)
}

// ClusterAccount is a Secret secretName in the operator's namespace, which
// must exist, and the ClusterZoomAccount name using it. Several of them,
// each with a Target of its own, make several Zoom accounts in one manager.
func ClusterAccount(name, secretName string, settings zoomv1.AccountSettings, t Target) []client.Object {
	return []client.Object{
		t.Secret(OperatorNamespace, secretName),
		&zoomv1.ClusterZoomAccount{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: zoomv1.ClusterZoomAccountSpec{
				CredentialsSecretRef: zoomv1.SecretReference{Name: secretName, Namespace: OperatorNamespace},
				AccountSettings:      settings,
			},
		},
	}
}

// CreateAll creates the objects in order.
func CreateAll(ctx context.Context, c client.Client, objs ...client.Object) error {
	for _, obj := range objs {
		if err := c.Create(ctx, obj); err != nil {
			return fmt.Errorf("creating %T %s: %w", obj, obj.GetName(), err)
		}
	}
	return nil
}

var namespaceSeq atomic.Int64

// UniqueNamespace makes a valid namespace name from a test's name, unique
// within the process, so that parallel tests never share a namespace.
func UniqueNamespace(testName string) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(testName))
	name = fmt.Sprintf("t%d-%s", namespaceSeq.Add(1), name)
	return strings.TrimRight(name[:min(len(name), 63)], "-")
}
