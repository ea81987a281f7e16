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
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

func TestParseStatCPU(t *testing.T) {
	// A command name with a space and a parenthesis, as a process may choose.
	stat := "4242 (my (mgr) x) S 1 4242 4242 0 -1 4194304 900 0 0 0 250 37 0 0 20 0 12 0 100 1000 200"
	got, err := parseStatCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2870 * time.Millisecond; got != want {
		t.Errorf("parseStatCPU = %v, want %v", got, want)
	}
	if _, err := parseStatCPU("4242 (x) S 1"); err == nil {
		t.Error("parseStatCPU accepted a short line")
	}
}

func TestParseStatusKiB(t *testing.T) {
	status := "Name:\tmanager\nVmPeak:\t  900000 kB\nVmHWM:\t   81234 kB\nVmRSS:\t   70000 kB\n"
	got, err := parseStatusKiB(status, "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	if got != 81234 {
		t.Errorf("VmHWM = %d, want 81234", got)
	}
	if _, err := parseStatusKiB(status, "VmSwap"); err == nil {
		t.Error("a missing key gave no error")
	}
}

func TestProcUsageOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	u, err := procUsage(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if u.peakRSS <= 0 {
		t.Errorf("peak RSS %d, want > 0", u.peakRSS)
	}
}

func TestMaxInWindow(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(secs ...float64) []zoomfake.Request {
		var reqs []zoomfake.Request
		for _, s := range secs {
			reqs = append(reqs, zoomfake.Request{Time: t0.Add(time.Duration(s * float64(time.Second)))})
		}
		return reqs
	}
	tests := map[string]struct {
		reqs []zoomfake.Request
		want int
	}{
		"none":                 {want: 0},
		"one":                  {reqs: at(5), want: 1},
		"all inside":           {reqs: at(0, 1, 2, 9.9), want: 4},
		"window is half-open":  {reqs: at(0, 10), want: 1},
		"two bursts, one fits": {reqs: at(0, 0.1, 0.2, 12, 12.1), want: 3},
		"sliding":              {reqs: at(0, 5, 9, 14, 15, 16), want: 4},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := maxInWindow(tc.reqs, 10*time.Second); got != tc.want {
				t.Errorf("maxInWindow = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestCountCalls(t *testing.T) {
	reqs := []zoomfake.Request{
		{Endpoint: zoomfake.EndpointCreateUser, Status: 201},
		{Endpoint: zoomfake.EndpointCreateUser, Status: 429},
		{Endpoint: zoomfake.EndpointListUsers, Status: 200},
	}
	got := countCalls(reqs)
	want := callStats{
		total: 3, tooMany: 1,
		byEndpoint: map[string]int{zoomfake.EndpointCreateUser: 2, zoomfake.EndpointListUsers: 1},
		tooManyBy:  map[string]int{zoomfake.EndpointCreateUser: 1},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(callStats{})); diff != "" {
		t.Errorf("countCalls (-want +got):\n%s", diff)
	}
}

func TestFloorAndTargets(t *testing.T) {
	pro, err := parsePlan("pro")
	if err != nil {
		t.Fatal(err)
	}
	lim := pro.enforced(1)
	if got, want := floorFor(10000, lim), 10000*time.Second/30; got != want {
		t.Errorf("floor = %v, want %v", got, want)
	}
	if got := pro.enforced(0.5); got != (limits{light: 15, medium: 10}) {
		t.Errorf("Pro × 0.5 = %+v", got)
	}
	for n, want := range map[int]int{1: 6, 300: 6, 301: 7, 1000: 9, 10000: 39} {
		if got := resyncTarget(n); got != want {
			t.Errorf("resyncTarget(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestParseFlagsDefaults(t *testing.T) {
	cfg, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1000, 10000}, cfg.sizes); diff != "" {
		t.Errorf("sizes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]mode{modeOperator, modeBaseline}, cfg.modes); diff != "" {
		t.Errorf("modes (-want +got):\n%s", diff)
	}
	if !cfg.export || cfg.exportOnly {
		t.Errorf("export %v, export-only %v; want the export measured beside the manager", cfg.export, cfg.exportOnly)
	}
	if cfg.plan.name != "Pro" || cfg.scale != 1 || cfg.resync != 2*time.Minute || cfg.maxConcurrent != 16 {
		t.Errorf("defaults: plan %s, scale %g, resync %s, max concurrent %d", cfg.plan.name, cfg.scale, cfg.resync, cfg.maxConcurrent)
	}
	for _, bad := range [][]string{{"--sizes=0"}, {"--modes=fast"}, {"--plan=Gold"}, {"--scale=0.01"}, {"extra"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%v) accepted it", bad)
		}
	}
}

func TestManagerArgs(t *testing.T) {
	cfg := config{resync: 2 * time.Minute, maxConcurrent: 16, scale: 0.5}
	want := []string{"--resync-interval=2m0s", "--max-concurrent-reconciles=16", "--zoom-rate-scale=0.5"}
	if diff := cmp.Diff(want, cfg.managerArgs(modeOperator, "")); diff != "" {
		t.Errorf("operator args (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(append(want, "--baseline"), cfg.managerArgs(modeBaseline, "")); diff != "" {
		t.Errorf("baseline args (-want +got):\n%s", diff)
	}
	parsed, err := parseFlags([]string{"--manager-flag=--kube-api-qps=300", "--manager-flag=--pprof-bind-address=127.0.0.1:6060"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.managerFlags = parsed.managerFlags
	if diff := cmp.Diff(append(want, "--kube-api-qps=300", "--pprof-bind-address=127.0.0.1:6060"), cfg.managerArgs(modeOperator, "")); diff != "" {
		t.Errorf("args with --manager-flag (-want +got):\n%s", diff)
	}
	// A replica's shard flags come before the --manager-flag values, so
	// that those can set its Lease times.
	wantShard := append(append([]string{}, want...), "--leader-elect", "--leader-election-namespace=zoom-operator-system",
		"--shard-id=replica-1", "--kube-api-qps=300", "--pprof-bind-address=127.0.0.1:6060")
	if diff := cmp.Diff(wantShard, cfg.managerArgs(modeOperator, "replica-1")); diff != "" {
		t.Errorf("a replica's args (-want +got):\n%s", diff)
	}
	if _, err := parseFlags([]string{"--manager-flag=kube-api-qps"}); err == nil {
		t.Error("--manager-flag accepted a value that is no flag")
	}
}

func TestManagerEnv(t *testing.T) {
	parsed, err := parseFlags([]string{"--manager-env=GOMEMLIMIT=450MiB", "--manager-env=GOGC=50"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"GOMEMLIMIT=450MiB", "GOGC=50"}, parsed.managerEnv); diff != "" {
		t.Errorf("manager env (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"GOMEMLIMIT", "=450MiB"} {
		if _, err := parseFlags([]string{"--manager-env=" + bad}); err == nil {
			t.Errorf("--manager-env accepted %q", bad)
		}
	}
}

func TestDivide(t *testing.T) {
	tests := map[string]struct {
		base, op cell
		want     string
	}{
		"plain":           {base: num(30, ""), op: num(10, ""), want: "3.0×"},
		"large":           {base: num(1234, ""), op: num(2, ""), want: "617×"},
		"lower bound":     {base: cell{value: 300, ok: true, lower: true}, op: num(100, ""), want: "> 3.0×"},
		"operator zero":   {base: num(5, ""), op: num(0, ""), want: "∞ (operator 0)"},
		"both zero":       {base: num(0, ""), op: num(0, ""), want: "both 0"},
		"not measured":    {base: na("—"), op: num(1, ""), want: "—"},
		"operator capped": {base: num(1, ""), op: cell{value: 1, ok: true, lower: true}, want: "—"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := divide(tc.base, tc.op); got != tc.want {
				t.Errorf("divide = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 10000: "10,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestReportMarksTargets renders a report from made-up runs and checks the
// verdicts, so that a missed target can never read as met.
func TestReportMarksTargets(t *testing.T) {
	cfg, err := parseFlags([]string{"--sizes=10000"})
	if err != nil {
		t.Fatal(err)
	}
	lim := cfg.plan.enforced(cfg.scale)
	floor := floorFor(10000, lim)
	op := &result{
		size: 10000, n: 10000, mode: modeOperator, limit: lim, floor: floor, converged: true, t: floor * 12 / 10,
		creation:    callStats{total: 10100, tooMany: 50},
		steady:      &steadyStats{callStats: callStats{total: 40}, window: 152 * time.Second, interval: 2 * time.Minute, perInterval: 38, readyAtEnd: 10000},
		cpuCreation: 20 * time.Second, cpuTotal: 30 * time.Second, peakRSS: 300 << 20, zoomUsers: 10000,
	}
	base := &result{
		size: 10000, n: 10000, mode: modeBaseline, limit: lim, floor: floor, cap: 1453 * time.Second, t: 1453 * time.Second,
		readyAtCap: 4000, creation: callStats{total: 50000, tooMany: 30000}, cpuCreation: 90 * time.Second, zoomUsers: 4000,
	}
	rp := &report{cfg: cfg, runs: []*result{op, base}, started: time.Now(), finished: time.Now(), machine: thisMachine()}
	targets := rp.targetTable()
	for _, want := range []string{
		"| Converge in ≤ 1.15 × floor at N = 10,000 | 400.0 s = 1.20 × floor (333.3 s) | **not met** |",
		"| 429s ≤ 1 % of the requests during creation | N = 10,000: 0.50 % (50 of 10,100) | met |",
		"| 0 429s in steady state | N = 10,000: 0 | met |",
		"| Resync ≤ ceil(N/300) + 5 calls per account per interval | N = 10,000: 38 (limit 39) | met |",
		"| Peak RSS ≤ 256 MiB at N = 10,000 | 300.0 MiB | **not met** |",
		"| < 5 ms manager CPU per created user at N = 10,000 | 2.00 ms (20.0 s for 10,000 users) | met |",
	} {
		if !strings.Contains(targets, want) {
			t.Errorf("targets lack %q:\n%s", want, targets)
		}
	}
	table := rp.sizeTable(10000)
	for _, want := range []string{
		"| Time from first create to all Ready, T (s) | 400.0 | not converged after 1453 s (4,000 of 10,000 Ready) | > 3.6× |",
		"| 429s during creation (% of requests) | 50 (0.50 %) | 30,000 (60.00 %) | > 600× |",
		"| Resync: Zoom calls per interval (most in any 2m0s; target ≤ 39) | 38 | — (not converged) | — |",
		"| Manager CPU per created user (ms) | 2.00 | 22.50 | 11× |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	doc, err := rp.update("")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Benchmarks", "## How to reproduce", "action: ssoCreate", "## Targets", "| N = 10,000: 0.50 % (50 of 10,100) | met |"} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %q", want)
		}
	}
}

func TestCommandLeavesOutLogPlacement(t *testing.T) {
	rp := &report{cfg: config{args: []string{"--sizes=1000,10000", "--keep", "--work-dir", "/tmp/x", "--out", "docs/benchmarks.md", "-work-dir=/tmp/y"}}}
	want := "KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh) go run ./hack/bench --sizes=1000,10000 --out docs/benchmarks.md"
	if got := rp.command(); got != want {
		t.Errorf("command =\n%s\nwant\n%s", got, want)
	}
}

func TestParseProcStatBusy(t *testing.T) {
	stat := "cpu  100 5 50 1000 30 7 8 2 0 0\ncpu0 50 2 25 500 15 3 4 1 0 0\nintr 1 2 3\n"
	got, err := parseProcStatBusy(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1700 * time.Millisecond; got != want { // 100 + 5 + 50 + 7 + 8 ticks
		t.Errorf("busy = %v, want %v", got, want)
	}
	if _, err := parseProcStatBusy("intr 1 2 3\n"); err == nil {
		t.Error("no cpu line gave no error")
	}
}

func TestParseStatTree(t *testing.T) {
	pid, ppid, cpu, err := parseStatTree("77 (a) b) R 12 77 77 0 -1 0 0 0 0 0 30 20 0 0 20 0 1 0 5 10 20")
	if err != nil {
		t.Fatal(err)
	}
	if pid != 77 || ppid != 12 || cpu != 500*time.Millisecond {
		t.Errorf("got pid %d, ppid %d, cpu %v; want 77, 12, 500ms", pid, ppid, cpu)
	}
}

func TestOthersBetween(t *testing.T) {
	a := machineSample{busy: 10 * time.Second, own: 4 * time.Second}
	b := machineSample{busy: 25 * time.Second, own: 12 * time.Second}
	if got := othersBetween(a, b); got != 7*time.Second {
		t.Errorf("othersBetween = %v, want 7s", got)
	}
	// Sampling skew can make the own share look larger than the machine's.
	if got := othersBetween(a, machineSample{busy: 11 * time.Second, own: 6 * time.Second}); got != 0 {
		t.Errorf("othersBetween = %v, want 0", got)
	}
	if _, err := os.Stat("/proc/stat"); err != nil {
		t.Skip("no /proc")
	}
	if _, err := sampleMachine(); err != nil {
		t.Errorf("sampleMachine: %v", err)
	}
}

// TestMeasureExport runs the built kubectl-zoom against the fake: every
// user written, one list call per status and page, no 429 at Pro limits.
func TestMeasureExport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kubectl-zoom")
	}
	cfg, err := parseFlags([]string{"--export-only", "--sizes=650", "--repo=../.."})
	if err != nil {
		t.Fatal(err)
	}
	b := &bench{cfg: cfg, out: io.Discard, work: t.TempDir(), started: time.Now()}
	if err := b.buildPlugin(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := b.measureExport(context.Background(), 650, 300)
	if r.err != nil {
		t.Fatal(r.err)
	}
	// 455 active (2 pages of 300), 130 inactive, 65 pending.
	wantCalls := map[string]int{zoomfake.EndpointToken: 1, zoomfake.EndpointListUsers: 4}
	if diff := cmp.Diff(wantCalls, r.calls.byEndpoint); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if r.written != 650 || r.minList != 4 || r.apiCalls() != 4 || r.calls.tooMany != 0 {
		t.Errorf("written %d, least list calls %d, API calls %d, 429s %d; want 650, 4, 4, 0", r.written, r.minList, r.apiCalls(), r.calls.tooMany)
	}
	if want := 200 * time.Millisecond; r.floor() != want {
		t.Errorf("floor %s, want %s (4 calls at Medium 20/s)", r.floor(), want)
	}
	rp := &report{cfg: cfg, exports: []*exportResult{r}}
	if row := "| 650 | pages capped at 300 | "; !strings.Contains(rp.exportTable(), row) {
		t.Errorf("table lacks %q:\n%s", row, rp.exportTable())
	}
}

func TestInteractivePercentiles(t *testing.T) {
	s := func(secs ...float64) *interactiveStats {
		st := &interactiveStats{}
		for _, v := range secs {
			st.latency = append(st.latency, time.Duration(v*float64(time.Second)))
		}
		return st
	}
	tests := map[string]struct {
		st             *interactiveStats
		p50, p95, max  string
		notReadyCounts int
	}{
		"twenty in order": {
			st:  s(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
			p50: "10.0", p95: "19.0", max: "20.0",
		},
		"order does not matter": {st: s(3, 1, 2), p50: "2.0", p95: "3.0", max: "3.0"},
		"one not Ready counts as the longest": {
			st: s(1, -1, 2), p50: "2.0", p95: "not Ready in time", max: "not Ready in time", notReadyCounts: 1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := []string{tc.st.quantile(0.5), tc.st.quantile(0.95), tc.st.quantile(1)}
			if diff := cmp.Diff([]string{tc.p50, tc.p95, tc.max}, got); diff != "" {
				t.Errorf("p50, p95, max (-want +got):\n%s", diff)
			}
			if got := tc.st.notReady(); got != tc.notReadyCounts {
				t.Errorf("notReady = %d, want %d", got, tc.notReadyCounts)
			}
		})
	}
}

func TestParseFlagsInteractive(t *testing.T) {
	cfg, err := parseFlags([]string{"--interactive=20"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.interactive != 20 || cfg.interactiveStart != 30*time.Second || cfg.interactiveEvery != 5*time.Second {
		t.Errorf("interactive %d, start %s, every %s; want 20, 30s, 5s", cfg.interactive, cfg.interactiveStart, cfg.interactiveEvery)
	}
	for _, bad := range [][]string{{"--interactive=-1"}, {"--interactive=101"}, {"--interactive-every=0"}, {"--interactive-start=-1s"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%v) accepted it", bad)
		}
	}
}
