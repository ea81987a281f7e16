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
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

// bench is one invocation: its inputs, where it logs and what it measured.
type bench struct {
	cfg     config
	out     io.Writer
	work    string // absolute work directory
	manager string // absolute path of the built manager
	plugin  string // absolute path of the built kubectl-zoom
	started time.Time
	commit  string // the repository's commit the manager was built from
	results []*result
	exports []*exportResult
}

// run measures every (size, mode) pair in turn, each on fresh processes,
// then prints the report and writes the doc when asked.
func run(ctx context.Context, cfg config, out io.Writer) (err error) {
	if cfg.referenceOnly {
		return updateReference(cfg.out)
	}
	b := &bench{cfg: cfg, out: out, started: time.Now()}
	if err := b.preflight(); err != nil {
		return err
	}
	cleanup, err := b.prepareWorkDir()
	if err != nil {
		return err
	}
	defer func() { cleanup(err) }()
	if !cfg.exportOnly {
		if err := b.measureManagers(ctx); err != nil {
			return err
		}
	}
	if cfg.export || cfg.exportOnly {
		if err := b.measureExports(ctx); err != nil {
			return err
		}
	}
	rep := b.report()
	fmt.Fprintln(out)
	fmt.Fprint(out, rep.results())
	if cfg.out != "" {
		if err := rep.updateFile(cfg.out); err != nil {
			// The details are in no other place: print the whole block.
			fmt.Fprintf(out, "\n%s", rep.block())
			return fmt.Errorf("writing %s: %w", cfg.out, err)
		}
		b.say("wrote %s", cfg.out)
	}
	b.say("done in %s", time.Since(b.started).Round(time.Second))
	return nil
}

// measureManagers measures every (size, mode) pair of the manager.
func (b *bench) measureManagers(ctx context.Context) error {
	if err := b.buildManager(ctx); err != nil {
		return err
	}
	for _, n := range b.cfg.sizes {
		for _, m := range b.cfg.modes {
			r := b.measure(ctx, n, m)
			b.results = append(b.results, r)
			b.say("%s", r.summary())
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	return nil
}

// measureExports measures kubectl zoom export at every size and page cap.
func (b *bench) measureExports(ctx context.Context) error {
	if err := b.buildPlugin(ctx); err != nil {
		return err
	}
	for _, n := range b.cfg.sizes {
		for _, pageCap := range exportPageCaps {
			r := b.measureExport(ctx, n, pageCap)
			b.exports = append(b.exports, r)
			b.say("%s", r.summary())
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	return nil
}

// preflight checks the inputs before anything starts, so that a typo fails
// in a second rather than after the first control plane came up.
func (b *bench) preflight() error {
	if _, err := os.Stat(filepath.Join(b.cfg.repoDir, "go.mod")); err != nil {
		return fmt.Errorf("--repo %q is not the repository root: %w", b.cfg.repoDir, err)
	}
	if b.cfg.exportOnly {
		return nil // kubectl-zoom and the fake Zoom need nothing else
	}
	if b.cfg.assets == "" {
		return errors.New("KUBEBUILDER_ASSETS is not set; use `make bench` or export KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh)")
	}
	if fi, err := os.Stat(b.cfg.crdDir); err != nil || !fi.IsDir() {
		return fmt.Errorf("CRD directory %q not found", b.cfg.crdDir)
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		return errors.New("the manager's CPU and memory are read from /proc, which this system lacks")
	}
	return checkBlocks(b.cfg.out, b.cfg.sectionName())
}

// prepareWorkDir makes the work directory and returns what removes it
// after the run, unless it was asked for or kept, or the run (or one of its
// measurements) failed: the manager logs are all that says why.
func (b *bench) prepareWorkDir() (func(runErr error), error) {
	dir := b.cfg.workDir
	temporary := dir == ""
	var err error
	if temporary {
		dir, err = os.MkdirTemp("", "zoom-operator-bench-")
	} else {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	if b.work, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	b.say("work directory %s (manager logs, kubeconfigs)", b.work)
	return func(runErr error) {
		switch {
		case !temporary || b.cfg.keep:
		case runErr != nil || b.failed():
			b.say("a run failed: keeping %s", b.work)
		default:
			_ = os.RemoveAll(b.work)
		}
	}, nil
}

// buildManager builds the manager once; every run starts the same binary.
func (b *bench) buildManager(ctx context.Context) error {
	b.commit = commitOf(ctx, b.cfg.repoDir)
	b.manager = filepath.Join(b.work, "manager")
	b.say("building the manager into %s", b.manager)
	// The benchmark switches (--baseline, --zoom-rate-scale) exist only in
	// a manager built with the benchmark tag.
	return testenv.BuildManager(ctx, b.cfg.repoDir, b.manager, "benchmark")
}

func (b *bench) say(format string, args ...any) {
	fmt.Fprintf(b.out, "bench [%s]: %s\n", time.Since(b.started).Round(time.Second), fmt.Sprintf(format, args...))
}

// failed says whether any measurement failed.
func (b *bench) failed() bool {
	return slices.ContainsFunc(b.results, func(r *result) bool { return r.err != nil }) ||
		slices.ContainsFunc(b.exports, func(e *exportResult) bool { return e.err != nil })
}

// commitOf names the commit checked out in repo, marked when the working
// tree's tracked files differ from it, or says it is unknown.
func commitOf(ctx context.Context, repo string) string {
	head, err := exec.CommandContext(ctx, "git", "-C", repo, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown (no git)"
	}
	commit := "`" + strings.TrimSpace(string(head)) + "`"
	if dirty, err := exec.CommandContext(ctx, "git", "-C", repo, "status", "--porcelain", "--untracked-files=no").Output(); err != nil || len(dirty) > 0 {
		commit += " with uncommitted changes"
	}
	return commit
}
