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
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// The targets for the operator.
const (
	targetSize          = 10000 // the size the convergence, memory and CPU targets are about
	targetFloorRatio    = 1.15
	target429Fraction   = 0.01
	targetPeakRSS       = 256 << 20
	targetCPUPerUser    = 5 * time.Millisecond
	targetSingleP95     = 5 * time.Second // single ZoomUsers applied during the bulk create
	resyncPageSize      = 300             // Zoom's largest page
	resyncCallAllowance = 5
)

// resyncTarget is the ceiling on calls per account per resync
// interval: one listing of every user, 300 a page, plus a few.
func resyncTarget(n int) int {
	return (n+resyncPageSize-1)/resyncPageSize + resyncCallAllowance
}

// report renders the results of one invocation.
type report struct {
	cfg      config
	runs     []*result
	exports  []*exportResult
	started  time.Time
	finished time.Time
	machine  machine
	commit   string // empty when no manager was built
}

type machine struct {
	cpus   int
	cpu    string
	memory string
	kernel string
	goVer  string
	osArch string
}

func (b *bench) report() *report {
	return &report{cfg: b.cfg, runs: b.results, exports: b.exports, started: b.started, finished: time.Now(), machine: thisMachine(), commit: b.commit}
}

// String describes the machine in a line: "2 CPUs (`nproc`), <model>,
// 23.5 GiB, linux/amd64, Linux <release>; go1.26.8".
func (m machine) String() string {
	return fmt.Sprintf("%d CPUs (`nproc`)%s%s, %s, Linux %s; %s", m.cpus, prefixed(", ", m.cpu),
		prefixed(", ", m.memory), m.osArch, m.kernel, m.goVer)
}

func thisMachine() machine {
	m := machine{cpus: runtime.NumCPU(), goVer: runtime.Version(), osArch: runtime.GOOS + "/" + runtime.GOARCH}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		if kib, err := parseStatusKiB(string(data), "MemTotal"); err == nil {
			m.memory = fmt.Sprintf("%.1f GiB", float64(kib)/(1<<20))
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(data))
	}
	return m
}

// command is how this invocation can be repeated. Where the logs went
// changes no figure, so --work-dir and --keep are left out.
func (rp *report) command() string {
	var args []string
	for i := 0; i < len(rp.cfg.args); i++ {
		a := rp.cfg.args[i]
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case !strings.HasPrefix(a, "-"):
		case name == "keep":
			continue
		case name == "work-dir":
			if !hasValue {
				i++
			}
			continue
		}
		args = append(args, a)
	}
	return strings.TrimSpace("KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh) go run ./hack/bench " + strings.Join(args, " "))
}

// find is the run of the --sizes value n (users per account) in mode m.
func (rp *report) find(n int, m mode) *result {
	for _, r := range rp.runs {
		if r.size == n && r.mode == m {
			return r
		}
	}
	return nil
}

// results is the part printed to stdout and placed under "Results" in the doc.
func (rp *report) results() string {
	var b strings.Builder
	lim := rp.cfg.plan.enforced(rp.cfg.scale)
	fmt.Fprintf(&b, "- Date: %s (runs took %s in all)\n", rp.finished.UTC().Format("2006-01-02 15:04 MST"),
		rp.finished.Sub(rp.started).Round(time.Second))
	fmt.Fprintf(&b, "- Machine: %s\n", rp.machine)
	if rp.commit != "" {
		fmt.Fprintf(&b, "- Manager built from: %s\n", rp.commit)
	}
	fmt.Fprintf(&b, "- Command: `%s`\n", rp.command())
	fmt.Fprintf(&b, "- Zoom plan %s × scale %g: the fake allows Light %d/s and Medium %d/s, counted per %s",
		rp.cfg.plan.name, rp.cfg.scale, lim.light, lim.medium, windowName(rp.cfg.window))
	if len(rp.runs) > 0 {
		b.WriteString("; users use `action: ssoCreate`, so no daily cap applies")
	}
	b.WriteString("\n")
	if len(rp.runs) > 0 {
		fmt.Fprintf(&b, "- Manager: `--resync-interval=%s --max-concurrent-reconciles=%d --zoom-rate-scale=%g` (baseline adds `--baseline`)\n",
			rp.cfg.resync, rp.cfg.maxConcurrent, rp.cfg.scale)
		for _, n := range rp.cfg.sizes {
			fmt.Fprintln(&b)
			switch {
			case rp.cfg.replicas > 1:
				b.WriteString(rp.shards(n))
				continue
			case rp.cfg.accounts > 1:
				b.WriteString(rp.manyAccounts(n))
				continue
			}
			fmt.Fprintf(&b, "### N = %s (floor %s s)\n\n", thousands(n), fixed(floorFor(n, lim).Seconds(), 1))
			b.WriteString(rp.sizeTable(n))
		}
		if t := rp.interactiveTable(); t != "" {
			fmt.Fprintln(&b)
			fmt.Fprintln(&b, "### Single ZoomUsers applied during the bulk create")
			fmt.Fprintln(&b)
			b.WriteString(t)
		}
		// The targets are about one account of 10,000 users.
		if rp.cfg.accounts == 1 {
			fmt.Fprintln(&b)
			fmt.Fprintln(&b, "### Targets (operator)")
			fmt.Fprintln(&b)
			b.WriteString(rp.targetTable())
		}
	}
	if len(rp.exports) > 0 {
		fmt.Fprintln(&b)
		fmt.Fprintln(&b, "### Export (`kubectl zoom export`)")
		fmt.Fprintln(&b)
		fmt.Fprintln(&b, "Seven in ten users active, two inactive, one pending; the time is the command's, from process start to exit;")
		fmt.Fprintln(&b, "the floor is the fewest list calls (one per status and page) at the Medium limit.")
		fmt.Fprintln(&b)
		b.WriteString(rp.exportTable())
	}
	return b.String()
}

// sizeTable puts the modes of one size side by side, with the baseline's
// figure divided by the operator's where both exist.
func (rp *report) sizeTable(n int) string {
	var runs []*result
	for _, m := range rp.cfg.modes {
		runs = append(runs, rp.find(n, m))
	}
	withRatio := len(runs) == 2 && runs[0].mode == modeOperator && runs[1].mode == modeBaseline
	var b strings.Builder
	b.WriteString("| Figure |")
	for _, r := range runs {
		fmt.Fprintf(&b, " %s |", strings.ToUpper(string(r.mode[:1]))+string(r.mode[1:]))
	}
	if withRatio {
		b.WriteString(" Baseline / operator |")
	}
	b.WriteString("\n|---|")
	for range runs {
		b.WriteString("---:|")
	}
	if withRatio {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, row := range figureRows(resyncLimit(accountSizes(n, rp.cfg.accounts, rp.cfg.accountSkew)), rp.cfg.resync) {
		fmt.Fprintf(&b, "| %s |", row.name)
		var cells []cell
		for _, r := range runs {
			c := row.of(r)
			cells = append(cells, c)
			fmt.Fprintf(&b, " %s |", c.text)
		}
		switch {
		case withRatio && row.noRatio:
			b.WriteString(" — |")
		case withRatio:
			fmt.Fprintf(&b, " %s |", divide(cells[1], cells[0]))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// cell is one figure of one run: its text, and its value when it can be
// divided by another.
type cell struct {
	text  string
	value float64
	ok    bool // value is a measurement
	lower bool // value is only a lower bound (a run that did not converge)
}

func num(v float64, text string) cell { return cell{text: text, value: v, ok: true} }

func na(text string) cell { return cell{text: text} }

// divide is the baseline/operator ratio of a figure.
func divide(base, op cell) string {
	switch {
	case !base.ok || !op.ok || op.lower:
		return "—"
	case op.value == 0 && base.value == 0:
		return "both 0"
	case op.value == 0:
		return "∞ (operator 0)"
	}
	q := base.value / op.value
	if base.lower {
		return "> " + sig(q) + "×"
	}
	return sig(q) + "×"
}

// row is one figure of the results table.
type row struct {
	name string
	of   func(*result) cell
	// noRatio: the modes' figures cover different spans or measure the
	// API server rather than the manager, so dividing them says nothing.
	noRatio bool
}

// figureRows are the rows of a size's table; resyncLimit is the issue's
// ceiling on resync calls per interval, summed over the run's accounts.
func figureRows(resyncLimit int, resync time.Duration) []row {
	failed := func(r *result) (cell, bool) {
		switch {
		case r == nil:
			return na("not run"), true
		case r.err != nil:
			return na("failed: " + escapeCell(r.err.Error())), true
		}
		return cell{}, false
	}
	steady := func(f func(*result) cell) func(*result) cell {
		return func(r *result) cell {
			if c, bad := failed(r); bad {
				return c
			}
			if r.steady == nil {
				return na("— (not converged)")
			}
			return f(r)
		}
	}
	// creation figures; a total over a run cut short by its cap is only a
	// lower bound of what converging would have taken.
	creation := func(f func(*result) cell) func(*result) cell {
		return func(r *result) cell {
			if c, bad := failed(r); bad {
				return c
			}
			return f(r)
		}
	}
	total := func(f func(*result) cell) func(*result) cell {
		return creation(func(r *result) cell {
			c := f(r)
			c.lower = !r.converged
			return c
		})
	}
	return []row{
		{"Time from first create to all Ready, T (s)", creation(func(r *result) cell {
			if !r.converged {
				c := num(r.cap.Seconds(), fmt.Sprintf("not converged after %s s (%s of %s Ready)",
					fixed(r.cap.Seconds(), 0), thousands(r.readyAtCap), thousands(r.n)))
				c.lower = true
				return c
			}
			return num(r.t.Seconds(), fixed(r.t.Seconds(), 1))
		}), false},
		{"T / floor", creation(func(r *result) cell {
			q := ratio(r.t, r.floor)
			if !r.converged {
				return cell{text: "> " + fixed(q, 2), value: q, ok: true, lower: true}
			}
			return num(q, fixed(q, 2))
		}), false},
		{"All N objects accepted by the API server after (s)", creation(func(r *result) cell {
			return num(r.accepted.Seconds(), fixed(r.accepted.Seconds(), 1))
		}), true},
		{"Zoom calls during creation", total(func(r *result) cell {
			return num(float64(r.creation.total), thousands(r.creation.total))
		}), false},
		{"Zoom calls per user during creation", total(func(r *result) cell {
			v := float64(r.creation.total) / float64(r.n)
			return num(v, fixed(v, 3))
		}), false},
		{"429s during creation (% of requests)", total(func(r *result) cell {
			return num(float64(r.creation.tooMany), fmt.Sprintf("%s (%s %%)", thousands(r.creation.tooMany),
				fixed(percent(r.creation.tooMany, r.creation.total), 2)))
		}), false},
		{fmt.Sprintf("Resync: Zoom calls per interval (most in any %s; target ≤ %d)", resync, resyncLimit), steady(func(r *result) cell {
			return num(float64(r.steady.perInterval), thousands(r.steady.perInterval))
		}), false},
		{"Resync: Zoom calls per user per interval", steady(func(r *result) cell {
			v := float64(r.steady.perInterval) / float64(r.n)
			return num(v, fixed(v, 4))
		}), false},
		{"Resync: Zoom calls in the whole steady-state window", steady(func(r *result) cell {
			return num(float64(r.steady.total), fmt.Sprintf("%s in %s s", thousands(r.steady.total), fixed(r.steady.window.Seconds(), 0)))
		}), false},
		{"429s in steady state", steady(func(r *result) cell {
			return num(float64(r.steady.tooMany), thousands(r.steady.tooMany))
		}), false},
		{"Manager CPU during creation (s)", total(func(r *result) cell {
			return num(r.cpuCreation.Seconds(), fixed(r.cpuCreation.Seconds(), 1))
		}), false},
		{"Manager CPU per created user (ms)", creation(func(r *result) cell {
			v := cpuPerUser(r)
			if math.IsNaN(v) {
				return na("— (no user created)")
			}
			return num(v, fixed(v, 2))
		}), false},
		{"Other processes' CPU on the machine during creation (s, share of all CPUs)", creation(func(r *result) cell {
			if r.othersCreation < 0 {
				return na("not read")
			}
			return num(r.othersCreation.Seconds(), fmt.Sprintf("%s (%s %%)", fixed(r.othersCreation.Seconds(), 1), fixed(othersShare(r), 0)))
		}), true},
		{"Manager CPU over the whole run (s)", func(r *result) cell {
			if r == nil {
				return na("not run")
			}
			return num(r.cpuTotal.Seconds(), fixed(r.cpuTotal.Seconds(), 1))
		}, true},
		{"Manager peak RSS (MiB)", func(r *result) cell {
			if r == nil || r.peakRSS == 0 {
				return na("—")
			}
			return num(mib(r.peakRSS), fixed(mib(r.peakRSS), 1))
		}, false},
	}
}

// cpuPerUser is the manager's CPU during creation over the users Zoom
// holds at its end, in milliseconds.
func cpuPerUser(r *result) float64 {
	if r.zoomUsers == 0 {
		return math.NaN()
	}
	return float64(r.cpuCreation) / float64(time.Millisecond) / float64(r.zoomUsers)
}

// targetTable marks each of the targets met or not met from the
// operator's runs.
func (rp *report) targetTable() string {
	var b strings.Builder
	b.WriteString("| Target | Measured | Met? |\n|---|---|---|\n")
	line := func(target, measured, verdict string) {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", target, measured, verdict)
	}
	big := rp.find(targetSize, modeOperator)
	atTarget := func(target string, f func(*result) (string, bool)) {
		switch {
		case big == nil:
			line(target, fmt.Sprintf("N = %s not run", thousands(targetSize)), "not measured")
		case big.err != nil:
			line(target, "run failed: "+escapeCell(big.err.Error()), "not met")
		default:
			m, ok := f(big)
			line(target, m, verdict(ok))
		}
	}
	everySize := func(target string, f func(*result) (string, bool, bool)) {
		var parts []string
		all, any := true, false
		for _, n := range rp.cfg.sizes {
			r := rp.find(n, modeOperator)
			if r == nil {
				continue
			}
			if r.err != nil {
				parts = append(parts, fmt.Sprintf("N = %s: run failed", thousands(n)))
				all = false
				continue
			}
			m, ok, measured := f(r)
			parts = append(parts, fmt.Sprintf("N = %s: %s", thousands(n), m))
			if measured {
				any = true
				all = all && ok
			} else {
				all = false
			}
		}
		switch {
		case len(parts) == 0:
			line(target, "operator not run", "not measured")
		case !any:
			line(target, strings.Join(parts, "; "), "not measured")
		default:
			line(target, strings.Join(parts, "; "), verdict(all))
		}
	}

	atTarget(fmt.Sprintf("Converge in ≤ %s × floor at N = %s", fixed(targetFloorRatio, 2), thousands(targetSize)), func(r *result) (string, bool) {
		if !r.converged {
			return fmt.Sprintf("not converged after %s s (%s of %s Ready)", fixed(r.cap.Seconds(), 0), thousands(r.readyAtCap), thousands(r.n)), false
		}
		q := ratio(r.t, r.floor)
		return fmt.Sprintf("%s s = %s × floor (%s s)", fixed(r.t.Seconds(), 1), fixed(q, 2), fixed(r.floor.Seconds(), 1)), q <= targetFloorRatio
	})
	everySize("429s ≤ 1 % of the requests during creation", func(r *result) (string, bool, bool) {
		p := percent(r.creation.tooMany, r.creation.total)
		return fmt.Sprintf("%s %% (%s of %s)", fixed(p, 2), thousands(r.creation.tooMany), thousands(r.creation.total)),
			float64(r.creation.tooMany) <= target429Fraction*float64(r.creation.total), true
	})
	everySize("0 429s in steady state", func(r *result) (string, bool, bool) {
		if r.steady == nil {
			return "not measured (not converged)", false, false
		}
		return thousands(r.steady.tooMany), r.steady.tooMany == 0, true
	})
	everySize("Resync ≤ ceil(N/300) + 5 calls per account per interval", func(r *result) (string, bool, bool) {
		if r.steady == nil {
			return "not measured (not converged)", false, false
		}
		t := resyncTarget(r.n)
		return fmt.Sprintf("%s (limit %d)", thousands(r.steady.perInterval), t), r.steady.perInterval <= t, true
	})
	atTarget(fmt.Sprintf("Peak RSS ≤ 256 MiB at N = %s", thousands(targetSize)), func(r *result) (string, bool) {
		if r.peakRSS == 0 {
			return "not read", false
		}
		return fmt.Sprintf("%s MiB", fixed(mib(r.peakRSS), 1)), r.peakRSS <= targetPeakRSS
	})
	atTarget(fmt.Sprintf("< 5 ms manager CPU per created user at N = %s", thousands(targetSize)), func(r *result) (string, bool) {
		v := cpuPerUser(r)
		if math.IsNaN(v) {
			return "no user created", false
		}
		return fmt.Sprintf("%s ms (%s s for %s users)", fixed(v, 2), fixed(r.cpuCreation.Seconds(), 1), thousands(r.zoomUsers)),
			v < float64(targetCPUPerUser)/float64(time.Millisecond)
	})
	singleTarget := fmt.Sprintf("p95 time to Ready ≤ %s s for single ZoomUsers applied during the bulk create at N = %s",
		fixed(targetSingleP95.Seconds(), 0), thousands(targetSize))
	switch {
	case big == nil || big.err != nil:
		atTarget(singleTarget, nil)
	case big.interactive == nil:
		line(singleTarget, "not run (`--interactive=0`)", "not measured")
	default:
		st := big.interactive
		p95, ok := st.percentile(0.95)
		line(singleTarget, fmt.Sprintf("p95 %s s of %d (p50 %s s, max %s s)", st.quantile(0.95), len(st.latency), st.quantile(0.5), st.quantile(1)),
			verdict(ok && p95 <= targetSingleP95))
	}
	return b.String()
}

// interactiveTable has a row per run that applied single ZoomUsers during
// its bulk create; empty when none did.
func (rp *report) interactiveTable() string {
	var b strings.Builder
	for _, r := range rp.runs {
		st := r.interactive
		if st == nil {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("| N | Mode | Singles (sent while the bulk converged) | Sent from … to (s) | Time to Ready p50 (s) | p95 (s) | max (s) | Bulk T / floor |\n")
			b.WriteString("|---:|---|---:|---|---:|---:|---:|---:|\n")
		}
		bulk := "not converged"
		if r.converged {
			bulk = fixed(ratio(r.t, r.floor), 2)
		}
		fmt.Fprintf(&b, "| %s | %s | %d (%d) | %s … %s | %s | %s | %s | %s |\n", thousands(r.n), r.mode,
			len(st.latency), st.duringBy, fixed(st.applied[0].Seconds(), 0), fixed(st.applied[len(st.applied)-1].Seconds(), 0),
			st.quantile(0.5), st.quantile(0.95), st.quantile(1), bulk)
	}
	return b.String()
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// details lists, per run, its duration and where its Zoom calls went.
func (rp *report) details() string {
	var b strings.Builder
	for _, r := range rp.runs {
		fmt.Fprintf(&b, "- **N = %s, %s** (run took %s", thousands(r.n), r.mode, r.wall.Round(time.Second))
		if r.err != nil {
			fmt.Fprintf(&b, "; failed: %s)\n", r.err)
			continue
		}
		b.WriteString(")\n")
		fmt.Fprintf(&b, "  - creation: %s\n", endpoints(r.creation))
		if r.steady != nil {
			fmt.Fprintf(&b, "  - steady state (%s s): %s; %s of %s Ready at its end\n", fixed(r.steady.window.Seconds(), 0),
				endpoints(r.steady.callStats), thousands(r.steady.readyAtEnd), thousands(r.n))
		}
		if st := r.interactive; st != nil {
			fmt.Fprintf(&b, "  - %s\n", st.describe())
		}
		if len(r.accounts) > 1 {
			for _, a := range r.accounts {
				fmt.Fprintf(&b, "  - %s; %s\n", a.describe(), endpoints(a.calls))
			}
		}
		if g := r.groups; g != nil {
			fmt.Fprintf(&b, "  - groups (one ZoomGroup per namespace selecting every user): %s members in %s with %d member calls (ceil(users/30) = %d); converged: %v; %s\n",
				thousands(g.members), seconds(g.t), g.addCalls, g.minCalls, g.converged, endpoints(g.calls))
		}
	}
	return b.String()
}

func endpoints(s callStats) string {
	if s.total == 0 {
		return "no calls"
	}
	names := make([]string, 0, len(s.byEndpoint))
	for e := range s.byEndpoint {
		names = append(names, e)
	}
	slices.SortFunc(names, func(a, b string) int { return s.byEndpoint[b] - s.byEndpoint[a] })
	var parts []string
	for _, e := range names {
		p := fmt.Sprintf("`%s` %s", e, thousands(s.byEndpoint[e]))
		if t := s.tooManyBy[e]; t > 0 {
			p += fmt.Sprintf(" (%s × 429)", thousands(t))
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return math.Inf(1)
	}
	return float64(a) / float64(b)
}

func percent(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }

func seconds(d time.Duration) string { return fixed(d.Seconds(), 1) + "s" }

func fixed(v float64, decimals int) string { return fmt.Sprintf("%.*f", decimals, v) }

// sig formats a ratio with two significant digits, at least.
func sig(v float64) string {
	switch {
	case v >= 100:
		return thousands(int(math.Round(v)))
	case v >= 10:
		return fixed(v, 0)
	case v >= 1:
		return fixed(v, 1)
	default:
		return fixed(v, 2)
	}
}

// thousands writes n with thousands separators: 10,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// escapeCell keeps a message on one table row.
func escapeCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}

// summary is one line about a finished run, for the console.
func (r *result) summary() string {
	switch {
	case r.err != nil:
		return fmt.Sprintf("N=%d %s: failed after %s: %v", r.n, r.mode, r.wall.Round(time.Second), r.err)
	case !r.converged:
		return fmt.Sprintf("N=%d %s: finished in %s; not converged after %s (%d of %d Ready)", r.n, r.mode,
			r.wall.Round(time.Second), seconds(r.cap), r.readyAtCap, r.n)
	default:
		return fmt.Sprintf("N=%d %s: finished in %s; T=%s (%.2f × floor), peak RSS %.1f MiB, CPU %.1fs", r.n, r.mode,
			r.wall.Round(time.Second), seconds(r.t), ratio(r.t, r.floor), mib(r.peakRSS), r.cpuTotal.Seconds())
	}
}
