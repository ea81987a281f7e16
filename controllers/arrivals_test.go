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
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

func TestChangeArrivalsTellsABulkFromAPerson(t *testing.T) {
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	const low = handler.LowPriority
	tests := map[string]struct {
		gaps []time.Duration // before each change, from the previous one
		want []int           // the priority of each change
	}{
		"a person's changes, seconds apart, keep the default priority": {
			gaps: []time.Duration{0, 5 * time.Second, 5 * time.Second, 2 * time.Second},
			want: []int{0, 0, 0, 0},
		},
		"a burst of up to interactiveBurst goes first": {
			gaps: make([]time.Duration, interactiveBurst),
			want: make([]int, interactiveBurst),
		},
		"a bulk beyond the burst is low": {
			gaps: make([]time.Duration, interactiveBurst+3),
			want: append(make([]int, interactiveBurst), low, low, low),
		},
		"after a bulk, a person's change a few seconds later is first again": {
			gaps: append(make([]time.Duration, interactiveBurst+2), 3*time.Second),
			want: append(make([]int, interactiveBurst), low, low, 0),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			a := newChangeArrivals()
			now := start
			var got []int
			for _, gap := range tc.gaps {
				now = now.Add(gap)
				got = append(got, a.priority("team-a", now))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("priorities (-want +got):\n%s", diff)
			}
		})
	}
}

// One team's bulk leaves another team's changes at the default priority,
// and the allowances of namespaces whose pace calmed down are let go.
func TestChangeArrivalsArePacedPerNamespace(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	a := newChangeArrivals()
	for range interactiveBurst + 5 {
		a.priority("bulk", now)
	}
	if got := a.priority("bulk", now); got != handler.LowPriority {
		t.Fatalf("the bulk's next change: priority %d, want low", got)
	}
	if got := a.priority("person", now); got != 0 {
		t.Errorf("another namespace's change during the bulk: priority %d, want the default", got)
	}
	// A bulk spread over many namespaces, a few each, is still a bulk.
	var spread []int
	for i := range clusterBurst + 10 {
		spread = append(spread, a.priority(fmt.Sprintf("spread-%d", i%25), now))
	}
	if got := spread[len(spread)-1]; got != handler.LowPriority {
		t.Errorf("the %dth change of a bulk over 25 namespaces: priority %d, want low", len(spread), got)
	}
	later := now.Add(time.Hour)
	for i := range pruneEvery {
		a.priority(fmt.Sprintf("once-%d", i%3), later)
	}
	if _, kept := a.allowances["bulk"]; kept || len(a.allowances) > 3 {
		t.Errorf("after an hour's calm %d allowances are held (bulk's kept: %v), want the few in use", len(a.allowances), kept)
	}
}

// TestBulkCreatesQueueBehindAPersonsCreate feeds controller-runtime's
// priority queue through the ZoomUser handler: 300 creates of a bulk apply
// arrive at once, then, two seconds later, one a person makes. The person's
// comes out after at most the bulk's first interactiveBurst, instead of
// 301st.
func TestBulkCreatesQueueBehindAPersonsCreate(t *testing.T) {
	q := priorityqueue.New[reconcile.Request]("arrivals-test")
	defer q.ShutDown()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	arrivals := newChangeArrivals()
	arrivals.now = func() time.Time { return now }
	var low pacedWaits
	arrivals.queuedLow = func(key types.NamespacedName, generation int64) { low.settle(key, generation, true) }
	h := arrivals.handler()
	create := func(name string) {
		zu := &zoomv1.ZoomUser{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: name}}
		h.Create(context.Background(), event.CreateEvent{Object: zu}, q)
	}
	for i := range 300 {
		create(fmt.Sprintf("bulk-%03d", i))
	}
	now = now.Add(2 * time.Second)
	create("person")
	// The bulk beyond the burst also takes the budget's low class from its
	// first attempt; the person's and the burst's do not.
	key := func(name string) types.NamespacedName { return types.NamespacedName{Namespace: "team-a", Name: name} }
	if low.retrying(key("person"), 0) || low.retrying(key("bulk-000"), 0) || !low.retrying(key("bulk-299"), 0) {
		t.Errorf("low class: person %v, bulk-000 %v, bulk-299 %v; want false, false, true",
			low.retrying(key("person"), 0), low.retrying(key("bulk-000"), 0), low.retrying(key("bulk-299"), 0))
	}
	// The queue takes additions in the background; wait until it holds
	// them all, as a backlog would.
	for deadline := time.Now().Add(5 * time.Second); q.Len() < 301; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the queue holds %d requests, want 301", q.Len())
		}
	}

	for taken := 1; taken <= 301; taken++ {
		req, _, _ := q.GetWithPriority()
		q.Done(req)
		if req.Name == "person" {
			if taken > interactiveBurst+1 {
				t.Errorf("the person's ZoomUser came out %dth, want within the first %d", taken, interactiveBurst+1)
			}
			return
		}
	}
	t.Fatal("the person's ZoomUser never came out")
}
