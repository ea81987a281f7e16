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
)

// document is docs/benchmarks.md: the results, then how to reproduce them
// and what each figure means.
func (rp *report) document() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	p("# Benchmarks")
	p("")
	p("<!-- Written by `make bench` (hack/bench). Change hack/bench/doc.go rather than this file: the next run rewrites it. -->")
	p("")
	p("How fast does the operator bring N ZoomUsers to Ready against a Zoom account that enforces its plan's")
	p("per-second rate limits, and what does that cost in Zoom calls, 429s, resync calls, CPU and memory?")
	p("Each figure is measured twice with the same manager binary: as the operator runs by default, and with")
	p("`--baseline`, which makes it behave like a naive controller. The floor is the time Zoom's Light limit")
	p("alone needs for N creates; no client can be faster.")
	p("")
	p("## Results")
	p("")
	b.WriteString(rp.results())
	p("")
	p("### Runs")
	p("")
	p("Where each run's Zoom calls went, by endpoint, and how long the run took (set-up, creation, steady-state")
	p("window and teardown):")
	p("")
	b.WriteString(rp.details())
	p("")
	p("## How to reproduce")
	p("")
	p("```sh")
	p("make bench                                      # N = 1,000 and 10,000, both modes; rewrites this file")
	p("make bench BENCH_FLAGS='--sizes=200 --out='     # a quick sanity run that leaves this file alone")
	p("```")
	p("")
	p("`make bench` runs `KUBEBUILDER_ASSETS=\"$(hack/envtest-assets.sh)\" go run ./hack/bench --sizes=1000,10000 --out docs/benchmarks.md $(BENCH_FLAGS)`;")
	p("later flags win, so `BENCH_FLAGS` can change any of them. It needs Linux (the manager's CPU and memory are read")
	p("from `/proc`), Go and the envtest binaries, which `hack/envtest-assets.sh` builds once from the Go module proxy.")
	p("No Docker and no network beyond that. The full run takes about an hour: every (N, mode) pair starts a fresh")
	p("kube-apiserver, etcd, fake Zoom and manager, waits for convergence (or the cap), then watches one resync interval.")
	p("")
	p("| Flag | Default | Meaning |")
	p("|---|---|---|")
	p("| `--sizes` | `1000,10000` | Numbers of ZoomUsers; each is measured in every mode. |")
	p("| `--modes` | `operator,baseline` | Which modes to run. |")
	p("| `--plan` | `Pro` | Zoom plan whose per-second limits the fake enforces (Free: Light 4/s, Medium 2/s; Pro: 30/s, 20/s; Business: 80/s, 60/s) and the ClusterZoomAccount declares. |")
	p("| `--scale` | `1` | Multiplies the plan's limits in the fake; the manager gets the same `--zoom-rate-scale`. |")
	p("| `--window` | `clock` | How the fake counts its per-second limits: `clock` (each whole clock second) or `sliding` (any one second, the stricter reading). |")
	p("| `--resync` | `2m` | The manager's `--resync-interval`. |")
	p("| `--max-concurrent-reconciles` | `16` | The manager's `--max-concurrent-reconciles`. |")
	p("| `--max-wait` | 4 × floor + 2 min, at most 20 min | Per-run cap; a run that is not converged by then is reported as such. |")
	p("| `--margin` | `20s` | Added to the steady-state window. |")
	p("| `--namespaces`, `--creators` | `10`, `8` | Namespaces the users are spread over; goroutines creating them. |")
	p("| `--out` | (none) | Write this document. |")
	p("| `--keep`, `--work-dir` | off, a temporary directory | Keep the manager logs and kubeconfigs of every run. |")
	p("")
	p("The figures depend on the machine: the API server, etcd, the fake Zoom, the harness and the manager share its")
	p("CPUs, so a small machine slows the API server writes each user needs, and with them the reconciles. Run it on")
	p("an otherwise idle machine; the *other processes' CPU* row shows how idle it was.")
	p("")
	p("## What each figure means")
	p("")
	p("- **Floor**: N / the Light limit the fake enforces (plan × scale). Creating a user is a Light call")
	p("  (`POST /users`), every user needs one, and Zoom counts Light calls per account, so N creates take at least")
	p("  this long. Listing users is Medium and does not compete with creates.")
	p("- **T**: from the first ZoomUser create sent to the API server until the harness sees the last of the N")
	p("  Ready=True (for the current generation, with `status.id` set). It includes the time the API server takes to")
	p("  accept the creates (next row) and every API server write the reconciles make.")
	p("- **T / floor**: how close the run came to the limit; 1.00 would be a create every 1/limit seconds from the first")
	p("  moment on.")
	p("- **Not converged after X s (k of N Ready)**: the run's cap (`--max-wait`) passed first. Totals of such a run are")
	p("  lower bounds (shown as \"> x\" in the ratio column), and it has no steady-state window.")
	p("- **Zoom calls during creation**: every request the fake Zoom received from the first create until all were")
	p("  Ready: creates, single GETs, list pages, token requests and the requests answered 429. Per user: divided by N;")
	p("  1.0 would be one create per user and nothing else.")
	p("- **429s during creation**: those requests the fake answered 429 (per-second limit), and their share.")
	p("- **Resync**: once all are Ready the fake's counters are reset and the harness waits one resync interval, plus")
	p("  the 10%% jitter the manager adds to it, plus `--margin`, so that every user is resynced at least once.")
	p("  *Calls per interval* is the most requests within any stretch of one interval inside that window (the figure")
	p("  the target bounds); per user divides it by N; the whole window's total is shown too. *429s in steady state* are")
	p("  the window's 429s.")
	p("- **Manager CPU**: user + system time of the manager process (`utime + stime` from `/proc/<pid>/stat`) from the")
	p("  first create until all were Ready (or the cap), and over its whole life. *Per created user* divides the first")
	p("  by the users the fake Zoom holds at that moment.")
	p("- **Peak RSS**: the manager's resident-memory high-water mark (`VmHWM` from `/proc/<pid>/status`) just before it")
	p("  is stopped, so it covers creation and the steady state.")
	p("- **Other processes' CPU**: busy CPU time of the whole machine (`/proc/stat`) during creation minus that of the")
	p("  harness and its children (API server, etcd, manager), and its share of all CPUs over T. Anything well above")
	p("  zero means the run shared the machine with other work, which slows the API server and the manager and adds")
	p("  jitter to the moment each request reaches the fake Zoom.")
	p("- **Groups** (operator runs only): after the steady state, one ZoomGroup per namespace selects every ZoomUser of")
	p("  it; the run reports how long until all are members and how many `POST /groups/{groupId}/members` calls that")
	p("  took, against ceil(users/30) per namespace, the fewest Zoom's 30-member limit allows.")
	p("- **Baseline / operator**: the baseline's figure divided by the operator's; above 1 the operator does better.")
	p("  It is left out where the two figures are not comparable: *accepted after* measures the API server, and the")
	p("  *whole run* of a baseline that did not converge has no steady-state window.")
	p("")
	p("## Set-up")
	p("")
	p("- Every (N, mode) run uses a fresh envtest control plane (kube-apiserver and etcd, CRDs from `config/crd/bases`),")
	p("  a fresh fake Zoom (`internal/zoomfake`) on 127.0.0.1 inside the harness, and a fresh manager process built from")
	p("  the working tree with `go build`, started with `--kubeconfig`, `--metrics-bind-address=0`,")
	p("  `--health-probe-bind-address=0`, `--resync-interval`, `--max-concurrent-reconciles`, `--zoom-rate-scale` and,")
	p("  for the baseline, `--baseline`.")
	p("- The fake Zoom counts Light and Medium requests per clock second, as Zoom does, and answers 429 beyond the")
	p("  plan's limit. A Secret and the ClusterZoomAccount `default` (with the chosen plan) point the manager at it; the")
	p("  timed part starts once the account is Ready.")
	p("- The N ZoomUsers are spread over 10 namespaces and use **`action: ssoCreate`** (type Basic, first and last name")
	p("  set). Zoom's daily cap on user invites (1,500 a day on Pro) applies to `action: create` only, so with")
	p("  `ssoCreate` the per-second limits are the only ones in play; the fake has no daily cap either.")
	p("- The harness creates the users with a few goroutines and its client-side rate limit raised, as fast as the API")
	p("  server takes them, and follows their readiness through one watch, checked every second, so that its own load")
	p("  on the API server stays small.")
	p("- **Baseline** (`--baseline`): no request budget, no user snapshot (one GET per object on every reconcile and")
	p("  resync), and 429s returned as errors, so they go to controller-runtime's default per-item exponential backoff.")
	p("")
	p("## Targets")
	p("")
	p("From the issue \"Scale\", for the operator (the table under Results marks each met or not met):")
	p("")
	p("- converge in ≤ 1.15 × floor at N = 10,000;")
	p("- 429s ≤ 1 % of the requests during creation, and none in steady state;")
	p("- a resync costs ≤ ceil(N/300) + 5 calls per account per interval;")
	p("- peak RSS ≤ 256 MiB and < 5 ms of manager CPU per created user at N = 10,000.")
	return b.String()
}
