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

package reliability

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

// pollInterval is how often the tests look at the cluster while waiting.
const pollInterval = 250 * time.Millisecond

func userName(i int) string { return fmt.Sprintf("user-%03d", i) }

func emailOf(name string) string { return name + "@example.com" }

// userNames returns n names starting at from.
func userNames(from, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = userName(from + i)
	}
	return names
}

// zoomUser is an ssoCreate ZoomUser of the ClusterZoomAccount "default":
// Zoom makes it active at once, so Ready needs no invitation accepted.
func zoomUser(namespace, name string) *zoomv1.ZoomUser {
	return &zoomv1.ZoomUser{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: zoomv1.ZoomUserSpec{
			Email:      emailOf(name),
			Action:     zoomv1.ActionSSOCreate,
			Type:       zoomv1.UserTypeBasic,
			FirstName:  "Test",
			LastName:   strings.ToUpper(name[:1]) + name[1:],
			AccountRef: zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: testenv.DefaultAccount},
		},
	}
}

// createUsers creates the named ZoomUsers from workers goroutines, pausing
// pace between two creates of one goroutine, and retrying while the API
// server is away.
func (c *cluster) createUsers(ctx context.Context, namespace string, names []string, workers int, pace time.Duration) error {
	next := make(chan string)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for name := range next {
				if err := c.createPersistently(ctx, zoomUser(namespace, name)); err != nil {
					errs <- fmt.Errorf("creating ZoomUser %s: %w", name, err)
					return
				}
				if pace > 0 {
					time.Sleep(pace)
				}
			}
		})
	}
	var err error
feed:
	for _, name := range names {
		select {
		case next <- name:
		case err = <-errs:
			break feed
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	if err != nil {
		return err
	}
	return <-errs // nil when no worker failed
}

// converged says whether the ZoomUser is done: Ready=True at its current
// generation with Zoom's id recorded.
func converged(zu *zoomv1.ZoomUser) bool {
	return zu.Status.ID != "" &&
		zu.Status.ObservedGeneration == zu.Generation &&
		meta.IsStatusConditionTrue(zu.Status.Conditions, zoomv1.ConditionReady)
}

// waitConverged waits until the namespace holds want ZoomUsers and all have
// converged, and returns them sorted by name. It fails the test after
// timeout, naming those still waiting and why. Errors reading the cluster
// (an API server being restarted) only delay it.
func (c *cluster) waitConverged(ctx context.Context, namespace string, want int, timeout time.Duration) []zoomv1.ZoomUser {
	c.t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	nextReport := start.Add(10 * time.Second)
	var last []zoomv1.ZoomUser
	var lastErr error
	for {
		var list zoomv1.ZoomUserList
		lastErr = c.client.List(ctx, &list, client.InNamespace(namespace))
		if lastErr == nil {
			last = list.Items
			done := countConverged(last)
			// Nothing here should stall: no Zoom user predates its
			// ZoomUser and every spec is valid. Waiting on would only
			// wait for the resync interval.
			if stalled := describeStalled(last, 10); stalled != "" {
				c.t.Fatalf("ZoomUsers in %s stalled after %s: %s", namespace, time.Since(start).Round(time.Millisecond), stalled)
			}
			if len(last) == want && done == want {
				slices.SortFunc(last, func(a, b zoomv1.ZoomUser) int { return strings.Compare(a.Name, b.Name) })
				c.t.Logf("%d ZoomUsers converged after %s", want, time.Since(start).Round(time.Millisecond))
				return last
			}
			if time.Now().After(nextReport) {
				c.t.Logf("after %s: %d of %d ZoomUsers exist, %d converged", time.Since(start).Round(time.Second), len(last), want, done)
				nextReport = nextReport.Add(10 * time.Second)
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("ZoomUsers in %s not converged after %s (last read error: %v): %d of %d exist, %d converged; waiting: %s",
				namespace, timeout, lastErr, len(last), want, countConverged(last), describeWaiting(last, 10))
		}
		time.Sleep(pollInterval)
	}
}

func countConverged(users []zoomv1.ZoomUser) int {
	n := 0
	for i := range users {
		if converged(&users[i]) {
			n++
		}
	}
	return n
}

// describeStalled names up to limit ZoomUsers with Stalled=True, with
// their Ready condition; "" when none stalled.
func describeStalled(users []zoomv1.ZoomUser, limit int) string {
	var stalled []zoomv1.ZoomUser
	for _, zu := range users {
		if meta.IsStatusConditionTrue(zu.Status.Conditions, zoomv1.ConditionStalled) {
			stalled = append(stalled, zu)
		}
	}
	if len(stalled) == 0 {
		return ""
	}
	return fmt.Sprintf("%d stalled: %s", len(stalled), describeWaiting(stalled, limit))
}

// describeWaiting names up to limit ZoomUsers that have not converged, with
// their Ready condition.
func describeWaiting(users []zoomv1.ZoomUser, limit int) string {
	var parts []string
	waiting := 0
	for i := range users {
		zu := &users[i]
		if converged(zu) {
			continue
		}
		waiting++
		if len(parts) == limit {
			continue
		}
		ready := "no Ready condition"
		if cond := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReady); cond != nil {
			ready = fmt.Sprintf("Ready=%s %s: %s", cond.Status, cond.Reason, cond.Message)
		}
		parts = append(parts, fmt.Sprintf("%s (id %q, generation %d observed %d, %s)",
			zu.Name, zu.Status.ID, zu.Generation, zu.Status.ObservedGeneration, ready))
	}
	if waiting > len(parts) {
		parts = append(parts, fmt.Sprintf("and %d more", waiting-len(parts)))
	}
	return strings.Join(parts, "; ")
}

// checkOneZoomUserEach checks each converged ZoomUser against the fake:
// its status.id is the id of the one Zoom user with its email, it was not
// adopted (the operator created it), Zoom created exactly one user for the
// email, and no email took more than maxPosts POST /users. The fake must
// hold no other users than these.
func checkOneZoomUserEach(t *testing.T, z *zoomServer, users []zoomv1.ZoomUser, maxPosts int) {
	t.Helper()
	inZoom := z.usersByEmail()
	creates := z.createStatsByEmail()
	var problems []string
	for i := range users {
		zu := &users[i]
		email := strings.ToLower(zu.Spec.Email)
		found := inZoom[email]
		switch {
		case len(found) != 1:
			problems = append(problems, fmt.Sprintf("%s: %d Zoom users with email %s, want 1", zu.Name, len(found), email))
		case zu.Status.ID != found[0].ID:
			problems = append(problems, fmt.Sprintf("%s: status.id %q, but Zoom's user %s has id %q", zu.Name, zu.Status.ID, email, found[0].ID))
		}
		if zu.Status.Adopted {
			problems = append(problems, fmt.Sprintf("%s: status.adopted is true for a user the operator created", zu.Name))
		}
		st := creates[email]
		if st.created != 1 {
			problems = append(problems, fmt.Sprintf("%s: Zoom answered %d POST /users for %s with 201, want 1", zu.Name, st.created, email))
		}
		if st.posts > maxPosts {
			problems = append(problems, fmt.Sprintf("%s: %d POST /users for %s, want at most %d", zu.Name, st.posts, email, maxPosts))
		}
	}
	if total := len(z.Users()); total != len(users) {
		problems = append(problems, fmt.Sprintf("the fake holds %d users, want %d", total, len(users)))
	}
	const show = 20
	for i, p := range problems {
		if i == show {
			t.Errorf("... and %d more problems", len(problems)-show)
			break
		}
		t.Error(p)
	}
}

// postsHistogram tells how many emails took 1, 2, ... POST /users.
func postsHistogram(z *zoomServer) map[int]int {
	h := map[int]int{}
	for _, st := range z.createStatsByEmail() {
		h[st.posts]++
	}
	return h
}
