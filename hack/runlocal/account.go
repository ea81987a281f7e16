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

package main

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// Where the operator's own account lives, as config/samples/accounts and the
// docs expect it.
const (
	operatorNamespace = "zoom-operator-system"
	credentialsSecret = "zoom-s2s"
	defaultAccount    = "default"
)

// createAccount creates the credentials Secret and the ClusterZoomAccount
// "default" that the sample ZoomUsers use when they name no account.
func (s *session) createAccount(ctx context.Context) error {
	objs := []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: operatorNamespace}},
		credentialsSecretFor(s.zoom),
		clusterAccountFor(s.zoom),
	}
	for _, obj := range objs {
		if err := s.client.Create(ctx, obj); err != nil {
			return fmt.Errorf("creating %s: %w", s.describe(obj), err)
		}
	}
	s.say("created namespace %s, Secret %s, ClusterZoomAccount %s (plan %s)",
		operatorNamespace, credentialsSecret, defaultAccount, zoomv1.PlanPro)
	return nil
}

func credentialsSecretFor(z zoomTarget) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: credentialsSecret, Namespace: operatorNamespace},
		Data: map[string][]byte{
			zoomv1.SecretKeyAccountID:    []byte(z.accountID),
			zoomv1.SecretKeyClientID:     []byte(z.clientID),
			zoomv1.SecretKeyClientSecret: []byte(z.clientSecret),
		},
	}
}

func clusterAccountFor(z zoomTarget) *zoomv1.ClusterZoomAccount {
	return &zoomv1.ClusterZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: defaultAccount},
		Spec: zoomv1.ClusterZoomAccountSpec{
			CredentialsSecretRef: zoomv1.SecretReference{Name: credentialsSecret, Namespace: operatorNamespace},
			AccountSettings: zoomv1.AccountSettings{
				Plan:     zoomv1.PlanPro,
				APIURL:   z.apiURL,
				TokenURL: z.tokenURL,
			},
		},
	}
}
