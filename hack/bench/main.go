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

// Command bench measures the operator against a naive baseline controller.
// For every size N and mode it starts a fresh control plane (envtest's
// kube-apiserver and etcd), a fake Zoom that enforces a plan's per-second
// limits and the manager binary as a child process, creates N ZoomUsers and
// reports how long they took to become Ready, how many Zoom calls and 429s
// that cost, what one resync costs afterwards, and the manager's CPU and
// memory. The results go to stdout as Markdown and, with --out, into
// docs/benchmarks.md.
//
// Usage (normally through `make bench`):
//
//	KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh) go run ./hack/bench --sizes=1000,10000 --out docs/benchmarks.md
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	ctrlzap "sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// mode is the manager flavour a run measures.
type mode string

const (
	modeOperator mode = "operator"
	modeBaseline mode = "baseline"
)

// config is everything the harness needs; flags fill it.
type config struct {
	sizes []int // users per account
	modes []mode
	// accounts are the Zoom accounts of a run, each with its own fake
	// Zoom; the first has accountSkew times the users of the others.
	accounts      int
	accountSkew   int
	plan          plan
	scale         float64
	window        zoomfake.Window
	resync        time.Duration
	maxConcurrent int
	maxWait       time.Duration // 0: capFactor × floor + capExtra, at most capLimit
	namespaces    int
	creators      int
	margin        time.Duration
	// interactive single ZoomUsers are applied one by one during the bulk
	// create, the first interactiveStart after it began, then one every
	// interactiveEvery; 0 applies none.
	interactive      int
	interactiveStart time.Duration
	interactiveEvery time.Duration
	// replicas are the manager processes; more than one split the
	// accounts as shards (--shard-id), and killReplicaAfter, when set,
	// SIGKILLs the one serving the most accounts that long after the
	// first create.
	replicas         int
	killReplicaAfter time.Duration
	out              string
	crdDir           string
	repoDir          string
	workDir          string // empty: a new temporary directory
	keep             bool
	managerFlags     []string // more manager flags, as given (--manager-flag)
	managerEnv       []string // NAME=value for the manager's environment (--manager-env)
	section          string   // the block of --out this run writes; see sectionName
	export           bool     // also measure kubectl zoom export at each size
	exportOnly       bool     // measure nothing else: no control plane, no manager
	referenceOnly    bool     // measure nothing: rewrite --out's reference block
	assets           string
	args             []string // as given, for the report's command line
}

// The default cap of a run: generous for the operator, which should need
// about one floor, and a bound on a baseline that may never converge.
// capLimit bounds that default, so that a baseline that will not converge
// does not hold a full run up for much longer than the others.
const (
	capFactor = 4
	capExtra  = 2 * time.Minute
	capLimit  = 20 * time.Minute
)

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	// envtest and the informers log through controller-runtime; without a
	// logger it would warn with a stack trace after 30s.
	ctrllog.SetLogger(ctrlzap.New(ctrlzap.WriteTo(io.Discard)))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		stop()
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	cfg := config{args: args, assets: os.Getenv("KUBEBUILDER_ASSETS")}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var sizes, modes, planName string
	fs.StringVar(&sizes, "sizes", "1000,10000", "Comma-separated numbers of ZoomUsers of each account; each size is measured in every mode.")
	fs.IntVar(&cfg.accounts, "accounts", 1, "Zoom accounts in the one manager, each a ClusterZoomAccount with its own fake Zoom (and so its own request budget); every run creates --sizes ZoomUsers for each.")
	fs.IntVar(&cfg.accountSkew, "account-skew", 1, "The first account gets this many times the ZoomUsers of the others (with --accounts of 2 or more): its backlog must not delay them.")
	fs.IntVar(&cfg.replicas, "replicas", 1, "Manager replicas; more than one run with --leader-elect and a --shard-id each and split the accounts (needs --accounts of 2 or more).")
	fs.DurationVar(&cfg.killReplicaAfter, "kill-replica-after", 0, "With --replicas of 2 or more: SIGKILL the replica serving the most accounts this long after the first create, and time the handover of its accounts (0: none).")
	fs.StringVar(&modes, "modes", "operator,baseline", "Comma-separated modes: operator (default manager flags) and baseline (--baseline).")
	fs.StringVar(&planName, "plan", "Pro", "Zoom plan whose per-second limits the fake enforces and the ClusterZoomAccount declares: Free, Pro or Business.")
	fs.Func("window", "How the fake Zoom counts its per-second limits: clock (each whole second, the default) or sliding (any one second).",
		func(v string) (err error) { cfg.window, err = zoomfake.ParseWindow(v); return err })
	fs.Float64Var(&cfg.scale, "scale", 1, "Multiplies the plan's limits in the fake Zoom; the manager gets the same --zoom-rate-scale.")
	fs.DurationVar(&cfg.resync, "resync", 2*time.Minute, "The manager's --resync-interval; the steady-state window is one interval plus its 10% jitter plus --margin.")
	fs.IntVar(&cfg.maxConcurrent, "max-concurrent-reconciles", 16, "The manager's --max-concurrent-reconciles.")
	fs.DurationVar(&cfg.maxWait, "max-wait", 0, fmt.Sprintf("Give up waiting for Ready after this long per run and report it as not converged (0: %d × floor + %s, at most %s).", capFactor, capExtra, capLimit))
	fs.IntVar(&cfg.namespaces, "namespaces", 10, "Namespaces the ZoomUsers are spread over.")
	fs.IntVar(&cfg.creators, "creators", 8, "Goroutines creating ZoomUsers.")
	fs.DurationVar(&cfg.margin, "margin", 20*time.Second, "Added to the steady-state window after the resync interval and its jitter.")
	fs.IntVar(&cfg.interactive, "interactive", 0, "Single ZoomUsers to apply one by one during the bulk create (operator and baseline alike), timing each to Ready; 0 applies none.")
	fs.DurationVar(&cfg.interactiveStart, "interactive-start", 30*time.Second, "When the first single ZoomUser is applied, counted from the first bulk create.")
	fs.DurationVar(&cfg.interactiveEvery, "interactive-every", 5*time.Second, "Time between two single ZoomUsers.")
	fs.StringVar(&cfg.out, "out", "", "Write the run's block of results, and the reference block, into this Markdown file (e.g. docs/benchmarks.md), keeping the rest of it.")
	fs.StringVar(&cfg.section, "section", "", "The block of --out the run writes (default: results, accounts or shards by the kind of run).")
	fs.StringVar(&cfg.crdDir, "crds", "config/crd/bases", "Directory of the CRDs to install.")
	fs.StringVar(&cfg.repoDir, "repo", ".", "Root of the repository; the manager is built from it.")
	fs.StringVar(&cfg.workDir, "work-dir", "", "Directory for the manager binary, kubeconfigs and manager logs (default: a new temporary directory).")
	fs.BoolVar(&cfg.keep, "keep", false, "Keep the work directory (manager logs) after the run.")
	fs.BoolVar(&cfg.export, "export", true, "Also measure `kubectl zoom export` of each size against the plan's limits, with pages of 2,000 and capped at 300.")
	fs.Func("manager-flag", "A further flag for the manager, e.g. --manager-flag=--kube-api-qps=300 (repeatable); the report names it.", func(v string) error {
		if !strings.HasPrefix(v, "--") {
			return fmt.Errorf("%q is no flag: give it as --name=value", v)
		}
		cfg.managerFlags = append(cfg.managerFlags, v)
		return nil
	})
	fs.Func("manager-env", "A NAME=value for the manager's environment alone, e.g. --manager-env=GOMEMLIMIT=450MiB (repeatable); the report names it.", func(v string) error {
		if name, _, ok := strings.Cut(v, "="); !ok || name == "" {
			return fmt.Errorf("%q is no variable: give it as NAME=value", v)
		}
		cfg.managerEnv = append(cfg.managerEnv, v)
		return nil
	})
	fs.BoolVar(&cfg.referenceOnly, "reference-only", false, "Measure nothing: rewrite only the reference block of --out (how to reproduce, what each figure means) from hack/bench/doc.go.")
	fs.BoolVar(&cfg.exportOnly, "export-only", false, "Measure only `kubectl zoom export` (seconds, calls per user); needs no control plane and no KUBEBUILDER_ASSETS.")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	var err error
	if cfg.sizes, err = parseSizes(sizes); err != nil {
		return cfg, err
	}
	if cfg.modes, err = parseModes(modes); err != nil {
		return cfg, err
	}
	if cfg.plan, err = parsePlan(planName); err != nil {
		return cfg, err
	}
	switch {
	case cfg.scale <= 0:
		return cfg, errors.New("--scale must be positive")
	case cfg.plan.enforced(cfg.scale).light < 1 || cfg.plan.enforced(cfg.scale).medium < 1:
		return cfg, fmt.Errorf("--scale %g leaves the %s plan under 1 request per second", cfg.scale, cfg.plan.name)
	case cfg.referenceOnly && cfg.out == "":
		return cfg, errors.New("--reference-only needs --out")
	case !validSection(cfg.section):
		return cfg, fmt.Errorf("--section %q: want lower-case letters, digits and dashes", cfg.section)
	case cfg.resync <= 0:
		return cfg, errors.New("--resync must be positive")
	case cfg.maxConcurrent < 1 || cfg.namespaces < 1 || cfg.creators < 1:
		return cfg, errors.New("--max-concurrent-reconciles, --namespaces and --creators must be at least 1")
	case cfg.interactive < 0 || cfg.interactive > 100:
		return cfg, errors.New("--interactive must be between 0 and 100")
	case cfg.interactiveStart < 0 || cfg.interactiveEvery <= 0:
		return cfg, errors.New("--interactive-start must not be negative and --interactive-every must be positive")
	case cfg.accounts < 1 || cfg.accounts > maxAccounts:
		return cfg, fmt.Errorf("--accounts must be between 1 and %d", maxAccounts)
	case cfg.accountSkew < 1 || cfg.accountSkew > 1 && cfg.accounts == 1:
		return cfg, errors.New("--account-skew must be at least 1, and more only with --accounts of 2 or more")
	case cfg.accounts > 1 && cfg.interactive > 0:
		// The single ZoomUsers use the account "default", which a run of
		// several accounts does not have.
		return cfg, errors.New("--interactive needs --accounts=1")
	case cfg.replicas < 1 || cfg.replicas > maxReplicas:
		return cfg, fmt.Errorf("--replicas must be between 1 and %d", maxReplicas)
	case cfg.replicas > 1 && cfg.accounts == 1:
		// Shards split accounts: with one, one replica would do all.
		return cfg, errors.New("--replicas of 2 or more needs --accounts of 2 or more")
	case cfg.killReplicaAfter < 0 || cfg.killReplicaAfter > 0 && cfg.replicas == 1:
		return cfg, errors.New("--kill-replica-after must not be negative, and needs --replicas of 2 or more")
	}
	return cfg, nil
}

// maxAccounts bounds --accounts: each is a fake Zoom with its own listener
// inside the harness.
const maxAccounts = 100

// maxReplicas bounds --replicas: each is a manager process on this machine.
const maxReplicas = 10

func parseSizes(s string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--sizes: %q is not a positive number", f)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

func parseModes(s string) ([]mode, error) {
	var modes []mode
	for _, f := range strings.Split(s, ",") {
		switch m := mode(strings.TrimSpace(f)); m {
		case modeOperator, modeBaseline:
			modes = append(modes, m)
		default:
			return nil, fmt.Errorf("--modes: unknown mode %q (operator, baseline)", f)
		}
	}
	return modes, nil
}

// plan is a row of Zoom's rate limit table.
type plan struct {
	name          string
	light, medium int // per second
}

// plans are Zoom's per-second limits of the categories the operator uses.
var plans = []plan{
	{name: "Free", light: 4, medium: 2},
	{name: "Pro", light: 30, medium: 20},
	{name: "Business", light: 80, medium: 60},
}

func parsePlan(s string) (plan, error) {
	for _, p := range plans {
		if strings.EqualFold(p.name, s) {
			return p, nil
		}
	}
	return plan{}, fmt.Errorf("--plan: unknown plan %q (Free, Pro, Business)", s)
}

// limits are the per-second limits the fake enforces.
type limits struct{ light, medium int }

// enforced scales the plan's limits; the fake counts whole requests.
func (p plan) enforced(scale float64) limits {
	return limits{light: int(float64(p.light)*scale + 0.5), medium: int(float64(p.medium)*scale + 0.5)}
}
