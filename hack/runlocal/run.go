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
	"os"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

// errTimeout is the cause of the bring-up context when --timeout passed.
var errTimeout = errors.New("timed out")

// session is one local run: what was started, and how to stop it again.
type session struct {
	opts     options
	start    time.Time
	stops    []func() // undo steps, run in reverse order
	kubeconf string   // absolute path of the admin kubeconfig
	client   client.Client
	zoom     zoomTarget
	manager  *testenv.Manager
	users    []types.NamespacedName // the sample ZoomUsers
	groups   []types.NamespacedName // the sample ZoomGroups
}

// run brings everything up, reports progress until the samples are Ready,
// then waits for ctx (Ctrl-C). It always stops what it started. An
// interruption is not an error: the user asked for it.
func run(ctx context.Context, o options) error {
	s := &session{opts: o, start: time.Now()}
	defer s.stopAll()

	err := s.bringUp(ctx)
	if ctx.Err() != nil {
		s.say("interrupted")
		return nil
	}
	if err != nil {
		return err
	}
	s.printUsage()
	if o.onReady != nil {
		if err := o.onReady(ctx, s.client); err != nil {
			return err
		}
	}
	if o.exitWhenReady {
		return nil
	}
	return s.waitForInterrupt(ctx)
}

// bringUp runs every step under the --timeout deadline, so a step that hangs
// (a control plane that never answers) fails like a slow ZoomUser does.
func (s *session) bringUp(parent context.Context) error {
	ctx, cancel := s.deadline(parent)
	defer cancel()
	steps := []func(context.Context) error{
		s.preflight,
		s.startControlPlane,
		s.startZoom,
		s.createAccount,
		s.startManager,
		s.applySamples,
		s.waitForReady,
		s.waitForGroups,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			if errors.Is(context.Cause(ctx), errTimeout) {
				return fmt.Errorf("%w after %s: %w", errTimeout, s.opts.timeout, err)
			}
			return err
		}
	}
	return nil
}

// preflight checks the inputs before anything starts, so that a typo fails
// in a second rather than after the control plane came up.
func (s *session) preflight(context.Context) error {
	if s.opts.getenv("KUBEBUILDER_ASSETS") == "" {
		return errors.New("KUBEBUILDER_ASSETS is not set; use `make run-local` or export KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh)")
	}
	if fi, err := os.Stat(s.opts.managerPath); err != nil || fi.IsDir() {
		return fmt.Errorf("manager binary %q not found; build it with `make build`", s.opts.managerPath)
	}
	for _, dir := range []string{s.opts.crdDir, s.opts.samplesDir} {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return fmt.Errorf("directory %q not found", dir)
		}
	}
	return nil
}

func (s *session) deadline(parent context.Context) (context.Context, context.CancelFunc) {
	if s.opts.timeout <= 0 {
		return context.WithCancel(parent)
	}
	return context.WithDeadlineCause(parent, s.start.Add(s.opts.timeout), errTimeout)
}

// waitForInterrupt keeps everything running for use from other terminals.
// The manager dying on its own is an error: nothing would reconcile anymore.
func (s *session) waitForInterrupt(ctx context.Context) error {
	select {
	case <-ctx.Done():
		fmt.Fprintln(s.opts.out) // past the terminal's "^C"
		s.say("stopping")
		return nil
	case <-s.manager.Done():
		return fmt.Errorf("manager exited: %v", s.manager.Err())
	}
}

func (s *session) onStop(f func()) { s.stops = append(s.stops, f) }

func (s *session) stopAll() {
	if len(s.stops) == 0 {
		return
	}
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i]()
	}
	s.stops = nil
	s.say("stopped")
}

func (s *session) say(format string, args ...any) {
	fmt.Fprintf(s.opts.out, "run-local: "+format+"\n", args...)
}

// elapsed is the time since start, as "6.0s".
func (s *session) elapsed() string {
	return fmt.Sprintf("%.1fs", time.Since(s.start).Seconds())
}

func (s *session) printUsage() {
	s.say("ready in %s: %d sample ZoomUser(s) and %d ZoomGroup(s) Ready", s.elapsed(), len(s.users), len(s.groups))
	w := s.opts.out
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Use it from another terminal:")
	fmt.Fprintf(w, "  export KUBECONFIG=%s\n", s.kubeconf)
	fmt.Fprintln(w, "  kubectl get zoomusers -A")
	fmt.Fprintln(w, "  kubectl get zoomgroups -A")
	if s.zoom.fake != nil {
		fmt.Fprintf(w, "Fake Zoom: %s (API under /v2, token at /oauth/token)\n", s.zoom.fake.URL)
	}
	if s.opts.exitWhenReady {
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}
