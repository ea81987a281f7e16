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
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// progressEvery is how often a run prints where it stands.
const progressEvery = 15 * time.Second

// accountReadyTimeout bounds the manager's start: informers, the account
// check and Zoom's token.
const accountReadyTimeout = 2 * time.Minute

// result is what one (N, mode) run measured.
type result struct {
	size  int // the --sizes value: the users of each account (the first has --account-skew times as many)
	n     int // the bulk ZoomUsers of all accounts
	mode  mode
	limit limits        // per second, enforced by the fake
	floor time.Duration // the largest account's users / Light limit: no client can create faster
	cap   time.Duration
	// accounts are the run's Zoom accounts, each with its own fake Zoom
	// and figures; one unless --accounts says more.
	accounts []*accountResult

	converged  bool
	t          time.Duration // first create to all Ready; the cap when not converged
	readyAtCap int           // Ready when the cap struck
	accepted   time.Duration // first create to the last create accepted by the API server
	zoomUsers  int           // users in the fake Zoom at the end of creation

	creation callStats
	// interactive: the single ZoomUsers applied during creation; nil when
	// none were (--interactive=0, or the run failed before).
	interactive *interactiveStats
	steady      *steadyStats // nil when not measured (no convergence, or a failure)
	groups      *groupStats  // nil when not measured (baseline, no convergence, or a failure)

	cpuCreation time.Duration // manager CPU from first create to all Ready (or the cap)
	// othersCreation is the CPU that processes outside this run took on
	// the machine meanwhile; -1 when it could not be read.
	othersCreation time.Duration
	cpuTotal       time.Duration // manager CPU over its whole life
	peakRSS        int64         // bytes
	// replicas are the run's manager processes, one unless --replicas
	// says more; the manager figures above are then their CPU summed and
	// the largest peak RSS.
	replicas []*replicaResult
	// placement is where the ZoomUsers were at the end of a run of
	// several replicas; nil otherwise, or when it could not be read.
	placement placement
	handover  *handoverStats // nil without --kill-replica-after

	wall time.Duration // the whole run, setup and teardown included
	err  error         // the run could not be measured
}

// callStats counts the fake Zoom's requests of one phase.
type callStats struct {
	total      int
	tooMany    int            // 429s
	byEndpoint map[string]int // requests per endpoint
	tooManyBy  map[string]int // 429s per endpoint
}

// steadyStats describes the window after convergence that holds one resync
// of every user.
type steadyStats struct {
	callStats
	window      time.Duration
	interval    time.Duration // the resync interval
	perInterval int           // most calls in any interval-long part of the window
	readyAtEnd  int
}

func countCalls(reqs []zoomfake.Request) callStats {
	s := callStats{byEndpoint: map[string]int{}, tooManyBy: map[string]int{}}
	for _, r := range reqs {
		s.total++
		s.byEndpoint[r.Endpoint]++
		if r.Status == 429 {
			s.tooMany++
			s.tooManyBy[r.Endpoint]++
		}
	}
	return s
}

// maxInWindow is the largest number of requests made within any span of
// length w (half-open), found by sliding over the request times.
func maxInWindow(reqs []zoomfake.Request, w time.Duration) int {
	best, lo := 0, 0
	for hi := range reqs {
		for reqs[hi].Time.Sub(reqs[lo].Time) >= w {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

func sum(ns []int) int {
	total := 0
	for _, n := range ns {
		total += n
	}
	return total
}

// floorFor is the time Zoom's Light limit alone needs for n creates.
func floorFor(n int, lim limits) time.Duration {
	return time.Duration(float64(n) / float64(lim.light) * float64(time.Second))
}

// measure runs one (size, m) pair on a fresh control plane, fake Zooms
// (one per account) and manager. A failure is kept in the result, so the
// other runs still happen.
func (b *bench) measure(ctx context.Context, size int, m mode) *result {
	started := time.Now()
	lim := b.cfg.plan.enforced(b.cfg.scale)
	sizes := accountSizes(size, b.cfg.accounts, b.cfg.accountSkew)
	r := &result{size: size, n: sum(sizes), mode: m, limit: lim, floor: floorFor(slices.Max(sizes), lim),
		accounts: newAccountResults(sizes, lim)}
	r.cap = b.cfg.maxWait
	if r.cap <= 0 {
		r.cap = min(capFactor*r.floor+capExtra, capLimit)
	}
	r.err = b.measureInto(ctx, r)
	r.wall = time.Since(started)
	return r
}

func (b *bench) measureInto(ctx context.Context, r *result) error {
	name := fmt.Sprintf("%d-%s", r.n, r.mode)
	b.say("N=%d %s: Light %d/s, Medium %d/s, floor %s, cap %s", r.n, r.mode, r.limit.light, r.limit.medium,
		seconds(r.floor), seconds(r.cap))

	cp, err := startControlPlane(b.cfg.assets, b.cfg.crdDir, filepath.Join(b.work, name))
	if err != nil {
		return err
	}
	defer cp.stop()
	accts, err := startFleet(accountSizes(r.size, b.cfg.accounts, b.cfg.accountSkew), r.limit, b.cfg.window)
	if err != nil {
		return err
	}
	defer accts.stop()
	if err := accts.create(ctx, cp.client, b.cfg.plan); err != nil {
		return err
	}
	if err := createNamespaces(ctx, cp.client, b.cfg.namespaces); err != nil {
		return err
	}

	managers, err := b.startReplicas(name, cp.kubeconfig, r.mode)
	if err != nil {
		return err
	}
	r.replicas = newReplicaResults(managers.ids())
	defer b.finishReplicas(ctx, cp.client, managers, r)
	if err := managers.waitMembers(ctx, cp.client, membersTimeout); err != nil {
		return err
	}
	if err := accts.waitReady(ctx, cp.client, managers, accountReadyTimeout); err != nil {
		return err
	}
	tracker, stopTracker, err := startTracker(ctx, cp.cfg, accts.wants())
	if err != nil {
		return err
	}
	defer stopTracker()

	if err := b.creationPhase(ctx, r, cp, accts, managers, tracker); err != nil {
		return err
	}
	if !r.converged {
		b.say("N=%d %s: not converged; no steady-state window", r.n, r.mode)
		return nil
	}
	if err := b.steadyPhase(ctx, r, accts, managers, tracker); err != nil || r.mode != modeOperator {
		return err
	}
	if len(accts) > 1 {
		return nil // a ZoomGroup belongs to one account: the group phase measures one
	}
	return b.groupPhase(ctx, r, cp.client, accts[0].zoom)
}

// managerArgs are a manager's flags in mode m; shardID makes it that
// replica of several. The --manager-flag values come last, so that they
// can change any of the others.
func (c config) managerArgs(m mode, shardID string) []string {
	args := []string{
		"--resync-interval=" + c.resync.String(),
		"--max-concurrent-reconciles=" + strconv.Itoa(c.maxConcurrent),
		"--zoom-rate-scale=" + strconv.FormatFloat(c.scale, 'g', -1, 64),
	}
	if m == modeBaseline {
		args = append(args, "--baseline")
	}
	if shardID != "" {
		args = append(args, shardArgs(shardID)...)
	}
	return append(args, c.managerFlags...)
}

// creationPhase creates the users and waits until all are Ready or the cap
// strikes. The fake's log starts empty at the first create.
func (b *bench) creationPhase(ctx context.Context, r *result, cp *controlPlane, accts fleet, managers *replicaSet, tracker *readyTracker) error {
	cpu0, err := managers.usages()
	if err != nil {
		return err
	}
	machine0, machineErr := sampleMachine()
	accts.resetCounters()
	order := creationOrder(accountSizes(r.size, b.cfg.accounts, b.cfg.accountSkew))
	user := func(i int) *zoomv1.ZoomUser { return accts.user(i, order, b.cfg.namespaces) }
	start := time.Now()
	var created atomic.Int64
	createDone := make(chan error, 1)
	go func() {
		err := createUsers(ctx, cp.client, r.n, b.cfg.creators, user, &created)
		r.accepted = time.Since(start)
		createDone <- err
	}()

	var singles *singles
	if b.cfg.interactive > 0 {
		singles = applySingles(ctx, cp.client, b.cfg, start, tracker)
	}

	deadline := time.NewTimer(r.cap)
	defer deadline.Stop()
	var killAt <-chan time.Time
	if b.cfg.killReplicaAfter > 0 {
		kill := time.NewTimer(b.cfg.killReplicaAfter)
		defer kill.Stop()
		killAt = kill.C
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastProgress := start
	creating := true
wait:
	for {
		select {
		case err := <-createDone:
			if err != nil {
				return err
			}
			creating = false
			b.say("N=%d %s: %d ZoomUsers accepted by the API server in %s", r.n, r.mode, r.n, seconds(r.accepted))
		case <-tracker.allDone:
			r.converged, r.t = true, tracker.allReadyAt().Sub(start)
			break wait
		case <-deadline.C:
			r.t = r.cap
			break wait
		case rp := <-managers.lost:
			return rp.exitError("during creation")
		case <-killAt:
			if err := b.killBusiest(ctx, r, cp.client, managers, start); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		case now := <-tick.C:
			if now.Sub(lastProgress) >= progressEvery {
				lastProgress = now
				calls, tooMany := accts.counts()
				b.say("N=%d %s: %s: created %d, Ready %d, Zoom calls %d (429s %d)", r.n, r.mode,
					seconds(now.Sub(start)), created.Load(), tracker.readyCount(), calls, tooMany)
			}
		}
	}
	logs := accts.requests()
	reqs := merged(logs)
	cpu1, err := managers.usages()
	if err != nil {
		return err
	}
	r.othersCreation = -1
	if machine1, err := sampleMachine(); err == nil && machineErr == nil {
		r.othersCreation = othersBetween(machine0, machine1)
	}
	if singles != nil {
		if r.interactive, err = singles.finish(ctx, start, tracker, b.cfg.namespaces, singleReadyTimeout); err != nil {
			return err
		}
		b.say("N=%d %s: %s", r.n, r.mode, r.interactive.describe())
	}
	accts.resetCounters()
	if creating {
		// Only when the cap struck while the API server still took creates.
		if err := <-createDone; err != nil && ctx.Err() == nil {
			return err
		}
	}
	r.readyAtCap = tracker.readyCount()
	r.zoomUsers = accts.zoomUsers()
	r.creation = countCalls(reqs)
	for i, rr := range r.replicas {
		rr.cpuCreation = cpu1[i].cpu - cpu0[i].cpu
	}
	r.cpuCreation = totals(r.replicas).cpuCreation
	finishAccounts(r, logs, tracker, start)
	if b.cfg.killReplicaAfter > 0 && r.handover == nil {
		r.handover = &handoverStats{skipped: "creation ended before the kill was due"}
	}
	r.handover.finish(accts, logs, tracker)
	// The per-second profile is against one account's limit: of many
	// accounts, only those that met 429s get one.
	for i, a := range r.accounts {
		if len(r.accounts) > 1 {
			b.say("N=%d %s: %s", r.n, r.mode, a.describe())
		}
		switch {
		case len(r.accounts) == 1:
			b.say("N=%d %s: %s", r.n, r.mode, secondProfile(logs[i], start, r.limit))
		case a.calls.tooMany > 0:
			b.say("N=%d %s: %s: %s", r.n, r.mode, a.name, secondProfile(logs[i], start, r.limit))
		}
	}
	if r.othersCreation >= 0 {
		b.say("N=%d %s: other processes on the machine used %s of CPU meanwhile (%.0f%% of its %d CPUs)", r.n, r.mode,
			seconds(r.othersCreation), othersShare(r), runtime.NumCPU())
	}
	if r.converged {
		b.say("N=%d %s: all %d Ready in %s (%.2f × floor); %d Zoom calls, %d 429s", r.n, r.mode, r.n,
			seconds(r.t), ratio(r.t, r.floor), r.creation.total, r.creation.tooMany)
	} else {
		b.say("N=%d %s: not converged after %s (%d of %d Ready); %d Zoom calls, %d 429s", r.n, r.mode,
			seconds(r.cap), r.readyAtCap, r.n, r.creation.total, r.creation.tooMany)
	}
	return nil
}

// steadyPhase watches one resync of every user: the interval, plus the 10%
// jitter the manager adds to it, plus a margin for reconciles in flight.
func (b *bench) steadyPhase(ctx context.Context, r *result, accts fleet, managers *replicaSet, tracker *readyTracker) error {
	window := b.cfg.resync + b.cfg.resync/10 + b.cfg.margin
	b.say("N=%d %s: watching the steady state for %s", r.n, r.mode, seconds(window))
	select {
	case <-time.After(window):
	case rp := <-managers.lost:
		return rp.exitError("in the steady state")
	case <-ctx.Done():
		return ctx.Err()
	}
	reqs := merged(accts.requests())
	r.steady = &steadyStats{
		callStats:   countCalls(reqs),
		window:      window,
		interval:    b.cfg.resync,
		perInterval: maxInWindow(reqs, b.cfg.resync),
		readyAtEnd:  tracker.readyCount(),
	}
	b.say("N=%d %s: steady state: %d Zoom calls in %s, at most %d in any %s; %d 429s; %d of %d Ready",
		r.n, r.mode, r.steady.total, seconds(window), r.steady.perInterval, seconds(b.cfg.resync),
		r.steady.tooMany, r.steady.readyAtEnd, r.n)
	return nil
}

// finishReplicas notes where the ZoomUsers ended up (with several
// replicas), then stops the managers and sums their CPU and memory.
func (b *bench) finishReplicas(ctx context.Context, c client.Client, managers *replicaSet, r *result) {
	if len(managers.members) > 1 {
		p, err := readPlacement(ctx, c)
		if err != nil {
			b.say("N=%d %s: %v", r.n, r.mode, err)
		}
		r.placement = p
		if h := r.handover; h != nil && p != nil {
			for _, a := range h.accounts {
				h.owners = append(h.owners, p.owner(a))
			}
		}
	}
	for i, u := range managers.finish() {
		rr := r.replicas[i]
		rr.cpuTotal, rr.peakRSS = u.cpu, u.peakRSS
		rr.leader = managers.members[i].led() && len(managers.members) > 1
		rr.killed = managers.members[i].killed.Load()
	}
	t := totals(r.replicas)
	r.cpuTotal, r.peakRSS = t.cpuTotal, t.maxRSS
	if len(r.replicas) > 1 {
		for _, rr := range r.replicas {
			accounts, users := r.placement.served(rr.id)
			b.say("N=%d %s: %s: %d accounts, %d ZoomUsers at the end; CPU %s, peak RSS %.1f MiB", r.n, r.mode,
				rr.describe(r.handover), accounts, users, seconds(rr.cpuTotal), mib(rr.peakRSS))
		}
		b.say("N=%d %s", r.n, strings.TrimPrefix(placementVerdict(r), "- "))
	}
}

// secondProfile tells how the Light requests fell into the fake's clock
// seconds: the busiest second, and when the first 429s came. It shows
// whether a client's pacing lines up with a per-second window.
func secondProfile(reqs []zoomfake.Request, start time.Time, lim limits) string {
	perSecond := map[int64]int{}
	var first429 []string
	for _, r := range reqs {
		if r.Endpoint == zoomfake.EndpointListUsers || r.Endpoint == zoomfake.EndpointToken {
			continue
		}
		perSecond[r.Time.Unix()]++
		if r.Status == 429 && len(first429) < 5 {
			first429 = append(first429, seconds(r.Time.Sub(start)))
		}
	}
	busiest, over := 0, 0
	for _, n := range perSecond {
		busiest = max(busiest, n)
		if n > lim.light {
			over++
		}
	}
	msg := fmt.Sprintf("Light requests: busiest clock second %d (limit %d), %d second(s) over the limit", busiest, lim.light, over)
	if len(first429) > 0 {
		msg += "; first 429s at " + strings.Join(first429, ", ")
	}
	return msg
}

// othersShare is the CPU other processes took during creation, in percent
// of what the machine could give in that time.
func othersShare(r *result) float64 {
	if r.t <= 0 {
		return 0
	}
	return 100 * float64(r.othersCreation) / (float64(r.t) * float64(runtime.NumCPU()))
}
