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
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// reconcileEnd is how one reconcile of a ZoomUser ended, as the reconciler
// reports it to pacedWaits.
type reconcileEnd struct {
	key        string
	generation int64
	paced      bool
	deleted    bool
}

func TestPacedWaitsMarksRetries(t *testing.T) {
	tests := map[string]struct {
		history []reconcileEnd
		key     string
		gen     int64
		want    bool
	}{
		"an object never seen is a first attempt": {
			key: "a", gen: 1, want: false,
		},
		"after a paced wait the next reconcile is a retry": {
			history: []reconcileEnd{{key: "a", generation: 1, paced: true}},
			key:     "a", gen: 1, want: true,
		},
		"a retry stays one while the budget keeps sending it away": {
			history: []reconcileEnd{{key: "a", generation: 1, paced: true}, {key: "a", generation: 1, paced: true}},
			key:     "a", gen: 1, want: true,
		},
		"a reconcile that ends without a paced wait clears it": {
			history: []reconcileEnd{{key: "a", generation: 1, paced: true}, {key: "a", generation: 1}},
			key:     "a", gen: 1, want: false,
		},
		"a person's edit (a new generation) is a first attempt again": {
			history: []reconcileEnd{{key: "a", generation: 1, paced: true}},
			key:     "a", gen: 2, want: false,
		},
		"a deleted object is forgotten": {
			history: []reconcileEnd{{key: "a", generation: 1, paced: true}, {key: "a", deleted: true}},
			key:     "a", gen: 1, want: false,
		},
		"another object's paced wait does not count": {
			history: []reconcileEnd{{key: "b", generation: 1, paced: true}},
			key:     "a", gen: 1, want: false,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var p pacedWaits
			for _, h := range tc.history {
				key := types.NamespacedName{Namespace: "ns", Name: h.key}
				if h.deleted {
					p.forget(key)
					continue
				}
				p.settle(key, h.generation, h.paced)
			}
			if got := p.retrying(types.NamespacedName{Namespace: "ns", Name: tc.key}, tc.gen); got != tc.want {
				t.Errorf("retrying = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPacedWaitsHoldOnlyObjectsWaiting(t *testing.T) {
	var p pacedWaits
	for i := range 100 {
		key := types.NamespacedName{Namespace: "ns", Name: string(rune('a' + i%26))}
		p.settle(key, 1, true)
		p.settle(key, 1, false)
	}
	if len(p.generation) != 0 {
		t.Errorf("%d entries left after every object reconciled without a paced wait, want 0", len(p.generation))
	}
}

func TestResultPriority(t *testing.T) {
	low := new(handler.LowPriority)
	paced := zoomOutcome(&zoom.WaitError{Delay: 2 * time.Second, Reason: "the account's Light request budget is spent"}, time.Now())
	tests := map[string]struct {
		out  outcome
		want *int
	}{
		"a paced wait comes back as a low priority retry": {out: paced, want: low},
		"another wait keeps the priority it came with":    {out: waiting(zoomv1.ReasonRateLimited, "429", time.Second)},
		"a resync goes to the back":                       {out: ready(zoomv1.ReasonSynced, ""), want: low},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res, err := result(tc.out, time.Minute)
			if err != nil {
				t.Fatalf("result: %v", err)
			}
			if diff := cmp.Diff(tc.want, res.Priority); diff != "" {
				t.Errorf("Priority (-want +got):\n%s", diff)
			}
		})
	}
}
