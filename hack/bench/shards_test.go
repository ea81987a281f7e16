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
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/shard"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// labelled is a ZoomUser of account carrying replica's shard label ("":
// none), one for each replica given.
func labelled(account string, replicas ...string) []zoomv1.ZoomUser {
	var out []zoomv1.ZoomUser
	for i, id := range replicas {
		zu := benchUser(i, 1)
		zu.Name = fmt.Sprintf("%s-%d", account, i)
		zu.Spec.AccountRef = zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: account}
		if id != "" {
			zu.Labels = map[string]string{shard.LabelShard: id}
		}
		out = append(out, *zu)
	}
	return out
}

func TestPlacement(t *testing.T) {
	ids := []string{"replica-0", "replica-1", "replica-2"}
	type view struct {
		Owners   map[string]string
		Served   map[string][2]int // accounts, users
		NotOnOne []string
		Busiest  string
	}
	tests := map[string]struct {
		users [][]zoomv1.ZoomUser
		want  view
	}{
		"each account on one replica": {
			users: [][]zoomv1.ZoomUser{
				labelled("account-00", "replica-1", "replica-1"),
				labelled("account-01", "replica-0"),
				labelled("account-02", "replica-1"),
			},
			want: view{
				Owners:  map[string]string{"account-00": "replica-1", "account-01": "replica-0", "account-02": "replica-1"},
				Served:  map[string][2]int{"replica-0": {1, 1}, "replica-1": {2, 3}, "replica-2": {0, 0}},
				Busiest: "replica-1",
			},
		},
		"a tie goes to the first replica": {
			users: [][]zoomv1.ZoomUser{labelled("account-00", "replica-2"), labelled("account-01", "replica-1")},
			want: view{
				Owners:  map[string]string{"account-00": "replica-2", "account-01": "replica-1"},
				Served:  map[string][2]int{"replica-0": {0, 0}, "replica-1": {1, 1}, "replica-2": {1, 1}},
				Busiest: "replica-1",
			},
		},
		"an account on two replicas has no owner": {
			users: [][]zoomv1.ZoomUser{labelled("account-00", "replica-0", "replica-1", "replica-1"), labelled("account-01", "replica-2")},
			want: view{
				Owners:   map[string]string{"account-00": "", "account-01": "replica-2"},
				Served:   map[string][2]int{"replica-0": {0, 1}, "replica-1": {0, 2}, "replica-2": {1, 1}},
				NotOnOne: []string{"account-00"},
				Busiest:  "replica-2",
			},
		},
		"an unlabelled user leaves the owner but fails the check": {
			users: [][]zoomv1.ZoomUser{labelled("account-00", "replica-0", "")},
			want: view{
				Owners:   map[string]string{"account-00": "replica-0"},
				Served:   map[string][2]int{"replica-0": {1, 1}, "replica-1": {0, 0}, "replica-2": {0, 0}},
				NotOnOne: []string{"account-00"},
				Busiest:  "replica-0",
			},
		},
		"nothing labelled yet": {
			users: [][]zoomv1.ZoomUser{labelled("account-00", "", "")},
			want: view{
				Owners:   map[string]string{"account-00": ""},
				Served:   map[string][2]int{"replica-0": {0, 0}, "replica-1": {0, 0}, "replica-2": {0, 0}},
				NotOnOne: []string{"account-00"},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var users []zoomv1.ZoomUser
			for _, u := range tc.users {
				users = append(users, u...)
			}
			p := placementOf(users)
			got := view{Owners: map[string]string{}, Served: map[string][2]int{}, NotOnOne: p.notOnOne(), Busiest: p.busiest(ids)}
			for account := range p {
				got.Owners[account] = p.owner(account)
			}
			for _, id := range ids {
				a, u := p.served(id)
				got.Served[id] = [2]int{a, u}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("placement (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReplicaTotals(t *testing.T) {
	tests := map[string]struct {
		replicas []*replicaResult
		want     replicaTotals
	}{
		"none": {},
		"one manager is its own total": {
			replicas: []*replicaResult{{cpuCreation: 2 * time.Second, cpuTotal: 5 * time.Second, peakRSS: 40 << 20}},
			want:     replicaTotals{cpuCreation: 2 * time.Second, cpuTotal: 5 * time.Second, maxRSS: 40 << 20, sumRSS: 40 << 20},
		},
		"CPU adds up, memory peaks per process": {
			replicas: []*replicaResult{
				{cpuCreation: 2 * time.Second, cpuTotal: 5 * time.Second, peakRSS: 40 << 20},
				{cpuCreation: 3 * time.Second, cpuTotal: 4 * time.Second, peakRSS: 70 << 20},
				{cpuCreation: time.Second, cpuTotal: 2 * time.Second, peakRSS: 30 << 20},
			},
			want: replicaTotals{cpuCreation: 6 * time.Second, cpuTotal: 11 * time.Second, maxRSS: 70 << 20, sumRSS: 140 << 20},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, totals(tc.replicas), cmp.AllowUnexported(replicaTotals{})); diff != "" {
				t.Errorf("totals (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResumedAfter(t *testing.T) {
	kill := time.Unix(1000, 0)
	req := func(secs float64, endpoint string) zoomfake.Request {
		return zoomfake.Request{Time: kill.Add(time.Duration(secs * float64(time.Second))), Endpoint: endpoint}
	}
	create, token := zoomfake.EndpointCreateUser, zoomfake.EndpointToken
	tests := map[string]struct {
		logs   [][]zoomfake.Request
		want   time.Duration
		wantOK bool
	}{
		"the last account's first call counts": {
			logs: [][]zoomfake.Request{
				{req(-1, create), req(12, create), req(13, create)},
				{req(-0.5, create), req(17.5, zoomfake.EndpointListUsers), req(18, create)},
			},
			want: 17500 * time.Millisecond, wantOK: true,
		},
		"token requests, which every replica makes, do not count": {
			logs:   [][]zoomfake.Request{{req(2, token), req(15, create)}},
			want:   15 * time.Second,
			wantOK: true,
		},
		"calls before the kill do not count": {
			logs: [][]zoomfake.Request{{req(-3, create), req(-0.1, create)}},
		},
		"one account that never resumed": {
			logs: [][]zoomfake.Request{{req(10, create)}, {req(4, token)}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := resumedAfter(tc.logs, kill)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("resumedAfter = %v, %v; want %v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestHandoverFinish(t *testing.T) {
	kill := time.Now()
	accts := fleet{{name: "account-00"}, {name: "account-01"}, {name: "account-02"}}
	logs := [][]zoomfake.Request{
		{{Time: kill.Add(20 * time.Second), Endpoint: zoomfake.EndpointCreateUser}},
		{{Time: kill.Add(time.Second), Endpoint: zoomfake.EndpointCreateUser}}, // not the victim's
		{{Time: kill.Add(16 * time.Second), Endpoint: zoomfake.EndpointCreateUser}},
	}
	ready := func(zu zoomv1.ZoomUser) *zoomv1.ZoomUser {
		zu.Generation, zu.Status.ID, zu.Status.ObservedGeneration = 1, "zoom-"+zu.Name, 1
		zu.Status.Conditions = []metav1.Condition{{Type: zoomv1.ConditionReady, Status: metav1.ConditionTrue}}
		return &zu
	}
	tracker := newTracker(map[string]int{"account-00": 1, "account-01": 1, "account-02": 1})
	for _, account := range []string{"account-00", "account-01"} {
		tracker.observe(ready(labelled(account, "replica-0")[0]), false)
	}
	h := &handoverStats{victim: "replica-1", accounts: []string{"account-00", "account-02"}, killedAt: kill, resumed: -1, ready: -1}
	h.finish(accts, logs, tracker)
	if h.resumed != 20*time.Second || h.ready != -1 {
		t.Errorf("with account-02 not Ready: resumed %v, ready %v; want 20s, -1", h.resumed, h.ready)
	}
	tracker.observe(ready(labelled("account-02", "replica-0")[0]), false)
	h.finish(accts, logs, tracker)
	if h.ready <= 0 || h.ready > time.Since(kill) {
		t.Errorf("all Ready: ready %v after the kill, want the time account-02 became Ready (0 < ready ≤ %v)", h.ready, time.Since(kill))
	}
	var none *handoverStats
	none.finish(accts, logs, tracker) // no kill asked: nothing to do
	skipped := &handoverStats{skipped: "creation ended before the kill was due", resumed: -1, ready: -1}
	skipped.finish(accts, logs, tracker)
	if skipped.resumed != -1 || skipped.ready != -1 {
		t.Errorf("a skipped kill was timed: resumed %v, ready %v", skipped.resumed, skipped.ready)
	}
}

// shardsFixture is a made-up run of three replicas over three accounts of
// 100 users at Pro: replica-1 led and was killed 30 s in, its account-00
// went to replica-2.
func shardsFixture(t *testing.T) (*report, *result) {
	t.Helper()
	cfg, err := parseFlags([]string{"--replicas=3", "--accounts=3", "--sizes=100", "--modes=operator", "--kill-replica-after=30s"})
	if err != nil {
		t.Fatal(err)
	}
	lim := cfg.plan.enforced(cfg.scale)
	accts := newAccountResults(accountSizes(100, 3, 1), lim)
	for i, a := range accts {
		a.converged, a.t, a.readyAtCap = true, time.Duration(4+i)*time.Second, 100
		a.calls = callStats{total: 101}
	}
	var users []zoomv1.ZoomUser
	for account, id := range map[string]string{"account-00": "replica-2", "account-01": "replica-0", "account-02": "replica-2"} {
		for range 100 {
			users = append(users, labelled(account, id)...)
		}
	}
	r := &result{
		size: 100, n: 300, mode: modeOperator, limit: lim, floor: floorFor(100, lim), cap: time.Minute,
		converged: true, t: 6 * time.Second, readyAtCap: 300, accounts: accts, creation: callStats{total: 303},
		replicas: []*replicaResult{
			{id: "replica-0", cpuCreation: 2 * time.Second, cpuTotal: 6 * time.Second, peakRSS: 50 << 20},
			{id: "replica-1", leader: true, killed: true, cpuCreation: 1500 * time.Millisecond, cpuTotal: 3 * time.Second, peakRSS: 60 << 20},
			{id: "replica-2", leader: true, cpuCreation: 3 * time.Second, cpuTotal: 8 * time.Second, peakRSS: 70 << 20},
		},
		placement: placementOf(users),
		handover: &handoverStats{victim: "replica-1", leader: true, accounts: []string{"account-00"}, at: 30 * time.Second,
			resumed: 17300 * time.Millisecond, ready: 52 * time.Second, owners: []string{"replica-2"}},
	}
	t0 := totals(r.replicas)
	r.cpuCreation, r.cpuTotal, r.peakRSS = t0.cpuCreation, t0.cpuTotal, t0.maxRSS
	return &report{cfg: cfg, runs: []*result{r}, started: time.Now(), finished: time.Now(), machine: thisMachine()}, r
}

func TestShardsSection(t *testing.T) {
	rp, r := shardsFixture(t)
	wantTable := "| Mode | Replica | Accounts | ZoomUsers | CPU during creation (s) | CPU over the whole run (s) | Peak RSS (MiB) |\n" +
		"|---|---|---:|---:|---:|---:|---:|\n" +
		"| operator | `replica-0` | 1 | 100 | 2.0 | 6.0 | 50.0 |\n" +
		"| operator | `replica-1` (led, killed at 30 s) | 0 | 0 | 1.5 | 3.0 | 60.0 |\n" +
		"| operator | `replica-2` (led) | 2 | 200 | 3.0 | 8.0 | 70.0 |\n" +
		"| operator | all 3 | 3 | 300 | 6.5 | 17.0 | 70.0 (sum 180.0) |\n"
	if diff := cmp.Diff(wantTable, rp.replicaTable(100)); diff != "" {
		t.Errorf("replica table (-want +got):\n%s", diff)
	}
	wantPlacement := "- operator: each of the 3 accounts was served by exactly one replica: all of its ZoomUsers carry one replica's label."
	if diff := cmp.Diff(wantPlacement, placementVerdict(r)); diff != "" {
		t.Errorf("placement line (-want +got):\n%s", diff)
	}
	wantHandover := "- operator: handover: `replica-1`, which served 1 account and led, was killed (SIGKILL) 30.0 s after the first create; " +
		"their Zoom calls resumed 17.3 s after the kill (the last account's first call), and all their users were Ready 52.0 s after it, on `replica-2`."
	if diff := cmp.Diff(wantHandover, handoverLine(r)); diff != "" {
		t.Errorf("handover line (-want +got):\n%s", diff)
	}
	section := rp.results()
	for _, want := range []string{
		"### Shards: 3 replicas, 3 accounts × 100 ZoomUsers (300 in all)\n",
		"`KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh) go run ./hack/bench --replicas=3 --accounts=3 --sizes=100 --modes=operator --kill-replica-after=30s`\non ",
		"`--resync-interval=2m0s --max-concurrent-reconciles=16 --zoom-rate-scale=1 --leader-elect --leader-election-namespace=zoom-operator-system --shard-id=replica-<i>`",
		"before the first create.\n\n3 ClusterZoomAccounts split between the replicas, each with its own credentials Secret",
		"| Manager CPU over the whole run (s) | 17.0 |",
		"| Manager peak RSS (MiB) | 70.0 |",
		rp.accountTable(100), wantTable, wantPlacement, wantHandover,
	} {
		if !strings.Contains(section, want) {
			t.Errorf("results lack %q:\n%s", want, section)
		}
	}
	for _, unwanted := range []string{"### Many accounts", "### Targets", "### N = "} {
		if strings.Contains(section, unwanted) {
			t.Errorf("results of shards carry %q:\n%s", unwanted, section)
		}
	}
	doc := reference()
	for _, want := range []string{"| `--replicas` | `1` |", "| `--kill-replica-after` | `0` (none) |", "- **Shards** (`--replicas=R`", "make bench-shards "} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %q", want)
		}
	}
}

func TestShardsSectionFailures(t *testing.T) {
	rp, r := shardsFixture(t)
	r.placement = placementOf(append(labelled("account-00", "replica-0", "replica-1"), labelled("account-01", "replica-1", "")...))
	want := "- operator: **2 of the 2 accounts were not served by exactly one replica**: " +
		"`account-00` (replica-0: 1, replica-1: 1); `account-01` (unlabelled: 1, replica-1: 1)."
	if diff := cmp.Diff(want, placementVerdict(r)); diff != "" {
		t.Errorf("placement line (-want +got):\n%s", diff)
	}
	r.placement = nil
	if got := rp.replicaTable(100); !strings.Contains(got, "| operator | `replica-0` | — | — | 2.0 |") {
		t.Errorf("a placement not read should leave the replicas' accounts open:\n%s", got)
	}
	r.handover = &handoverStats{skipped: "creation ended before the kill was due"}
	if got, want := handoverLine(r), "- operator: no replica killed: creation ended before the kill was due."; got != want {
		t.Errorf("handover line %q, want %q", got, want)
	}
	r.handover = &handoverStats{victim: "replica-1", accounts: []string{"account-00", "account-02"}, at: 30 * time.Second, resumed: -1, ready: -1}
	if got, want := handoverLine(r), "- operator: handover: `replica-1`, which served 2 accounts, was killed (SIGKILL) 30.0 s after the first create; "+
		"their Zoom calls had not all resumed by the end of creation, and not all their users were Ready by the cap."; got != want {
		t.Errorf("handover line\n%q, want\n%q", got, want)
	}
	r.err = errTest
	if got := rp.replicaTable(100); !strings.HasSuffix(got, "| operator | failed: boom | | | | | |\n") {
		t.Errorf("a failed run's row:\n%s", got)
	}
}

func TestParseFlagsReplicas(t *testing.T) {
	cfg, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.replicas != 1 || cfg.killReplicaAfter != 0 {
		t.Errorf("defaults: replicas %d, kill after %s; want 1, 0", cfg.replicas, cfg.killReplicaAfter)
	}
	cfg, err = parseFlags([]string{"--replicas=3", "--accounts=9", "--kill-replica-after=2m"})
	if err != nil || cfg.replicas != 3 || cfg.killReplicaAfter != 2*time.Minute {
		t.Errorf("--replicas=3 --accounts=9 --kill-replica-after=2m: %d, %s, %v", cfg.replicas, cfg.killReplicaAfter, err)
	}
	for _, bad := range [][]string{
		{"--replicas=0"}, {"--replicas=11", "--accounts=20"}, {"--replicas=2"},
		{"--kill-replica-after=1m"}, {"--replicas=2", "--accounts=2", "--kill-replica-after=-1s"},
	} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%v) accepted it", bad)
		}
	}
}
