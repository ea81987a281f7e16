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
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// managerUserAgent starts the User-Agent of the manager binary's requests
// (client-go names the program), and of no request of the test itself.
const managerUserAgent = "manager/"

// TestStatusConflictsFromLabelUpdates keeps changing the labels of 20
// ZoomUsers while they converge. Each change moves the resourceVersion but
// not the generation, so the manager's optimistically locked writes
// (create marker, finalizer, status) keep losing races. They must all
// converge anyway with exactly one POST /users per email: a create whose
// status write failed is found again, not repeated.
func TestStatusConflictsFromLabelUpdates(t *testing.T) {
	c := newAuditedCluster(t)
	z := newZoom(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c.createAccount(ctx, z)
	const ns = "conflicts"
	c.createNamespace(ctx, ns)
	c.startManager()

	const n = 20
	names := userNames(0, n)
	stop := make(chan struct{})
	var updates, lost atomic.Int64
	var wg sync.WaitGroup
	for worker := range 2 {
		wg.Go(func() {
			for round := 0; ; round++ {
				for i := worker; i < n; i += 2 {
					select {
					case <-stop:
						return
					default:
					}
					switch err := c.touchLabel(ctx, ns, names[i], strconv.Itoa(round)); {
					case err == nil:
						updates.Add(1)
					case apierrors.IsConflict(err):
						lost.Add(1)
					}
					time.Sleep(5 * time.Millisecond)
				}
			}
		})
	}
	stopLabels := sync.OnceFunc(func() {
		close(stop)
		wg.Wait()
	})
	defer stopLabels()
	if err := c.createUsers(ctx, ns, names, 4, 0); err != nil {
		t.Fatal(err)
	}
	users := c.waitConverged(ctx, ns, n, 2*time.Minute)
	stopLabels()
	conflicts := c.managerConflicts()
	t.Logf("%d label updates (%d lost races themselves); the API server answered the manager 409 Conflict %d times: %v",
		updates.Load(), lost.Load(), total(conflicts), conflicts)

	if updates.Load() < n {
		t.Errorf("only %d label updates while %d ZoomUsers converged: the race was barely run", updates.Load(), n)
	}
	// The test is about lost optimistic locks: without one, it proved nothing.
	if total(conflicts) == 0 {
		t.Error("the manager never lost an optimistic lock on a ZoomUser: its writes are not locked, or the race was not run")
	}
	checkOneZoomUserEach(t, z, users, 1)
	for _, zu := range users {
		if zu.Generation != 1 {
			t.Errorf("ZoomUser %s: generation %d, want 1 (labels are not spec)", zu.Name, zu.Generation)
		}
	}
}

// touchLabel sets the label "touched" of a ZoomUser with a plain update, as
// another controller or a person with kubectl would.
func (c *cluster) touchLabel(ctx context.Context, namespace, name, value string) error {
	var zu zoomv1.ZoomUser
	if err := c.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &zu); err != nil {
		return err
	}
	if zu.Labels == nil {
		zu.Labels = map[string]string{}
	}
	zu.Labels["touched"] = value
	return c.client.Update(ctx, &zu)
}

// managerConflicts counts, from the API server's audit log, the manager's
// writes to ZoomUsers that were answered 409 Conflict, by verb and
// subresource ("patch status").
func (c *cluster) managerConflicts() map[string]int {
	c.t.Helper()
	events, err := c.cp.AuditEvents()
	if err != nil {
		c.t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range events {
		if e.ResponseStatus.Code == http.StatusConflict && strings.HasPrefix(e.UserAgent, managerUserAgent) {
			counts[strings.TrimSpace(e.Verb+" "+e.ObjectRef.Subresource)]++
		}
	}
	return counts
}

func total(counts map[string]int) int {
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}
