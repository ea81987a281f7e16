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
	"maps"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/shard"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

const (
	// shardLease is the replicas' --shard-lease-duration here: a killed
	// replica's accounts must move within it and the leader's handover.
	shardLease = 6 * time.Second
	// shardRenewDeadline is their --shard-renew-deadline.
	shardRenewDeadline = 4 * time.Second
	// maxShardHandover bounds the move of a killed replica's accounts: its
	// Lease lapses, and should it have led, the leader Lease (15s) too.
	maxShardHandover = shardLease + maxTakeover
	shardNamespace   = testenv.OperatorNamespace
)

// shardedFleet is one test's replicas and the Zoom accounts they split.
type shardedFleet struct {
	c        *cluster
	zooms    []*zoomServer // one fake Zoom per account, "acct-<i>"
	replicas map[string]*testenv.Manager
}

// TestShardsSplitAccountsAndHandOver runs replicas with --shard-id against
// one control plane and one fake Zoom per account. Every account must be
// served by exactly one replica (its fake sees one access token), every
// user created exactly once, also when a tenant labels its ZoomUsers for a
// replica that does not own their account; a killed replica's accounts must
// resume on another within the Lease time, and a replica that joins takes
// accounts over from live ones without a second call for any user.
// SHARD_REPLICAS, SHARD_ACCOUNTS and SHARD_USERS size it (make test-soak
// runs three replicas over more users).
func TestShardsSplitAccountsAndHandOver(t *testing.T) {
	replicas := envInt(t, "SHARD_REPLICAS", 2)
	accounts := envInt(t, "SHARD_ACCOUNTS", 4)
	perBatch := envInt(t, "SHARD_USERS", 40)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	f := newShardedFleet(t, ctx, accounts)
	const ns = "team"
	f.c.createNamespace(ctx, ns)
	for i := range replicas {
		f.startReplica(fmt.Sprintf("replica-%d", i))
	}
	// Users created before every replica joined would move once it did
	// (safely, through drains): wait, so that each account has one
	// replica from its first call and a second token means a breach.
	f.waitMembers(ctx, replicas, time.Minute)

	// A hostile tenant labels half its users for a replica, and a quarter
	// for one that does not exist: the label routes them to that replica's
	// cache (or none), never to its budget.
	f.createUsers(ctx, ns, 0, perBatch, "replica-0")
	users := f.c.waitConverged(ctx, ns, perBatch, 3*time.Minute)
	owners := f.checkPlacement(ctx, users)
	f.checkOneReplicaPerAccount()

	victim := f.busiest(owners)
	killed := time.Now()
	f.replicas[victim].Kill()
	delete(f.replicas, victim)
	t.Logf("killed %s, which served %d accounts", victim, countOwned(owners, victim))
	f.createUsers(ctx, ns, perBatch, perBatch, "")
	users = f.c.waitConverged(ctx, ns, 2*perBatch, maxShardHandover+2*time.Minute)
	if took := time.Since(killed); took > maxShardHandover+time.Minute {
		t.Errorf("the killed replica's accounts converged %s after the kill, want about %s", took.Round(time.Second), maxShardHandover)
	}
	owners = f.checkPlacement(ctx, users)
	if n := countOwned(owners, victim); n != 0 {
		t.Errorf("%d accounts still labelled for the killed replica %s", n, victim)
	}

	// A newcomer takes its share from live replicas through drains.
	newcomer := f.nameThatWinsAnAccount()
	f.startReplica(newcomer)
	f.createUsers(ctx, ns, 2*perBatch, perBatch, "")
	f.waitOwner(ctx, newcomer, time.Minute)
	users = f.c.waitConverged(ctx, ns, 3*perBatch, 3*time.Minute)
	f.checkPlacement(ctx, users)
	for i, z := range f.zooms {
		checkOneZoomUserEach(t, z, usersOf(users, i), 1)
	}
}

func newShardedFleet(t *testing.T, ctx context.Context, accounts int) *shardedFleet {
	f := &shardedFleet{c: newCluster(t), replicas: map[string]*testenv.Manager{}}
	f.c.createNamespace(ctx, shardNamespace)
	for i := range accounts {
		z := newZoom(t)
		f.zooms = append(f.zooms, z)
		settings := z.Target().Settings()
		settings.Plan = zoomv1.PlanPro
		secret := z.Target().Secret(shardNamespace, fmt.Sprintf("zoom-s2s-%d", i))
		account := &zoomv1.ClusterZoomAccount{
			ObjectMeta: metav1.ObjectMeta{Name: accountName(i)},
			Spec: zoomv1.ClusterZoomAccountSpec{
				CredentialsSecretRef: zoomv1.SecretReference{Name: secret.Name, Namespace: shardNamespace},
				AccountSettings:      settings,
			},
		}
		if err := testenv.CreateAll(ctx, f.c.client, secret, account); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func accountName(i int) string { return fmt.Sprintf("acct-%d", i) }

func (f *shardedFleet) startReplica(id string) {
	f.replicas[id] = f.c.startManager("--leader-elect", "--leader-election-namespace="+shardNamespace,
		"--shard-id="+id, "--shard-lease-duration="+shardLease.String(), "--shard-renew-deadline="+shardRenewDeadline.String())
}

// createUsers creates n users from index from, spread over the accounts;
// with label set, every other one carries that replica's shard label and
// every fourth one a replica's that does not exist.
func (f *shardedFleet) createUsers(ctx context.Context, ns string, from, n int, label string) {
	f.c.t.Helper()
	for i := from; i < from+n; i++ {
		zu := zoomUser(ns, userName(i))
		zu.Spec.AccountRef.Name = accountName(i % len(f.zooms))
		switch {
		case label != "" && i%2 == 0:
			zu.Labels = map[string]string{shard.LabelShard: label}
		case label != "" && i%4 == 1:
			zu.Labels = map[string]string{shard.LabelShard: "replica-gone"}
		}
		if err := f.c.createPersistently(ctx, zu); err != nil {
			f.c.t.Fatal(err)
		}
	}
}

// checkPlacement checks that all users of an account carry one shard
// label, with no drain left, and returns each account's replica.
func (f *shardedFleet) checkPlacement(ctx context.Context, users []zoomv1.ZoomUser) map[string]string {
	f.c.t.Helper()
	owners := map[string]string{}
	for _, zu := range users {
		got, account := zu.Labels[shard.LabelShard], zu.Spec.AccountRef.Name
		if zu.Labels[shard.LabelDrain] != "" {
			f.c.t.Errorf("%s still draining", zu.Name)
		}
		if prev, seen := owners[account]; seen && prev != got {
			f.c.t.Errorf("account %s: users on replicas %q and %q", account, prev, got)
		}
		owners[account] = got
	}
	f.c.t.Logf("account -> replica: %v", owners)
	return owners
}

// checkOneReplicaPerAccount: each replica obtains its own token, so one
// token on an account's API requests means one replica called it.
func (f *shardedFleet) checkOneReplicaPerAccount() {
	f.c.t.Helper()
	for i, z := range f.zooms {
		if got := z.tokensUsed(); got != 1 {
			f.c.t.Errorf("account %s: API requests with %d access tokens, want 1 (one replica)", accountName(i), got)
		}
	}
}

// busiest is the replica serving the most accounts.
func (f *shardedFleet) busiest(owners map[string]string) string {
	best := ""
	for _, id := range slices.Sorted(maps.Keys(f.replicas)) {
		if best == "" || countOwned(owners, id) > countOwned(owners, best) {
			best = id
		}
	}
	return best
}

func countOwned(owners map[string]string, id string) int {
	n := 0
	for _, o := range owners {
		if o == id {
			n++
		}
	}
	return n
}

// waitMembers waits until n member Leases are live.
func (f *shardedFleet) waitMembers(ctx context.Context, n int, timeout time.Duration) {
	f.c.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		leases, err := shard.ListMembers(ctx, f.c.client, shardNamespace)
		if members, _ := shard.Live(leases, time.Now()); err == nil && len(members) == n {
			return
		}
		time.Sleep(pollInterval)
	}
	f.c.t.Fatalf("%d replicas did not all hold a live member Lease within %s", n, timeout)
}

// waitOwner waits until some user carries replica id's label.
func (f *shardedFleet) waitOwner(ctx context.Context, id string, timeout time.Duration) {
	f.c.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var list zoomv1.ZoomUserList
		if err := f.c.client.List(ctx, &list, client.MatchingLabels{shard.LabelShard: id}); err == nil && len(list.Items) > 0 {
			return
		}
		time.Sleep(pollInterval)
	}
	f.c.t.Fatalf("no ZoomUser moved to %s within %s", id, timeout)
}

// usersOf returns the users of account i.
func usersOf(users []zoomv1.ZoomUser, i int) []zoomv1.ZoomUser {
	var out []zoomv1.ZoomUser
	for _, zu := range users {
		if zu.Spec.AccountRef.Name == accountName(i) {
			out = append(out, zu)
		}
	}
	return out
}

// nameThatWinsAnAccount picks a name for a new replica that the hashing
// gives at least one account, so that joining must move one.
func (f *shardedFleet) nameThatWinsAnAccount() string {
	members := slices.Collect(maps.Keys(f.replicas))
	for n := 0; ; n++ {
		name := fmt.Sprintf("replica-new-%d", n)
		for _, z := range f.zooms {
			if shard.Owner(append(members, name), shard.Key(z.Target().APIURL, z.Target().AccountID)) == name {
				return name
			}
		}
	}
}

// TestShardReplicaCutOffStopsBeforeItsLeaseLapses stops the API server
// under two replicas busy updating users (an update needs no write to the
// cluster before its call to Zoom): neither may call Zoom once its renew
// deadline passed, before its Lease lapses and the leader could hand its
// accounts to another, so that a replica that cannot see the cluster never
// calls Zoom beside the next owner. Both then exit.
func TestShardReplicaCutOffStopsBeforeItsLeaseLapses(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	f := newShardedFleet(t, ctx, 2)
	for _, id := range []string{"replica-0", "replica-1"} {
		f.startReplica(id)
	}
	f.waitMembers(ctx, 2, time.Minute)
	const ns, users = "team", 200
	f.c.createNamespace(ctx, ns)
	f.createUsers(ctx, ns, 0, users, "")
	f.c.waitConverged(ctx, ns, users, 2*time.Minute)

	// Slow Zoom down, so that the updates are still under way when the
	// API server goes.
	for _, z := range f.zooms {
		z.latency.Store(int64(300 * time.Millisecond))
	}
	for i := range users {
		f.rename(ctx, ns, userName(i), "Renamed")
	}
	url := f.c.stopAPIServer()
	stopped := time.Now()
	for id, m := range f.replicas {
		select {
		case <-m.Done():
		case <-time.After(time.Minute):
			t.Fatalf("%s still runs a minute after the API server went away", id)
		}
		if m.LogCount("not renewed") == 0 {
			t.Errorf("%s exited (%v) without saying that its shard Lease was not renewed", id, m.Err())
		}
	}
	// A request already sent may still be answered just after the deadline.
	last := stopped.Add(shardRenewDeadline + time.Second)
	for i, z := range f.zooms {
		var after, during int
		for _, r := range z.Requests() {
			switch {
			case r.Time.After(last):
				after++
			case r.Time.After(stopped):
				during++
			}
		}
		t.Logf("account %s: %d Zoom requests within the renew deadline after the API server stopped, %d later", accountName(i), during, after)
		if during == 0 {
			t.Errorf("account %s: no Zoom request after the API server stopped; the test proves nothing", accountName(i))
		}
		if after > 0 {
			t.Errorf("account %s: %d Zoom requests more than %s after the API server went away", accountName(i), after, shardRenewDeadline)
		}
	}
	f.c.startAPIServer(url)
}

// rename sets a ZoomUser's last name.
func (f *shardedFleet) rename(ctx context.Context, ns, name, lastName string) {
	f.c.t.Helper()
	var zu zoomv1.ZoomUser
	if err := f.c.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &zu); err != nil {
		f.c.t.Fatal(err)
	}
	patch := client.MergeFrom(zu.DeepCopy())
	zu.Spec.LastName = lastName
	if err := f.c.client.Patch(ctx, &zu, patch); err != nil {
		f.c.t.Fatal(err)
	}
}
