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
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// account is one Zoom account of a run. The operator keeps one request
// budget per account (its API URL and account id), so every account gets a
// fake Zoom of its own, on its own loopback port.
type account struct {
	name  string // the ClusterZoomAccount
	users int    // bulk ZoomUsers the run creates for it
	zoom  *fakeZoom
}

// fleet is the accounts of one run, the first the one --account-skew
// makes larger.
type fleet []*account

// accountSizes is how many ZoomUsers each of k accounts gets: perAccount
// each, the first skew times as many.
func accountSizes(perAccount, k, skew int) []int {
	sizes := make([]int, k)
	for a := range sizes {
		sizes[a] = perAccount
	}
	sizes[0] *= skew
	return sizes
}

// accountName is the ClusterZoomAccount of the a-th of k accounts. A single
// account is "default", which ZoomUsers naming no account use, so that a run
// of one account is the run it always was.
func accountName(a, k int) string {
	if k == 1 {
		return testenv.DefaultAccount
	}
	return fmt.Sprintf("account-%02d", a)
}

// creationOrder says which account the i-th created ZoomUser belongs to.
// Every account's creates are spread evenly over the creation: a larger
// account's arrive faster, none waits for another's to be sent first, and
// all accounts' last creates come near the end. Then an account that
// converges later than its floor was held up in the manager, not by the
// order the harness created its users in.
func creationOrder(sizes []int) []int {
	type slot struct {
		at      float64 // the create's place within its account's, 0 to 1
		account int
	}
	var slots []slot
	for a, n := range sizes {
		for j := range n {
			slots = append(slots, slot{at: (float64(j) + 0.5) / float64(n), account: a})
		}
	}
	slices.SortFunc(slots, func(x, y slot) int {
		return cmp.Or(cmp.Compare(x.at, y.at), cmp.Compare(x.account, y.account))
	})
	order := make([]int, len(slots))
	for i, s := range slots {
		order[i] = s.account
	}
	return order
}

// startFleet serves a fake Zoom for each account. One account keeps the
// fake's default credentials; several get an account id each, as distinct
// Zoom accounts have.
func startFleet(sizes []int, lim limits, window zoomfake.Window) (fleet, error) {
	var f fleet
	for a, n := range sizes {
		id := ""
		if len(sizes) > 1 {
			id = "bench-" + accountName(a, len(sizes))
		}
		z, err := startFakeZoom(lim, window, id)
		if err != nil {
			f.stop()
			return nil, err
		}
		f = append(f, &account{name: accountName(a, len(sizes)), users: n, zoom: z})
	}
	return f, nil
}

func (f fleet) stop() {
	for _, a := range f {
		a.zoom.stop()
	}
}

// create makes the operator's namespace and, for every account, its
// credentials Secret and its ClusterZoomAccount of the given plan.
func (f fleet) create(ctx context.Context, c client.Client, p plan) error {
	objs := []client.Object{testenv.Namespace(testenv.OperatorNamespace)}
	for _, a := range f {
		settings := a.zoom.Target().Settings()
		settings.Plan = zoomv1.Plan(p.name)
		secret := testenv.CredentialsSecret
		if len(f) > 1 {
			secret += "-" + a.name
		}
		objs = append(objs, testenv.ClusterAccount(a.name, secret, settings, a.zoom.Target())...)
	}
	return testenv.CreateAll(ctx, c, objs...)
}

// waitReady waits until the manager (of several replicas, the leader,
// which alone writes account status) has obtained a token for every
// account, so that the timed part starts with a manager that is running.
func (f fleet) waitReady(ctx context.Context, c client.Client, managers *replicaSet, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, a := range f {
		for {
			var cza zoomv1.ClusterZoomAccount
			err := c.Get(ctx, types.NamespacedName{Name: a.name}, &cza)
			if err == nil && meta.IsStatusConditionTrue(cza.Status.Conditions, zoomv1.ConditionReady) {
				break
			}
			if err := managers.failure("before the account was Ready"); err != nil {
				return err
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("ClusterZoomAccount %s not Ready after %s (last error: %v)", a.name, timeout, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(250 * time.Millisecond):
			}
		}
	}
	return nil
}

// wants is how many bulk ZoomUsers of each account must be Ready.
func (f fleet) wants() map[string]int {
	w := map[string]int{}
	for _, a := range f {
		w[a.name] = a.users
	}
	return w
}

// user is the i-th bulk ZoomUser of the run, of the account order gives it.
// A single account's users name none: they use "default".
func (f fleet) user(i int, order []int, namespaces int) *zoomv1.ZoomUser {
	zu := benchUser(i, namespaces)
	if len(f) > 1 {
		zu.Spec.AccountRef = zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: f[order[i]].name}
	}
	return zu
}

// accountOf is the account a ZoomUser of the run belongs to.
func accountOf(zu *zoomv1.ZoomUser) string {
	if zu.Spec.AccountRef.Name == "" {
		return testenv.DefaultAccount
	}
	return zu.Spec.AccountRef.Name
}

func (f fleet) resetCounters() {
	for _, a := range f {
		a.zoom.ResetCounters()
	}
}

// requests is each account's request log, in the fleet's order.
func (f fleet) requests() [][]zoomfake.Request {
	logs := make([][]zoomfake.Request, len(f))
	for i, a := range f {
		logs[i] = a.zoom.Requests()
	}
	return logs
}

// merged is the requests of every account in the order they arrived.
func merged(logs [][]zoomfake.Request) []zoomfake.Request {
	all := slices.Concat(logs...)
	slices.SortStableFunc(all, func(x, y zoomfake.Request) int { return x.Time.Compare(y.Time) })
	return all
}

// counts is every account's requests so far and its 429s, for the progress line.
func (f fleet) counts() (total, tooMany int) {
	for _, a := range f {
		total += a.zoom.Count("")
		tooMany += a.zoom.CountStatus(429)
	}
	return total, tooMany
}

// zoomUsers is the users every account's Zoom holds.
func (f fleet) zoomUsers() int {
	n := 0
	for _, a := range f {
		n += len(a.zoom.Users())
	}
	return n
}

// accountResult is what one account of a run measured.
type accountResult struct {
	name  string
	users int
	floor time.Duration // users / Light limit: the account's own floor

	converged  bool
	t          time.Duration // the run's first create to all its users Ready; the run's cap when not converged
	readyAtCap int
	calls      callStats // its Zoom's requests over the whole creation phase
}

// ratio is T over the account's own floor; a lower bound when it did not converge.
func (a *accountResult) ratio() float64 { return ratio(a.t, a.floor) }

// newAccountResults sets out the accounts of a run before it starts.
func newAccountResults(sizes []int, lim limits) []*accountResult {
	out := make([]*accountResult, len(sizes))
	for a, n := range sizes {
		out[a] = &accountResult{name: accountName(a, len(sizes)), users: n, floor: floorFor(n, lim)}
	}
	return out
}

// finishAccounts fills in each account's figures at the end of creation.
func finishAccounts(r *result, logs [][]zoomfake.Request, tracker *readyTracker, start time.Time) {
	for i, a := range r.accounts {
		a.calls = countCalls(logs[i])
		a.readyAtCap = tracker.accountReady(a.name)
		if at := tracker.accountReadyAt(a.name); !at.IsZero() {
			a.converged, a.t = true, at.Sub(start)
		} else {
			a.t = r.cap
		}
	}
}

// describe is one line about an account, for the console and the run details.
func (a *accountResult) describe() string {
	t := fmt.Sprintf("all Ready in %s (%s × its floor of %s)", seconds(a.t), fixed(a.ratio(), 2), seconds(a.floor))
	if !a.converged {
		t = fmt.Sprintf("not converged (%s of %s Ready)", thousands(a.readyAtCap), thousands(a.users))
	}
	return fmt.Sprintf("%s: %s users, %s; %s Zoom calls, %s 429s", a.name, thousands(a.users), t,
		thousands(a.calls.total), thousands(a.calls.tooMany))
}

// bySlowness sorts accounts from the fastest to the slowest relative to its
// own floor; one that did not converge counts as slower than any that did.
func bySlowness(accts []*accountResult) []*accountResult {
	sorted := slices.Clone(accts)
	slices.SortStableFunc(sorted, func(x, y *accountResult) int {
		if x.converged != y.converged {
			if x.converged {
				return -1
			}
			return 1
		}
		return cmp.Compare(x.ratio(), y.ratio())
	})
	return sorted
}

// ratioQuantile is the nearest-rank p-th percentile (0 ≤ p ≤ 1) of the
// accounts' T / floor, with "> " when it falls on an account that did not
// converge, whose ratio is only a lower bound.
func ratioQuantile(accts []*accountResult, p float64) string {
	if len(accts) == 0 {
		return "—"
	}
	a := bySlowness(accts)[nearestRank(len(accts), p)]
	if !a.converged {
		return "> " + fixed(a.ratio(), 2)
	}
	return fixed(a.ratio(), 2)
}

// accountGroup is the accounts of a run that have the same number of users,
// in the fleet's order.
type accountGroup []*accountResult

// groupBySize groups the accounts by their number of users, in the order
// each size first appears: with --account-skew the large account, then the
// others.
func groupBySize(accts []*accountResult) []accountGroup {
	var groups []accountGroup
	at := map[int]int{}
	for _, a := range accts {
		i, ok := at[a.users]
		if !ok {
			i = len(groups)
			at[a.users] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], a)
	}
	return groups
}

// label names the group's accounts: one by name, several by the first and
// the last and their number, all of the run as such.
func (g accountGroup) label(all int) string {
	switch {
	case len(g) == 1:
		return "`" + g[0].name + "`"
	case len(g) == all:
		return fmt.Sprintf("all %d", all)
	}
	return fmt.Sprintf("`%s` … `%s` (%d)", g[0].name, g[len(g)-1].name, len(g))
}

// calls sums the group's Zoom calls and 429s.
func (g accountGroup) calls() (total, tooMany, users int) {
	for _, a := range g {
		total += a.calls.total
		tooMany += a.calls.tooMany
		users += a.users
	}
	return total, tooMany, users
}

// resyncLimit is the resync ceiling summed over the accounts.
func resyncLimit(sizes []int) int {
	n := 0
	for _, s := range sizes {
		n += resyncTarget(s)
	}
	return n
}

// manyAccounts is the results of one --sizes value when a run has several
// accounts: the sums over all of them, then each account against its own
// floor.
func (rp *report) manyAccounts(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Many accounts: %d × %s ZoomUsers%s\n\n", rp.cfg.accounts, thousands(n), rp.accountsExtent(n))
	fmt.Fprintf(&b, "%d ClusterZoomAccounts in one manager, ", rp.cfg.accounts)
	b.WriteString(rp.accountFigures(n, "The table sums all accounts"))
	return b.String()
}

// accountsExtent ends a title about the accounts of a --sizes value n:
// ", the first 4 × as many (600 in all)".
func (rp *report) accountsExtent(n int) string {
	skew := ""
	if rp.cfg.accountSkew > 1 {
		skew = fmt.Sprintf(", the first %d × as many", rp.cfg.accountSkew)
	}
	return fmt.Sprintf("%s (%s in all)", skew, thousands(sum(accountSizes(n, rp.cfg.accounts, rp.cfg.accountSkew))))
}

// accountFigures goes on from "K ClusterZoomAccounts <where they run>, ":
// how the accounts were set up, the table that sums them (sums says how),
// then each account against its own floor.
func (rp *report) accountFigures(n int, sums string) string {
	sizes := accountSizes(n, rp.cfg.accounts, rp.cfg.accountSkew)
	lim := rp.cfg.plan.enforced(rp.cfg.scale)
	var b strings.Builder
	b.WriteString("each with its own credentials Secret and its own fake Zoom\n")
	b.WriteString("on its own loopback port, so each has its own request budget; the harness interleaves the accounts'\n")
	fmt.Fprintf(&b, "creates evenly. %s; its floor is the largest account's (%s s).\n\n", sums,
		fixed(floorFor(slices.Max(sizes), lim).Seconds(), 1))
	b.WriteString(rp.sizeTable(n))
	fmt.Fprintf(&b, "\nPer account: T runs from the run's first create until all of the account's users are Ready; its floor is\n"+
		"its users / Light %d/s. Percentiles are nearest-rank over the accounts; \"> x\": not converged by the cap.\n\n", lim.light)
	b.WriteString(rp.accountTable(n))
	b.WriteString("\n")
	for _, m := range rp.cfg.modes {
		if line := accountVerdict(rp.find(n, m), m); line != "" {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// accountTable has a row per mode and group of equally large accounts.
func (rp *report) accountTable(n int) string {
	var b strings.Builder
	b.WriteString("| Mode | Accounts | Users each | Floor (s) | T / floor min | median | p95 | max | Zoom calls per user | 429s |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, m := range rp.cfg.modes {
		r := rp.find(n, m)
		if row := unmeasuredRow(m, r, 8); row != "" {
			b.WriteString(row)
			continue
		}
		for _, g := range groupBySize(r.accounts) {
			calls, tooMany, users := g.calls()
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s (%s %%) |\n", m, g.label(len(r.accounts)),
				thousands(g[0].users), fixed(g[0].floor.Seconds(), 1),
				ratioQuantile(g, 0), ratioQuantile(g, 0.5), ratioQuantile(g, 0.95), ratioQuantile(g, 1),
				fixed(float64(calls)/float64(users), 3), thousands(tooMany), fixed(percent(tooMany, calls), 2))
		}
	}
	return b.String()
}

// unmeasuredRow is a table's row for mode m when its run r was not run or
// failed, with empty cells after the first two; "" when r has figures.
func unmeasuredRow(m mode, r *result, emptyCells int) string {
	var what string
	switch {
	case r == nil:
		what = "not run"
	case r.err != nil:
		what = "failed: " + escapeCell(r.err.Error())
	default:
		return ""
	}
	return fmt.Sprintf("| %s | %s |%s\n", m, what, strings.Repeat(" |", emptyCells))
}

// accountVerdict is one line on how the accounts of a run fared against
// their own floors: the slowest and the median.
func accountVerdict(r *result, m mode) string {
	switch {
	case r == nil:
		return ""
	case r.err != nil:
		return fmt.Sprintf("- %s: failed: %s", m, escapeCell(r.err.Error()))
	}
	sorted := bySlowness(r.accounts)
	slowest := sorted[len(sorted)-1]
	how := fmt.Sprintf("at %s × its floor (T %s s)", fixed(slowest.ratio(), 2), fixed(slowest.t.Seconds(), 1))
	if !slowest.converged {
		how = fmt.Sprintf("not converged (%s of %s Ready)", thousands(slowest.readyAtCap), thousands(slowest.users))
	}
	notConverged := 0
	for _, a := range r.accounts {
		if !a.converged {
			notConverged++
		}
	}
	return fmt.Sprintf("- %s: the slowest of the %d accounts, `%s` (%s users), %s; the median account at %s × its floor; %d not converged. "+
		"All accounts together: %s users Ready in %s s, %s a second, where their budgets allow %s creates a second together.",
		m, len(r.accounts), slowest.name, thousands(slowest.users), how, ratioQuantile(r.accounts, 0.5), notConverged,
		thousands(r.readyAtCap), fixed(r.t.Seconds(), 1), fixed(float64(r.readyAtCap)/r.t.Seconds(), 1),
		thousands(len(r.accounts)*r.limit.light))
}
