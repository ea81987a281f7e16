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

package shard

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func accountKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = Key("https://api.zoom.us/v2", fmt.Sprintf("account-%d", i))
	}
	return keys
}

// A departure moves only the departed member's accounts, an arrival only
// the accounts the newcomer wins, and every member gets a fair share.
func TestOwnerMovesOnlyWhatItMust(t *testing.T) {
	keys := accountKeys(3000)
	three := []string{"a", "b", "c"}
	before := map[string]string{}
	share := map[string]int{}
	for _, k := range keys {
		before[k] = Owner(three, k)
		share[before[k]]++
	}
	for _, m := range three {
		if share[m] < 800 || share[m] > 1200 {
			t.Errorf("member %s owns %d of 3000 accounts, want about 1000: %v", m, share[m], share)
		}
	}
	for _, k := range keys {
		after := Owner([]string{"a", "c"}, k) // b left
		if before[k] != "b" && after != before[k] {
			t.Fatalf("account %s moved from %s to %s when b left", k, before[k], after)
		}
		joined := Owner([]string{"a", "b", "c", "d"}, k)
		if joined != "d" && joined != before[k] {
			t.Fatalf("account %s moved from %s to %s when d joined", k, before[k], joined)
		}
	}
}

func TestOwnerIgnoresMemberOrder(t *testing.T) {
	for _, k := range accountKeys(200) {
		if a, b := Owner([]string{"x", "y", "z"}, k), Owner([]string{"z", "x", "y"}, k); a != b {
			t.Fatalf("account %s: owner %s for one order, %s for another", k, a, b)
		}
	}
	if got := Owner(nil, "k"); got != "" {
		t.Errorf("Owner with no members = %q, want none", got)
	}
}

func lease(name, holder string, renewed time.Time, seconds int32) coordinationv1.Lease {
	l := coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name}}
	t := metav1.NewMicroTime(renewed)
	l.Spec.HolderIdentity, l.Spec.RenewTime, l.Spec.LeaseDurationSeconds = &holder, &t, &seconds
	return l
}

func TestLive(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	leases := []coordinationv1.Lease{
		lease(LeaseName("a"), "a", now.Add(-5*time.Second), 15),  // alive until +10s
		lease(LeaseName("b"), "b", now.Add(-20*time.Second), 15), // lapsed
		lease(LeaseName("c"), "", now, 15),                       // released
		lease(LeaseName("d"), "e", now, 15),                      // names another member
		lease(LeaseName("f"), "f", now.Add(-14*time.Second), 15), // alive until +1s
		{ObjectMeta: metav1.ObjectMeta{Name: LeaseName("g")}},    // never held
	}
	members, next := Live(leases, now)
	if diff := cmp.Diff([]string{"a", "f"}, members); diff != "" {
		t.Errorf("live members (-want +got):\n%s", diff)
	}
	if want := now.Add(time.Second); !next.Equal(want) {
		t.Errorf("next lapse = %v, want %v", next, want)
	}
}
