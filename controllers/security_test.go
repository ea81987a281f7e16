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
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// No secret value (client secret, access token, password) may appear in
// the manager's logs (captured at debug level), in events, in any status or
// in the metrics, through a scenario that makes the operator report errors.
func TestNoSecretLeaks(t *testing.T) {
	t.Parallel()
	// One licence, already taken, so that Zoom refuses a licensed user.
	tn := newTenant(t, zoomfake.Options{MaxLicensed: 1}, false)
	tn.fake.AddUser(zoomfake.User{Email: "holder@example.com", FirstName: "Holder", Type: 2})
	const (
		password    = "Pa55wordLeakCheck"
		wrongSecret = "wrong-secret-leak-check"
	)
	// A user with a password, one that meets a 5xx, one refused by Zoom.
	tn.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "pw", Namespace: tn.ns, Labels: passwordLabel}, StringData: map[string]string{"password": password}})
	tn.create(tn.user("auto", "auto@example.com", func(zu *zoomv1.ZoomUser) {
		zu.Spec.Action, zu.Spec.DeletionPolicy = zoomv1.ActionAutoCreate, zoomv1.DeletionPolicyDelete
		zu.Spec.PasswordSecretRef = &zoomv1.SecretKeyReference{Name: "pw", Key: "password"}
	}))
	tn.fake.InjectFault(zoomfake.Fault{Endpoint: zoomfake.EndpointCreateUser, Times: 1, Status: http.StatusInternalServerError, Code: 500, Message: "boom"})
	tn.create(tn.user("bad", "bad@example.com", func(zu *zoomv1.ZoomUser) {
		zu.Spec.LastName = strings.Repeat("x", 64)
		zu.Spec.Type = zoomv1.UserTypeLicensed
	}))
	tn.waitReady("auto")
	tn.waitReason("bad", zoomv1.ReasonZoomError) // refused: "You can add max 1 paid users"
	// Expired tokens are renewed, and an account with a wrong secret fails.
	tn.fake.ExpireTokens()
	tn.edit("auto", func(zu *zoomv1.ZoomUser) { zu.Spec.FirstName = "Renewed" })
	tn.waitZoom("auto@example.com", "renamed", func(u zoomfake.User, _ bool) bool { return u.FirstName == "Renewed" })
	tn.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "wrong", Namespace: tn.ns}, StringData: map[string]string{
		zoomv1.SecretKeyAccountID: testenv.FakeCredentials.AccountID, zoomv1.SecretKeyClientID: testenv.FakeCredentials.ClientID, zoomv1.SecretKeyClientSecret: wrongSecret}})
	tn.create(&zoomv1.ZoomAccount{ObjectMeta: metav1.ObjectMeta{Name: "wrong", Namespace: tn.ns},
		Spec: zoomv1.ZoomAccountSpec{CredentialsSecretRef: zoomv1.LocalSecretReference{Name: "wrong"}, AccountSettings: tn.settings(false)}})
	tn.create(tn.user("denied", "denied@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.AccountRef.Name = "wrong" }))
	tn.waitReason("denied", zoomv1.ReasonAccountNotReady)
	waitAccountNamed(t, tn, "wrong", metav1.ConditionFalse, zoomv1.ReasonAuthFailed)
	time.Sleep(time.Second) // let the last events and logs land

	secrets := append([]string{testenv.FakeCredentials.ClientSecret, password, wrongSecret}, tn.fake.IssuedTokens()...)
	if len(secrets) < 5 {
		t.Fatalf("expected at least two issued tokens to search for, have %d", len(secrets)-3)
	}
	for where, text := range map[string]string{
		"logs":    managerLogs.String(),
		"events":  dump(t, &eventsv1.EventList{}),
		"users":   dump(t, &zoomv1.ZoomUserList{}),
		"account": dump(t, &zoomv1.ZoomAccountList{}),
		"cluster": dump(t, &zoomv1.ClusterZoomAccountList{}),
		"metrics": metricsText(t),
	} {
		if len(text) < 100 && where != "cluster" { // no ClusterZoomAccount may exist now
			t.Errorf("%s: almost nothing captured (%d bytes): the search would prove nothing", where, len(text))
		}
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s contain the secret value %q", where, s)
			}
		}
	}
}

func dump(t *testing.T, list client.ObjectList) string {
	t.Helper()
	if err := k8s.List(context.Background(), list); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func metricsText(t *testing.T) string {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, mf := range families {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}
