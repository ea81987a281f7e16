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
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

func TestAccountSizes(t *testing.T) {
	tests := map[string]struct {
		perAccount, k, skew int
		want                []int
	}{
		"one account":        {perAccount: 1000, k: 1, skew: 1, want: []int{1000}},
		"equal accounts":     {perAccount: 1000, k: 3, skew: 1, want: []int{1000, 1000, 1000}},
		"first one skewed":   {perAccount: 500, k: 5, skew: 4, want: []int{2000, 500, 500, 500, 500}},
		"skew of two of two": {perAccount: 10, k: 2, skew: 2, want: []int{20, 10}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, accountSizes(tc.perAccount, tc.k, tc.skew)); diff != "" {
				t.Errorf("accountSizes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreationOrder(t *testing.T) {
	tests := map[string]struct {
		sizes []int
		want  []int
	}{
		"one account keeps the order": {sizes: []int{3}, want: []int{0, 0, 0}},
		"equal accounts take turns":   {sizes: []int{2, 2, 2}, want: []int{0, 1, 2, 0, 1, 2}},
		"a larger account is spread over the whole creation": {
			sizes: []int{4, 1, 1},
			want:  []int{0, 0, 1, 2, 0, 0},
		},
		"skewed, none waits for the large one": {
			sizes: []int{6, 2},
			want:  []int{0, 0, 1, 0, 0, 0, 1, 0},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, creationOrder(tc.sizes)); diff != "" {
				t.Errorf("creationOrder (-want +got):\n%s", diff)
			}
		})
	}
	// Every account gets exactly its users.
	sizes := []int{4000, 1000, 1000, 1000}
	counts := make([]int, len(sizes))
	for _, a := range creationOrder(sizes) {
		counts[a]++
	}
	if diff := cmp.Diff(sizes, counts); diff != "" {
		t.Errorf("users per account (-want +got):\n%s", diff)
	}
}

func TestFleetUser(t *testing.T) {
	one := fleet{{name: testenv.DefaultAccount, users: 2}}
	if ref := one.user(1, []int{0, 0}, 10).Spec.AccountRef; ref != (zoomv1.AccountReference{}) {
		t.Errorf("a single account's ZoomUser names account %+v, want none (the default)", ref)
	}
	two := fleet{{name: "account-00", users: 1}, {name: "account-01", users: 1}}
	zu := two.user(1, []int{0, 1}, 10)
	want := zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: "account-01"}
	if diff := cmp.Diff(want, zu.Spec.AccountRef); diff != "" {
		t.Errorf("accountRef (-want +got):\n%s", diff)
	}
	if zu.Name != "user-00001" || accountOf(zu) != "account-01" {
		t.Errorf("user %s of account %s, want user-00001 of account-01", zu.Name, accountOf(zu))
	}
}

// TestTrackerPerAccount feeds the tracker watch events: each account is
// done when all of its users are Ready, the run when all accounts are.
func TestTrackerPerAccount(t *testing.T) {
	user := func(name, account string, ready bool) *zoomv1.ZoomUser {
		zu := benchUser(0, 1)
		zu.Name, zu.Generation = name, 1
		if account != "" {
			zu.Spec.AccountRef.Name = account
		}
		if ready {
			zu.Status.ID, zu.Status.ObservedGeneration = "zoom-"+name, 1
			zu.Status.Conditions = []metav1.Condition{{Type: zoomv1.ConditionReady, Status: metav1.ConditionTrue}}
		}
		return zu
	}
	tr := newTracker(map[string]int{"account-00": 2, "account-01": 1})
	tr.observe(user("a", "account-00", true), false)
	tr.observe(user("b", "account-01", true), false)
	if tr.accountReadyAt("account-01").IsZero() || !tr.accountReadyAt("account-00").IsZero() || !tr.allReadyAt().IsZero() {
		t.Fatalf("after account-01's only user: account-01 done %v, account-00 done %v, all done %v; want true, false, false",
			!tr.accountReadyAt("account-01").IsZero(), !tr.accountReadyAt("account-00").IsZero(), !tr.allReadyAt().IsZero())
	}
	tr.observe(user("a", "account-00", false), false) // no longer Ready
	tr.observe(user("c", "account-00", true), false)
	if got := tr.accountReady("account-00"); got != 1 || !tr.accountReadyAt("account-00").IsZero() {
		t.Fatalf("account-00: %d Ready, done %v; want 1, not done", got, !tr.accountReadyAt("account-00").IsZero())
	}
	tr.observe(user("a", "account-00", true), false)
	select {
	case <-tr.allDone:
	default:
		t.Fatal("all three Ready, but the tracker is not done")
	}
	if tr.accountReadyAt("account-00").IsZero() || tr.readyCount() != 3 {
		t.Errorf("account-00 done %v, %d Ready; want done, 3", !tr.accountReadyAt("account-00").IsZero(), tr.readyCount())
	}
	// A single account's users name none; they count for "default".
	def := newTracker(map[string]int{testenv.DefaultAccount: 1})
	def.observe(user("d", "", true), false)
	if def.accountReadyAt(testenv.DefaultAccount).IsZero() {
		t.Error("a ZoomUser naming no account did not count for the default account")
	}
}

// accountsFixture is a made-up run of three accounts of 100 users, the
// first with four times as many, at Pro (Light 30/s): account-02 did not
// converge by the 60 s cap.
func accountsFixture(t *testing.T) (*report, *result) {
	t.Helper()
	cfg, err := parseFlags([]string{"--accounts=3", "--account-skew=4", "--sizes=100", "--modes=operator"})
	if err != nil {
		t.Fatal(err)
	}
	lim := cfg.plan.enforced(cfg.scale)
	accts := newAccountResults(accountSizes(100, 3, 4), lim)
	accts[0].converged, accts[0].t, accts[0].readyAtCap = true, 14*time.Second, 400
	accts[0].calls = callStats{total: 402}
	accts[1].converged, accts[1].t, accts[1].readyAtCap = true, 3500*time.Millisecond, 100
	accts[1].calls = callStats{total: 101}
	accts[2].t, accts[2].readyAtCap = 60*time.Second, 80
	accts[2].calls = callStats{total: 90, tooMany: 3}
	r := &result{
		size: 100, n: 600, mode: modeOperator, limit: lim, floor: floorFor(400, lim), cap: 60 * time.Second,
		t: 60 * time.Second, readyAtCap: 580, accounts: accts, creation: callStats{total: 593, tooMany: 3},
	}
	return &report{cfg: cfg, runs: []*result{r}, started: time.Now(), finished: time.Now(), machine: thisMachine()}, r
}

func TestAccountFloorsAndRatios(t *testing.T) {
	_, r := accountsFixture(t)
	var floors []time.Duration
	var ratios []string
	for _, a := range r.accounts {
		floors = append(floors, a.floor)
		ratios = append(ratios, fixed(a.ratio(), 2))
	}
	wantFloors := []time.Duration{13333333333, 3333333333, 3333333333} // 400 and 100 users at 30/s
	if diff := cmp.Diff(wantFloors, floors); diff != "" {
		t.Errorf("floors (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1.05", "1.05", "18.00"}, ratios); diff != "" {
		t.Errorf("T / floor (-want +got):\n%s", diff)
	}
	if got, want := resyncLimit(accountSizes(100, 3, 4)), 7+6+6; got != want {
		t.Errorf("resyncLimit = %d, want %d (ceil(n/300) + 5 per account)", got, want)
	}
}

func TestRatioQuantile(t *testing.T) {
	acct := func(name string, users int, t time.Duration, converged bool) *accountResult {
		return &accountResult{name: name, users: users, floor: time.Duration(users) * time.Second, t: t, converged: converged}
	}
	// Ratios 1.0, 1.2, 1.1, 3.0 (a large account), and one not converged
	// at a lower ratio than the large one's: it still counts as the slowest.
	accts := []*accountResult{
		acct("a", 10, 10*time.Second, true),
		acct("b", 10, 12*time.Second, true),
		acct("c", 10, 11*time.Second, true),
		acct("d", 40, 120*time.Second, true),
		acct("e", 100, 200*time.Second, false),
	}
	tests := map[string]struct {
		accts []*accountResult
		p     float64
		want  string
	}{
		"min":                           {accts: accts, p: 0, want: "1.00"},
		"median":                        {accts: accts, p: 0.5, want: "1.20"},
		"p95":                           {accts: accts, p: 0.95, want: "> 2.00"},
		"max is the one not converged":  {accts: accts, p: 1, want: "> 2.00"},
		"max of the converged ones":     {accts: accts[:4], p: 1, want: "3.00"},
		"median of an even number":      {accts: accts[:4], p: 0.5, want: "1.10"},
		"one account is every quantile": {accts: accts[1:2], p: 0.95, want: "1.20"},
		"none":                          {p: 0.5, want: "—"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := ratioQuantile(tc.accts, tc.p); got != tc.want {
				t.Errorf("ratioQuantile(%g) = %q, want %q", tc.p, got, tc.want)
			}
		})
	}
}

func TestGroupBySize(t *testing.T) {
	_, r := accountsFixture(t)
	var got []string
	for _, g := range groupBySize(r.accounts) {
		got = append(got, g.label(len(r.accounts)))
	}
	if diff := cmp.Diff([]string{"`account-00`", "`account-01` … `account-02` (2)"}, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	equal := newAccountResults(accountSizes(10, 4, 1), limits{light: 1, medium: 1})
	if gs := groupBySize(equal); len(gs) != 1 || gs[0].label(4) != "all 4" {
		t.Errorf("four equal accounts: %d groups, want one labelled \"all 4\"", len(gs))
	}
}

func TestManyAccountsSection(t *testing.T) {
	rp, r := accountsFixture(t)
	wantTable := "| Mode | Accounts | Users each | Floor (s) | T / floor min | median | p95 | max | Zoom calls per user | 429s |\n" +
		"|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n" +
		"| operator | `account-00` | 400 | 13.3 | 1.05 | 1.05 | 1.05 | 1.05 | 1.005 | 0 (0.00 %) |\n" +
		"| operator | `account-01` … `account-02` (2) | 100 | 3.3 | 1.05 | 1.05 | > 18.00 | > 18.00 | 0.955 | 3 (1.57 %) |\n"
	if diff := cmp.Diff(wantTable, rp.accountTable(100)); diff != "" {
		t.Errorf("account table (-want +got):\n%s", diff)
	}
	wantVerdict := "- operator: the slowest of the 3 accounts, `account-02` (100 users), not converged (80 of 100 Ready); " +
		"the median account at 1.05 × its floor; 1 not converged. " +
		"All accounts together: 580 users Ready in 60.0 s, 9.7 a second, where their budgets allow 90 creates a second together."
	if diff := cmp.Diff(wantVerdict, accountVerdict(r, modeOperator)); diff != "" {
		t.Errorf("verdict (-want +got):\n%s", diff)
	}
	section := rp.results()
	for _, want := range []string{
		"### Many accounts: 3 × 100 ZoomUsers, the first 4 × as many (600 in all)\n",
		"its floor is the largest account's (13.3 s)",
		"| Resync: Zoom calls per interval (most in any 2m0s; target ≤ 19) |",
		"| Time from first create to all Ready, T (s) | not converged after 60 s (580 of 600 Ready) |",
		wantTable, wantVerdict,
	} {
		if !strings.Contains(section, want) {
			t.Errorf("results lack %q:\n%s", want, section)
		}
	}
	if strings.Contains(section, "### Targets") || strings.Contains(section, "### N = ") {
		t.Errorf("results of many accounts carry the single account's tables:\n%s", section)
	}
	doc := reference()
	for _, want := range []string{"| `--accounts` | `1` |", "| `--account-skew` | `1` |", "- **Many accounts** (`--accounts=K`"} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %q", want)
		}
	}

	r.err = errTest
	failed := "| operator | failed: boom | | | | | | | | |\n"
	if got := rp.accountTable(100); !strings.HasSuffix(got, failed) {
		t.Errorf("a failed run's row: got\n%s\nwant it to end in\n%s", got, failed)
	}
	if got, want := accountVerdict(r, modeOperator), "- operator: failed: boom"; got != want {
		t.Errorf("a failed run's verdict %q, want %q", got, want)
	}
}

var errTest = errorString("boom")

type errorString string

func (e errorString) Error() string { return string(e) }

func TestParseFlagsAccounts(t *testing.T) {
	cfg, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.accounts != 1 || cfg.accountSkew != 1 {
		t.Errorf("defaults: accounts %d, skew %d; want 1, 1", cfg.accounts, cfg.accountSkew)
	}
	if cfg, err = parseFlags([]string{"--accounts=50", "--account-skew=10"}); err != nil || cfg.accounts != 50 || cfg.accountSkew != 10 {
		t.Errorf("--accounts=50 --account-skew=10: %d, %d, %v", cfg.accounts, cfg.accountSkew, err)
	}
	for _, bad := range [][]string{
		{"--accounts=0"}, {"--accounts=101"}, {"--account-skew=0"}, {"--account-skew=2"},
		{"--accounts=2", "--interactive=5"},
	} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%v) accepted it", bad)
		}
	}
}
