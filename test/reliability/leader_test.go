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
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

const (
	// leaseName is main.go's LeaderElectionID.
	leaseName = "zoom-operator.zoomoperator.dev"
	// maxTakeover bounds the handover after the leader dies without
	// releasing the Lease: controller-runtime's LeaseDuration (15s) plus
	// its RetryPeriod (2s), and some slack for a busy machine.
	maxTakeover = 25 * time.Second
	// Log lines of client-go's leader election and controller-runtime's
	// controllers; the workers start only in the leader.
	logAcquired       = "Successfully acquired lease"
	logStartedWorkers = "Starting workers"
)

// TestLeaderElectionStandbyStaysAwayFromZoomAndTakesOver runs two managers
// with leader election. Only the leader may call Zoom: each process gets and
// caches its own OAuth token, so one token requested and one token used
// means one process talked to Zoom. When the leader is killed (so it cannot
// release the Lease), the standby must take the Lease within the lease
// duration and converge the ZoomUsers created meanwhile.
func TestLeaderElectionStandbyStaysAwayFromZoomAndTakesOver(t *testing.T) {
	c := newCluster(t)
	z := newZoom(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c.createAccount(ctx, z)
	const leaseNS, ns = "leader-election", "team"
	c.createNamespace(ctx, leaseNS)
	c.createNamespace(ctx, ns)

	args := []string{"--leader-elect", "--leader-election-namespace=" + leaseNS}
	a := c.startManager(args...)
	b := c.startManager(args...)
	holder := c.waitLeaseHolder(ctx, leaseNS, "", time.Minute)
	leader, standby := c.waitLeader(a, b, 30*time.Second)
	t.Logf("%s leads (Lease holder %s); %s stands by", leader.Name, holder, standby.Name)

	if err := c.createUsers(ctx, ns, userNames(0, 10), 4, 0); err != nil {
		t.Fatal(err)
	}
	c.waitConverged(ctx, ns, 10, time.Minute)
	if got := z.Count(zoomfake.EndpointToken); got != 1 {
		t.Errorf("POST /oauth/token: %d requests with a leader and a standby, want 1", got)
	}
	if got := z.tokensUsed(); got != 1 {
		t.Errorf("%d access tokens used against Zoom's API, want 1 (the leader's)", got)
	}
	if got := standby.LogCount(logStartedWorkers); got != 0 {
		t.Errorf("the standby %s started %d controllers' workers before it led", standby.Name, got)
	}

	killed := time.Now()
	leader.Kill()
	// Created while no one leads: only the new leader can converge them.
	if err := c.createUsers(ctx, ns, userNames(10, 10), 4, 0); err != nil {
		t.Fatal(err)
	}
	next := c.waitLeaseHolder(ctx, leaseNS, holder, maxTakeover+20*time.Second)
	takeover := time.Since(killed)
	t.Logf("Lease taken by %s %s after the leader was killed", next, takeover.Round(time.Millisecond))
	if takeover > maxTakeover {
		t.Errorf("takeover took %s, want at most %s", takeover.Round(time.Millisecond), maxTakeover)
	}
	if standby.LogCount(logAcquired) == 0 {
		t.Errorf("the Lease changed hands, but %s does not report acquiring it", standby.Name)
	}

	users := c.waitConverged(ctx, ns, 20, time.Minute)
	checkOneZoomUserEach(t, z, users, 1)
	if got := z.Count(zoomfake.EndpointToken); got != 2 {
		t.Errorf("POST /oauth/token: %d requests after one handover, want 2 (one per leader)", got)
	}
	if got := z.tokensUsed(); got != 2 {
		t.Errorf("%d access tokens used against Zoom's API after one handover, want 2", got)
	}
	if standby.Exited() {
		t.Errorf("%s exited: %v", standby.Name, standby.Err())
	}
}

// waitLeaseHolder waits until the Lease has a holder other than not, and
// returns it.
func (c *cluster) waitLeaseHolder(ctx context.Context, namespace, not string, timeout time.Duration) string {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		var lease coordinationv1.Lease
		err := c.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: leaseName}, &lease)
		if err == nil && lease.Spec.HolderIdentity != nil {
			last = *lease.Spec.HolderIdentity
			if last != "" && last != not {
				return last
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("Lease %s/%s: no new holder within %s (holder %q)", namespace, leaseName, timeout, last)
	return ""
}

// waitLeader tells the leader from the standby by their logs: exactly one
// of them reports acquiring the Lease.
func (c *cluster) waitLeader(a, b *testenv.Manager, timeout time.Duration) (leader, standby *testenv.Manager) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		aLeads, bLeads := a.LogCount(logAcquired) > 0, b.LogCount(logAcquired) > 0
		switch {
		case aLeads && bLeads:
			c.t.Fatalf("both %s and %s report acquiring the Lease", a.Name, b.Name)
		case aLeads:
			return a, b
		case bLeads:
			return b, a
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("neither %s nor %s reports acquiring the Lease within %s", a.Name, b.Name, timeout)
	return nil, nil
}
