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

package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/zoom-operator/zoom-operator/internal/shard"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

// shardNamespace holds the replicas' member Leases and the leader Lease:
// the operator's own namespace, which every run creates.
const shardNamespace = testenv.OperatorNamespace

// membersTimeout bounds the replicas' joining: each must start and renew
// its member Lease once.
const membersTimeout = time.Minute

// replica is one manager process of a run: the only one, or with
// --replicas one of several that split the accounts between them.
type replica struct {
	id  string // its --shard-id; empty for a run's only manager
	mgr *testenv.Manager
	log string
	// killed: the harness killed it (--kill-replica-after), so its exit is
	// no failure.
	killed atomic.Bool
}

// replicaSet is the manager processes of a run.
type replicaSet struct {
	members []*replica
	// lost receives a replica that exited unasked; it has room for every
	// replica, so that no watcher blocks.
	lost chan *replica
}

// replicaID is the --shard-id of the i-th replica.
func replicaID(i int) string { return fmt.Sprintf("replica-%d", i) }

// shardArgs make a manager the replica id of several.
func shardArgs(id string) []string {
	return []string{"--leader-elect", "--leader-election-namespace=" + shardNamespace, "--shard-id=" + id}
}

// startReplicas starts the run's managers: one as always, or --replicas
// shards, each with its own log.
func (b *bench) startReplicas(name, kubeconfig string, m mode) (*replicaSet, error) {
	set := &replicaSet{lost: make(chan *replica, b.cfg.replicas)}
	for i := range b.cfg.replicas {
		rp := &replica{log: filepath.Join(b.work, name+"-manager.log")}
		procName := name
		if b.cfg.replicas > 1 {
			rp.id = replicaID(i)
			procName = name + "-" + rp.id
			rp.log = filepath.Join(b.work, procName+".log")
		}
		mgr, err := testenv.StartManager(testenv.ManagerOptions{
			Name: procName, Binary: b.manager, Kubeconfig: kubeconfig, FakeZoom: true,
			Args: b.cfg.managerArgs(m, rp.id), Env: b.cfg.managerEnv, LogFile: rp.log,
		})
		if err != nil {
			set.finish()
			return nil, err
		}
		rp.mgr = mgr
		set.members = append(set.members, rp)
		go func() {
			<-mgr.Done()
			if !rp.killed.Load() {
				set.lost <- rp
			}
		}()
	}
	return set, nil
}

// name is how messages call the replica.
func (rp *replica) name() string {
	if rp.id == "" {
		return "manager"
	}
	return "replica " + rp.id
}

// exitError says that rp exited, when, and where its log is.
func (rp *replica) exitError(when string) error {
	return fmt.Errorf("%s exited %s: %v (log %s)", rp.name(), when, rp.mgr.Err(), rp.log)
}

// failure is a replica's unasked exit as an error; nil while all run.
func (s *replicaSet) failure(when string) error {
	select {
	case rp := <-s.lost:
		return rp.exitError(when)
	default:
		return nil
	}
}

// ids are the replicas' --shard-id values, in the set's order.
func (s *replicaSet) ids() []string {
	out := make([]string, len(s.members))
	for i, rp := range s.members {
		out[i] = rp.id
	}
	return out
}

// byID is the replica named id; nil when there is none.
func (s *replicaSet) byID(id string) *replica {
	for _, rp := range s.members {
		if rp.id == id {
			return rp
		}
	}
	return nil
}

// waitMembers waits until every replica holds a live member Lease. Users
// created before a replica joined would move to it once it did; after
// this each account has its replica from its first create on.
func (s *replicaSet) waitMembers(ctx context.Context, c client.Client, timeout time.Duration) error {
	if len(s.members) == 1 {
		return nil
	}
	deadline := time.Now().Add(timeout)
	for {
		leases, err := shard.ListMembers(ctx, c, shardNamespace)
		live, _ := shard.Live(leases, time.Now())
		if err == nil && len(live) == len(s.members) {
			return nil
		}
		if err := s.failure("before all replicas joined"); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d replicas hold a live member Lease after %s (last error: %v)", len(live), len(s.members), timeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// usages is every replica's CPU and peak memory so far, in the set's
// order: from the kernel's account for one that exited (killed), from
// /proc for the others.
func (s *replicaSet) usages() ([]usage, error) {
	out := make([]usage, len(s.members))
	for i, rp := range s.members {
		if u, ok := rusage(rp.mgr); ok {
			out[i] = u
			continue
		}
		u, err := procUsage(rp.mgr.Pid())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rp.name(), err)
		}
		out[i] = u
	}
	return out, nil
}

// finish reads every replica's peak memory and CPU while they all still
// run, then stops them together; the kernel's account at exit fills in
// what /proc could not give, and is all there is of a replica killed
// earlier.
func (s *replicaSet) finish() []usage {
	live := make([]usage, len(s.members))
	liveErr := make([]error, len(s.members))
	for i, rp := range s.members {
		if rp.mgr.Exited() {
			liveErr[i] = errExited
			continue
		}
		live[i], liveErr[i] = procUsage(rp.mgr.Pid())
	}
	var wg sync.WaitGroup
	for _, rp := range s.members {
		wg.Go(func() { stopManager(rp.mgr) })
	}
	wg.Wait()
	out := make([]usage, len(s.members))
	for i, rp := range s.members {
		exit, exitOK := rusage(rp.mgr)
		switch {
		case liveErr[i] == nil:
			out[i] = live[i]
			if exitOK {
				out[i].cpu = max(out[i].cpu, exit.cpu)
			}
		case exitOK:
			out[i] = exit
		}
	}
	return out
}

// errExited: a process that is gone has no /proc entry to read.
var errExited = errors.New("the process exited")

// leaderLog is what a manager logs once it holds the leader Lease (from
// client-go's leader election).
const leaderLog = "Successfully acquired lease"

// led tells whether the replica held the leader Lease at some point.
func (rp *replica) led() bool { return rp.mgr.LogCount(leaderLog) > 0 }
