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

package onboarding

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

const (
	// existingUsers is the size of the account being brought under the
	// operator.
	existingUsers = 1000
	// readyTimeout bounds adoption of existingUsers on a busy two-core
	// machine; at Pro limits it needs a few seconds of Zoom calls.
	readyTimeout = 4 * time.Minute
	// quiet is how long Zoom must hear nothing after the last object is
	// Ready before the writes are counted.
	quiet = 3 * time.Second
	// driftTimeout bounds how long one edited object takes to report.
	driftTimeout = time.Minute
	quietTimeout = 30 * time.Second
)

// TestOnboarding brings accounts of existingUsers users under the operator
// with kubectl zoom export and kubectl apply. Both cases share a control
// plane and a manager; each has its own fake Zoom account, so that its
// counters are its own.
func TestOnboarding(t *testing.T) {
	c := newCluster(t)
	ctx := context.Background()
	if err := testenv.CreateAll(ctx, c.client, testenv.Namespace(testenv.OperatorNamespace)); err != nil {
		t.Fatal(err)
	}
	t.Run("export and adopt", func(t *testing.T) { testExportAndAdopt(ctx, t, c) })
	t.Run("observe only reports drift", func(t *testing.T) { testObserveReportsDrift(ctx, t, c) })
}

// testExportAndAdopt: every exported user becomes Ready as adopted, bound
// to its own Zoom user, and Zoom sees no write at all.
func testExportAndAdopt(ctx context.Context, t *testing.T, c *cluster) {
	const namespace, account = "onboard-all", "onboard-all"
	z := startZoom(t, "onboard-all-account")
	seedUsers(z, existingUsers)
	before := z.Users()
	c.createAccount(ctx, t, account, z)
	if err := testenv.CreateAll(ctx, c.client, testenv.Namespace(namespace)); err != nil {
		t.Fatal(err)
	}

	file := exportUsers(t, z, "--namespace", namespace, "--account-name", account)
	exportCalls := z.Count("")
	c.wantPlan(t, exitChanges, fmt.Sprintf("Plan: 0 to create, %d to adopt, 0 to update, 0 refused, 0 not corrected, 0 unchanged", existingUsers), "-f", file)
	c.apply(t, file)
	objects := c.waitAllReady(ctx, t, namespace, existingUsers, readyTimeout)
	waitQuiet(t, z, quiet, quietTimeout)
	c.wantPlan(t, exitOK, fmt.Sprintf("Plan: 0 to create, 0 to adopt, 0 to update, 0 refused, 0 not corrected, %d unchanged", existingUsers), "-n", namespace)

	if got := writes(z); len(got) > 0 {
		t.Errorf("Zoom saw writes: %v", got)
	}
	if diff := cmp.Diff(before, z.Users()); diff != "" {
		t.Errorf("Zoom's users changed (-before +after):\n%s", diff)
	}
	checkBound(t, objects, before)
	// --pprof-bind-address serves profiles: a gzipped protobuf.
	if heap := c.heapProfile(t); len(heap) < 2 || heap[0] != 0x1f || heap[1] != 0x8b {
		t.Errorf("heap profile is not a gzipped pprof profile (%d bytes)", len(heap))
	}
	t.Logf("Zoom calls: export %d (with its token), then the operator %d: %v", exportCalls, z.Count("")-exportCalls, callsByEndpoint(z))
}

// checkBound checks that each object is adopted and bound to the Zoom user
// of its email, and that every Zoom user has its object.
func checkBound(t *testing.T, objects []zoomv1.ZoomUser, users []zoomfake.User) {
	t.Helper()
	ids := map[string]string{}
	for _, u := range users {
		ids[strings.ToLower(u.Email)] = u.ID
	}
	bound := 0
	for i := range objects {
		zu := &objects[i]
		id, ok := ids[strings.ToLower(zu.Spec.Email)]
		switch {
		case !ok:
			t.Errorf("%s: %s is no Zoom user", zu.Name, zu.Spec.Email)
		case zu.Status.ID != id || !zu.Status.Adopted:
			t.Errorf("%s: status id %q adopted %v; want id %q, adopted", zu.Name, zu.Status.ID, zu.Status.Adopted, id)
		default:
			bound++
		}
	}
	if bound != len(users) {
		t.Errorf("%d of %d Zoom users bound", bound, len(users))
	}
}

// testObserveReportsDrift: objects exported with managementPolicies
// [Observe] are adopted without a write; an object whose spec is then
// edited away from Zoom reports the drift and still causes no write.
func testObserveReportsDrift(ctx context.Context, t *testing.T, c *cluster) {
	const namespace, account = "onboard-observe", "onboard-observe"
	z := startZoom(t, "onboard-observe-account")
	seedUsers(z, existingUsers)
	before := z.Users()
	c.createAccount(ctx, t, account, z)
	if err := testenv.CreateAll(ctx, c.client, testenv.Namespace(namespace)); err != nil {
		t.Fatal(err)
	}

	file := exportUsers(t, z, "--namespace", namespace, "--account-name", account, "--management-policies", "Observe")
	c.apply(t, file)
	objects := c.waitAllReady(ctx, t, namespace, existingUsers, readyTimeout)
	for i := range objects {
		if diff := cmp.Diff(zoomv1.ManagementPolicies{zoomv1.ManagementObserve}, objects[i].Spec.ManagementPolicies); diff != "" {
			t.Fatalf("%s: policies (-want +got):\n%s", objects[i].Name, diff)
		}
	}
	waitQuiet(t, z, quiet, quietTimeout)
	if got := writes(z); len(got) > 0 {
		t.Fatalf("Zoom saw writes before any edit: %v", got)
	}

	// A Licensed user edited to Basic in the cluster only.
	zu := licensedObject(t, objects)
	edited := zu.DeepCopy()
	edited.Spec.Type = zoomv1.UserTypeBasic
	if err := c.client.Patch(ctx, edited, client.MergeFrom(zu)); err != nil {
		t.Fatal(err)
	}
	synced := c.waitSynced(ctx, t, client.ObjectKeyFromObject(zu), edited.Generation, driftTimeout)
	if synced.Status != metav1.ConditionFalse || synced.Reason != zoomv1.ReasonDrifted {
		t.Errorf("Synced %s, reason %s (%s); want False, %s", synced.Status, synced.Reason, synced.Message, zoomv1.ReasonDrifted)
	}
	var got zoomv1.ZoomUser
	if err := c.client.Get(ctx, client.ObjectKeyFromObject(zu), &got); err != nil {
		t.Fatal(err)
	}
	if got.Status.Observed == nil || got.Status.Observed.Type != string(zoomv1.UserTypeLicensed) {
		t.Errorf("status.observed %+v, want type Licensed (what Zoom has)", got.Status.Observed)
	}
	waitQuiet(t, z, quiet, quietTimeout)
	if got := writes(z); len(got) > 0 {
		t.Errorf("Zoom saw writes after the edit: %v", got)
	}
	if diff := cmp.Diff(before, z.Users()); diff != "" {
		t.Errorf("Zoom's users changed (-before +after):\n%s", diff)
	}
}

// licensedObject returns an object of an active Licensed user.
func licensedObject(t *testing.T, objects []zoomv1.ZoomUser) *zoomv1.ZoomUser {
	t.Helper()
	for i := range objects {
		if objects[i].Spec.Type == zoomv1.UserTypeLicensed && objects[i].Spec.State == zoomv1.UserStateActive {
			return &objects[i]
		}
	}
	t.Fatal("no active Licensed user exported")
	return nil
}

// waitSynced waits for the object's Synced condition of generation gen.
func (c *cluster) waitSynced(ctx context.Context, t *testing.T, key client.ObjectKey, gen int64, timeout time.Duration) metav1.Condition {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var zu zoomv1.ZoomUser
		if err := c.client.Get(ctx, key, &zu); err != nil {
			t.Fatal(err)
		}
		if cond := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionSynced); cond != nil && cond.ObservedGeneration >= gen {
			return *cond
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no Synced condition of generation %d after %s; conditions %+v", key, gen, timeout, zu.Status.Conditions)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
