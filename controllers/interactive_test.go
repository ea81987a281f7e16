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
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// TestNewUserOvertakesPacedBulk: while 300 ZoomUsers wait for an account's
// budget (Free: 3.8 Light calls a second, so the bulk needs about 80 s),
// a ZoomUser created in their midst is Ready after only a few of them. Its
// first attempt reserves a turn up to maxWait ahead while the bulk's paced
// retries reserve only half as far, and the work queue takes its event
// before their retries. Without that it would compete with every retry
// alike and wait, on average, for most of the bulk.
func TestNewUserOvertakesPacedBulk(t *testing.T) {
	const (
		bulk = 300
		// overtakenBy bounds the bulk users Ready while the new one waits:
		// one second of budget is under 4 turns; the rest is headroom for
		// a loaded machine's status writes.
		overtakenBy = 20
	)
	tn := newPlanTenant(t, zoomv1.PlanFree)
	orphan := func(zu *zoomv1.ZoomUser) { zu.Spec.DeletionPolicy = zoomv1.DeletionPolicyOrphan }
	for i := range bulk {
		tn.create(tn.user(fmt.Sprintf("bulk-%03d", i), fmt.Sprintf("bulk-%03d@example.com", i), orphan))
	}
	// A third of the bulk has had its first attempt: those are paced
	// retries now, the rest still wait in the queue for their first. (Not
	// all of them: on a loaded machine the first pass can take longer than
	// the budget needs to serve half the bulk, and the test could not tell.)
	var readyBefore int
	waitFor(t, "a third of the bulk ZoomUsers reconciled once", func() bool {
		seen, ready := tn.bulkProgress()
		readyBefore = ready
		return seen >= bulk/3
	})
	if readyBefore+overtakenBy >= bulk/2 {
		t.Fatalf("%d of %d bulk users Ready before the new one was created: too many for the test to tell", readyBefore, bulk)
	}

	tn.create(tn.user("person", "person@example.com", orphan))
	var readyAfter int
	waitFor(t, "the new ZoomUser Ready", func() bool {
		var zu zoomv1.ZoomUser
		if err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: "person"}, &zu); err != nil || !readyAtGeneration(&zu) {
			return false
		}
		_, readyAfter = tn.bulkProgress()
		return true
	})
	t.Logf("bulk Ready: %d when the new user was created, %d when it was Ready", readyBefore, readyAfter)
	if readyAfter-readyBefore > overtakenBy || readyAfter > bulk/2 {
		t.Errorf("%d bulk users became Ready while the new one waited (%d of %d Ready by then), want at most %d and fewer than half",
			readyAfter-readyBefore, readyAfter, bulk, overtakenBy)
	}
}

// newPlanTenant is newTenant with an account of the given plan; its users
// are left waiting for the account when the test ends, instead of going on
// spending the machine's time on the bulk.
func newPlanTenant(t *testing.T, plan zoomv1.Plan) *tenant {
	t.Helper()
	fake, err := testenv.StartZoom(testenv.ZoomOptions{Fake: zoomfake.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	tn := &tenant{t: t, k8s: suite.k8s, fake: fake, ns: namespaceFor(t)}
	settings := tn.settings(false)
	settings.Plan = plan
	for _, obj := range testenv.NamespacedTenant(tn.ns, "zoom", settings, fake.Target()) {
		tn.create(obj)
	}
	t.Cleanup(func() {
		_ = tn.k8s.Delete(context.Background(), &zoomv1.ZoomAccount{ObjectMeta: metav1.ObjectMeta{Namespace: tn.ns, Name: "zoom"}})
	})
	return tn
}

// bulkProgress counts the bulk ZoomUsers reconciled at least once (they
// have a Ready condition) and those Ready.
func (tn *tenant) bulkProgress() (seen, ready int) {
	var list zoomv1.ZoomUserList
	if err := tn.k8s.List(context.Background(), &list, client.InNamespace(tn.ns)); err != nil {
		tn.t.Fatalf("listing ZoomUsers: %v", err)
	}
	for i := range list.Items {
		zu := &list.Items[i]
		if !strings.HasPrefix(zu.Name, "bulk-") {
			continue
		}
		if meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReady) != nil {
			seen++
		}
		if readyAtGeneration(zu) {
			ready++
		}
	}
	return seen, ready
}

// waitFor polls cond until it holds, and fails the test after waitTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(waitTimeout); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, waitTimeout)
		}
	}
}
