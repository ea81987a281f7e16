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
	"maps"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/shard"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// replicaResult is what one manager process of a run measured.
type replicaResult struct {
	id          string // its --shard-id; empty for a run's only manager
	leader      bool   // it held the leader Lease at some point
	killed      bool   // by --kill-replica-after
	cpuCreation time.Duration
	cpuTotal    time.Duration
	peakRSS     int64 // bytes
}

func newReplicaResults(ids []string) []*replicaResult {
	out := make([]*replicaResult, len(ids))
	for i, id := range ids {
		out[i] = &replicaResult{id: id}
	}
	return out
}

// replicaTotals are a run's manager figures over all its replicas: CPU
// adds up, memory is each process's own, so the largest is the figure to
// size a replica by and the sum the run's footprint.
type replicaTotals struct {
	cpuCreation, cpuTotal time.Duration
	maxRSS, sumRSS        int64
}

func totals(rs []*replicaResult) replicaTotals {
	var t replicaTotals
	for _, r := range rs {
		t.cpuCreation += r.cpuCreation
		t.cpuTotal += r.cpuTotal
		t.maxRSS = max(t.maxRSS, r.peakRSS)
		t.sumRSS += r.peakRSS
	}
	return t
}

// placement is where a run's ZoomUsers are: for each account, how many of
// its users carry each replica's shard label ("" for no label yet).
type placement map[string]map[string]int

func placementOf(users []zoomv1.ZoomUser) placement {
	p := placement{}
	for i := range users {
		account := accountOf(&users[i])
		if p[account] == nil {
			p[account] = map[string]int{}
		}
		p[account][users[i].Labels[shard.LabelShard]]++
	}
	return p
}

// readPlacement lists every ZoomUser and notes its account and replica.
func readPlacement(ctx context.Context, c client.Client) (placement, error) {
	var list zoomv1.ZoomUserList
	if err := c.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("listing ZoomUsers for their shard labels: %w", err)
	}
	return placementOf(list.Items), nil
}

// owner is the replica whose label every labelled user of the account
// carries; "" when none is labelled yet or they name several.
func (p placement) owner(account string) string {
	owner := ""
	for id := range p[account] {
		switch {
		case id == "":
		case owner != "":
			return ""
		default:
			owner = id
		}
	}
	return owner
}

// served is how many accounts replica id owns and how many ZoomUsers
// carry its label.
func (p placement) served(id string) (accounts, users int) {
	for account, labels := range p {
		if p.owner(account) == id {
			accounts++
		}
		users += labels[id]
	}
	return accounts, users
}

// accountsOf is the accounts replica id owns, sorted.
func (p placement) accountsOf(id string) []string {
	var out []string
	for account := range p {
		if p.owner(account) == id {
			out = append(out, account)
		}
	}
	slices.Sort(out)
	return out
}

// busiest is the replica among ids that owns the most accounts, the
// first in ids on a tie; "" when none owns any.
func (p placement) busiest(ids []string) string {
	best, most := "", 0
	for _, id := range ids {
		if n, _ := p.served(id); n > most {
			best, most = id, n
		}
	}
	return best
}

// notOnOne is the accounts not served by exactly one replica, sorted:
// their users carry several replicas' labels, or some carry none.
func (p placement) notOnOne() []string {
	var out []string
	for account, labels := range p {
		if len(labels) != 1 || labels[""] > 0 {
			out = append(out, account)
		}
	}
	slices.Sort(out)
	return out
}

// describe is where an account's users are, e.g. "replica-0: 120,
// unlabelled: 4".
func (p placement) describe(account string) string {
	var parts []string
	for _, id := range slices.Sorted(maps.Keys(p[account])) {
		name := id
		if id == "" {
			name = "unlabelled"
		}
		parts = append(parts, fmt.Sprintf("%s: %s", name, thousands(p[account][id])))
	}
	return strings.Join(parts, ", ")
}

// handoverStats is what --kill-replica-after measured.
type handoverStats struct {
	skipped  string // why no replica was killed; empty when one was
	victim   string
	leader   bool          // the victim had held the leader Lease
	accounts []string      // the victim's accounts at the kill
	at       time.Duration // the kill, from the run's first create
	killedAt time.Time
	// resumed runs from the kill to the last of the victim's accounts'
	// first Zoom call after it; ready, to all their users Ready. Either is
	// -1 when it did not happen by the end of creation (the cap).
	resumed, ready time.Duration
	owners         []string // the replicas of its accounts at the end
}

// resumedAfter is how long after t every log had a request other than a
// token request, which every replica makes for every account: the last
// of the logs' first such requests. ok is false when a log had none.
func resumedAfter(logs [][]zoomfake.Request, t time.Time) (last time.Duration, ok bool) {
	for _, log := range logs {
		i := slices.IndexFunc(log, func(r zoomfake.Request) bool {
			return r.Time.After(t) && r.Endpoint != zoomfake.EndpointToken
		})
		if i < 0 {
			return 0, false
		}
		last = max(last, log[i].Time.Sub(t))
	}
	return last, true
}

// killBusiest SIGKILLs the replica that owns the most accounts, as the
// ZoomUsers' shard labels say now, and notes which accounts it held.
func (b *bench) killBusiest(ctx context.Context, r *result, c client.Client, managers *replicaSet, start time.Time) error {
	p, err := readPlacement(ctx, c)
	if err != nil {
		return err
	}
	id := p.busiest(managers.ids())
	if id == "" {
		r.handover = &handoverStats{skipped: "no account had a replica yet at the kill"}
		return nil
	}
	victim := managers.byID(id)
	victim.killed.Store(true)
	victim.mgr.Kill()
	h := &handoverStats{victim: id, leader: victim.led(), accounts: p.accountsOf(id), killedAt: time.Now(), resumed: -1, ready: -1}
	h.at = h.killedAt.Sub(start)
	r.handover = h
	b.say("N=%d %s: killed %s (SIGKILL) at %s, which served %d accounts: %s", r.n, r.mode, id, seconds(h.at),
		len(h.accounts), strings.Join(h.accounts, ", "))
	return nil
}

// finish times the killed replica's accounts once creation ended.
func (h *handoverStats) finish(accts fleet, logs [][]zoomfake.Request, tracker *readyTracker) {
	if h == nil || h.victim == "" {
		return
	}
	var theirs [][]zoomfake.Request
	ready := time.Duration(0)
	for i, a := range accts {
		if !slices.Contains(h.accounts, a.name) {
			continue
		}
		theirs = append(theirs, logs[i])
		at := tracker.accountReadyAt(a.name)
		if at.IsZero() {
			ready = -1
		} else if ready >= 0 {
			ready = max(ready, at.Sub(h.killedAt))
		}
	}
	h.ready = ready
	if d, ok := resumedAfter(theirs, h.killedAt); ok {
		h.resumed = d
	}
}

// shards is the results of one --sizes value of a run of several
// replicas: how they ran, the accounts' figures as for many accounts in
// one manager, then each replica's share and what a killed one's
// handover took.
func (rp *report) shards(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Shards: %d replicas, %d accounts × %s ZoomUsers%s\n\n", rp.cfg.replicas, rp.cfg.accounts,
		thousands(n), rp.accountsExtent(n))
	fmt.Fprintf(&b, "`%s`\non %s.\n\n", rp.command(), rp.machine)
	fmt.Fprintf(&b, "%d manager replicas against one control plane, each started with\n`%s`", rp.cfg.replicas,
		strings.Join(rp.cfg.managerArgs(modeOperator, "replica-<i>"), " "))
	if slices.Contains(rp.cfg.modes, modeBaseline) {
		b.WriteString(" (baseline adds `--baseline`)")
	}
	b.WriteString(" and the default Lease times\nunless a `--manager-flag` sets them; the harness waits until every replica holds a live member Lease\nbefore the first create.\n\n")
	fmt.Fprintf(&b, "%d ClusterZoomAccounts split between the replicas, ", rp.cfg.accounts)
	b.WriteString(rp.accountFigures(n, "The table sums all accounts and replicas: manager CPU is the\nreplicas' sum, peak RSS the largest replica's"))
	b.WriteString("\nPer replica: the accounts all of whose ZoomUsers carry its label `" + shard.LabelShard + "` at the end\n" +
		"of the run, and the ZoomUsers that do; its process's CPU and peak RSS. The last row sums the replicas (peak\n" +
		"RSS: the largest, then the sum).\n\n")
	b.WriteString(rp.replicaTable(n))
	b.WriteString("\n")
	for _, m := range rp.cfg.modes {
		r := rp.find(n, m)
		if r == nil || r.err != nil {
			continue // the replica table says so
		}
		b.WriteString(placementVerdict(r) + "\n")
		if r.handover != nil {
			b.WriteString(handoverLine(r) + "\n")
		}
	}
	return b.String()
}

// replicaTable has a row per mode and replica, and one summing them.
func (rp *report) replicaTable(n int) string {
	var b strings.Builder
	b.WriteString("| Mode | Replica | Accounts | ZoomUsers | CPU during creation (s) | CPU over the whole run (s) | Peak RSS (MiB) |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|\n")
	for _, m := range rp.cfg.modes {
		r := rp.find(n, m)
		if row := unmeasuredRow(m, r, 5); row != "" {
			b.WriteString(row)
			continue
		}
		var accounts, users int
		for _, rr := range r.replicas {
			a, u := r.placement.served(rr.id)
			accounts, users = accounts+a, users+u
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", m, rr.describe(r.handover), r.servedCells(a, u),
				fixed(rr.cpuCreation.Seconds(), 1), fixed(rr.cpuTotal.Seconds(), 1), fixed(mib(rr.peakRSS), 1))
		}
		t := totals(r.replicas)
		fmt.Fprintf(&b, "| %s | all %d | %s | %s | %s | %s (sum %s) |\n", m, len(r.replicas), r.servedCells(accounts, users),
			fixed(t.cpuCreation.Seconds(), 1), fixed(t.cpuTotal.Seconds(), 1), fixed(mib(t.maxRSS), 1), fixed(mib(t.sumRSS), 1))
	}
	return b.String()
}

// servedCells are the accounts and users cells of a replica row: "—" when
// the placement could not be read.
func (r *result) servedCells(accounts, users int) string {
	if r.placement == nil {
		return "— | —"
	}
	return thousands(accounts) + " | " + thousands(users)
}

// describe names the replica in its row, with what set it apart.
func (rr *replicaResult) describe(h *handoverStats) string {
	var notes []string
	if rr.leader {
		notes = append(notes, "led")
	}
	if rr.killed && h != nil {
		notes = append(notes, fmt.Sprintf("killed at %s s", fixed(h.at.Seconds(), 0)))
	}
	name := "`" + rr.id + "`"
	if len(notes) == 0 {
		return name
	}
	return name + " (" + strings.Join(notes, ", ") + ")"
}

// placementVerdict is the line on whether each account was served by
// exactly one replica at the end of the run.
func placementVerdict(r *result) string {
	if r.placement == nil {
		return fmt.Sprintf("- %s: where the ZoomUsers ended up could not be read.", r.mode)
	}
	bad := r.placement.notOnOne()
	if len(bad) == 0 {
		return fmt.Sprintf("- %s: each of the %d accounts was served by exactly one replica: all of its ZoomUsers carry one replica's label.",
			r.mode, len(r.placement))
	}
	var parts []string
	for _, a := range bad {
		parts = append(parts, fmt.Sprintf("`%s` (%s)", a, r.placement.describe(a)))
	}
	return fmt.Sprintf("- %s: **%d of the %d accounts were not served by exactly one replica**: %s.", r.mode, len(bad),
		len(r.placement), strings.Join(parts, "; "))
}

// handoverLine says which replica --kill-replica-after killed, and how
// long its accounts took to resume on others and to be all Ready.
func handoverLine(r *result) string {
	h := r.handover
	if h.skipped != "" {
		return fmt.Sprintf("- %s: no replica killed: %s.", r.mode, h.skipped)
	}
	led := ""
	if h.leader {
		led = " and led"
	}
	resumed := fmt.Sprintf("their Zoom calls resumed %s s after the kill (the last account's first call)", fixed(h.resumed.Seconds(), 1))
	if h.resumed < 0 {
		resumed = "their Zoom calls had not all resumed by the end of creation"
	}
	ready := fmt.Sprintf("all their users were Ready %s s after it", fixed(h.ready.Seconds(), 1))
	if h.ready < 0 {
		ready = "not all their users were Ready by the cap"
	}
	var owners []string
	for _, o := range h.owners {
		if o != "" && !slices.Contains(owners, "`"+o+"`") {
			owners = append(owners, "`"+o+"`")
		}
	}
	slices.Sort(owners)
	on := ""
	if len(owners) > 0 {
		on = ", on " + strings.Join(owners, " and ")
	}
	served := fmt.Sprintf("%d accounts", len(h.accounts))
	if len(h.accounts) == 1 {
		served = "1 account"
	}
	return fmt.Sprintf("- %s: handover: `%s`, which served %s%s, was killed (SIGKILL) %s s after the first create; %s, and %s%s.",
		r.mode, h.victim, served, led, fixed(h.at.Seconds(), 1), resumed, ready, on)
}
