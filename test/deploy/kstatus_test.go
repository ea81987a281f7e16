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

package deploy

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// A daily 429 as Zoom sends it. Injected without an end, it keeps a
// ZoomUser waiting for the next reset for the whole test.
var dailyLimit = zoomfake.Fault{
	Status:  http.StatusTooManyRequests,
	Code:    429,
	Message: "You have exceeded the daily rate limit (100) of user invite requests permitted for this account.",
	Headers: map[string]string{"X-RateLimit-Type": "Daily-limit", "X-RateLimit-Category": "Light"},
}

// TestKstatusOfLiveZoomUsers drives real ZoomUsers through the manager and
// the fake Zoom into each state, then reads the live objects with kstatus
// (as kpt, Config Sync and Flux do) and with the Argo CD health script.
func TestKstatusOfLiveZoomUsers(t *testing.T) {
	c := needCluster(t)
	argoScript := readScript(t, "ZoomUser")

	t.Run("ReadyIsCurrent", func(t *testing.T) {
		t.Parallel()
		tn := newTenant(t, c, zoomfake.Options{})
		tn.createUser(t, "ready", zoomv1.ActionSSOCreate, zoomv1.UserTypeBasic)
		u, zu := tn.waitUser(t, "ready", "Ready at its generation", readyAtGeneration)

		cond := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReady)
		checkKstatus(t, u, status.CurrentStatus, "Resource is Ready")
		checkArgoHealth(t, argoScript, u, healthStatus{Status: "Healthy", Message: cond.Message})
	})

	t.Run("RateLimitedIsInProgress", func(t *testing.T) {
		t.Parallel()
		tn := newTenant(t, c, zoomfake.Options{})
		fault := dailyLimit
		fault.Endpoint = zoomfake.EndpointCreateUser
		tn.fake.InjectFault(fault)
		tn.createUser(t, "limited", zoomv1.ActionCreate, zoomv1.UserTypeBasic)
		u, zu := tn.waitUser(t, "limited", "Reconciling because of a rate limit", func(zu *zoomv1.ZoomUser) bool {
			return conditionIs(zu, zoomv1.ConditionReconciling, metav1.ConditionTrue, zoomv1.ReasonRateLimited)
		})

		cond := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReconciling)
		checkKstatus(t, u, status.InProgressStatus, cond.Message)
		checkArgoHealth(t, argoScript, u, healthStatus{Status: "Progressing", Message: cond.Message})
	})

	t.Run("StalledIsFailed", func(t *testing.T) {
		t.Parallel()
		// The account's only paid seat is taken, so Zoom refuses a second
		// Licensed user: only a change of the spec or of Zoom can help.
		tn := newTenant(t, c, zoomfake.Options{MaxLicensed: 1})
		tn.fake.AddUser(zoomfake.User{Email: "seat-holder@example.com", FirstName: "Seat", LastName: "Holder", Type: 2})
		tn.createUser(t, "stalled", zoomv1.ActionSSOCreate, zoomv1.UserTypeLicensed)
		u, zu := tn.waitUser(t, "stalled", "Stalled at its generation", func(zu *zoomv1.ZoomUser) bool {
			return zu.Status.ObservedGeneration == zu.Generation &&
				conditionIs(zu, zoomv1.ConditionStalled, metav1.ConditionTrue, "")
		})

		cond := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionStalled)
		checkKstatus(t, u, status.FailedStatus, cond.Message)
		checkArgoHealth(t, argoScript, u, healthStatus{Status: "Degraded", Message: cond.Message})
	})

	t.Run("LaggingGenerationIsInProgress", func(t *testing.T) {
		t.Parallel()
		tn := newTenant(t, c, zoomfake.Options{})
		tn.createUser(t, "edited", zoomv1.ActionSSOCreate, zoomv1.UserTypeBasic)
		_, zu := tn.waitUser(t, "edited", "Ready at its generation", readyAtGeneration)

		// Zoom now refuses every update, so the new generation is seen but
		// never fully handled.
		fault := dailyLimit
		fault.Endpoint = zoomfake.EndpointUpdateUser
		tn.fake.InjectFault(fault)
		gen := zu.Generation
		zu.Spec.FirstName = "Augusta"
		if err := c.client.Update(context.Background(), zu); err != nil {
			t.Fatal(err)
		}
		u, zu := tn.waitUser(t, "edited", "Reconciling the new generation", func(zu *zoomv1.ZoomUser) bool {
			cond := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReconciling)
			return zu.Generation > gen && cond != nil && cond.Status == metav1.ConditionTrue && cond.ObservedGeneration == zu.Generation
		})
		if zu.Status.ObservedGeneration >= zu.Generation {
			t.Fatalf("observedGeneration = %d, want it behind generation %d while Zoom refuses the update",
				zu.Status.ObservedGeneration, zu.Generation)
		}

		want := fmt.Sprintf("ZoomUser generation is %d, but latest observed generation is %d", zu.Generation, zu.Status.ObservedGeneration)
		checkKstatus(t, u, status.InProgressStatus, want)
		cond := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReconciling)
		checkArgoHealth(t, argoScript, u, healthStatus{Status: "Progressing", Message: cond.Message})
	})
}

func checkKstatus(t *testing.T, u *unstructured.Unstructured, want status.Status, wantMessage string) {
	t.Helper()
	res, err := status.Compute(u)
	if err != nil {
		t.Fatalf("kstatus: %v", err)
	}
	if res.Status != want || res.Message != wantMessage {
		t.Errorf("kstatus = %s %q, want %s %q\nconditions: %v", res.Status, res.Message, want, wantMessage, u.Object["status"])
	}
}

func checkArgoHealth(t *testing.T, script string, u *unstructured.Unstructured, want healthStatus) {
	t.Helper()
	got, err := runHealthScript(script, u.Object)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Argo CD health (-want +got):\n%s", diff)
	}
}

func readyAtGeneration(zu *zoomv1.ZoomUser) bool {
	return zu.Status.ObservedGeneration == zu.Generation &&
		conditionIs(zu, zoomv1.ConditionReady, metav1.ConditionTrue, "")
}

// conditionIs tells whether a condition has that status and, unless reason
// is empty, that reason, for the object's current generation.
func conditionIs(zu *zoomv1.ZoomUser, typ string, s metav1.ConditionStatus, reason string) bool {
	c := meta.FindStatusCondition(zu.Status.Conditions, typ)
	return c != nil && c.Status == s && (reason == "" || c.Reason == reason) && c.ObservedGeneration == zu.Generation
}

// tenant is one test's namespace, with a ZoomAccount "zoom" whose Secret
// holds the credentials of the test's own fake Zoom.
type tenant struct {
	c    *cluster
	ns   string
	fake *fakeZoom
}

func newTenant(t *testing.T, c *cluster, opts zoomfake.Options) *tenant {
	t.Helper()
	tn := &tenant{c: c, fake: newFakeZoom(t, opts), ns: namespaceFor(t)}
	c.ensureNamespace(t, tn.ns)
	c.create(t, tn.fake.secret(tn.ns, "zoom-s2s"))
	c.create(t, &zoomv1.ZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "zoom", Namespace: tn.ns},
		Spec: zoomv1.ZoomAccountSpec{
			CredentialsSecretRef: zoomv1.LocalSecretReference{Name: "zoom-s2s"},
			AccountSettings:      tn.fake.settings(),
		},
	})
	return tn
}

// namespaceFor makes a unique, valid namespace name from the test's name.
func namespaceFor(t *testing.T) string { return testenv.UniqueNamespace(t.Name()) }

func (tn *tenant) createUser(t *testing.T, name string, action zoomv1.CreateAction, typ zoomv1.UserType) {
	t.Helper()
	tn.c.create(t, &zoomv1.ZoomUser{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: tn.ns},
		Spec: zoomv1.ZoomUserSpec{
			Email:      name + "@example.com",
			Action:     action,
			Type:       typ,
			FirstName:  "Ada",
			LastName:   "Lovelace",
			AccountRef: zoomv1.AccountReference{Kind: zoomv1.AccountKindNamespaced, Name: "zoom"},
		},
	})
}

// waitUser polls a ZoomUser until ok holds and returns it both as the API
// server sent it and typed, from the same read.
func (tn *tenant) waitUser(t *testing.T, name, what string, ok func(*zoomv1.ZoomUser) bool) (*unstructured.Unstructured, *zoomv1.ZoomUser) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(zoomv1.GroupVersion.WithKind("ZoomUser"))
		err := tn.c.client.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: name}, u)
		zu := &zoomv1.ZoomUser{}
		if err == nil {
			err = runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, zu)
		}
		if err == nil && ok(zu) {
			return u, zu
		}
		if time.Now().After(deadline) {
			t.Fatalf("ZoomUser %s/%s never became %s; last status %+v (err %v)", tn.ns, name, what, zu.Status, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestKstatusOfZoomGroups reads the ZoomGroup objects of the Argo CD cases
// with kstatus, as kpt, Config Sync and Flux do: the conditions the
// operator writes must mean the same to both.
func TestKstatusOfZoomGroups(t *testing.T) {
	dir := argoTestdata + "/ZoomGroup/testdata/"
	tests := map[string]struct {
		want    status.Status
		message string
	}{
		"ready.yaml":              {status.CurrentStatus, "Resource is Ready"},
		"ready-with-pending.yaml": {status.CurrentStatus, "Resource is Ready"},
		"rate-limited.yaml":       {status.InProgressStatus, "Zoom's per-second rate limit was reached; 40 members left to add"},
		"adoption-refused.yaml":   {status.FailedStatus, "a Zoom group named Team A exists and the account does not allow adoptExistingGroups"},
		"generation-lag.yaml":     {status.InProgressStatus, "ZoomGroup generation is 3, but latest observed generation is 2"},
	}
	for file, tc := range tests {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(dir + file)
			if err != nil {
				t.Fatal(err)
			}
			// The JSON decoder of unstructured keeps integers as int64, as
			// kstatus expects of objects read from a cluster.
			js, err := yaml.YAMLToJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(js); err != nil {
				t.Fatal(err)
			}
			checkKstatus(t, u, tc.want, tc.message)
		})
	}
}
