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
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

// managerStopGrace is how long the manager may take to finish in-flight
// reconciles after SIGTERM before it is killed.
const managerStopGrace = 10 * time.Second

// startManager runs the manager binary against the local cluster, with the
// flags given after "--".
func (s *session) startManager(ctx context.Context) error {
	path, err := filepath.Abs(s.opts.managerPath)
	if err != nil {
		return err
	}
	out, err := s.managerOutput()
	if err != nil {
		return err
	}
	m, err := testenv.StartManager(testenv.ManagerOptions{
		Name:       "manager",
		Binary:     path,
		Kubeconfig: s.kubeconf,
		FakeZoom:   s.zoom.fake != nil,
		Args:       s.opts.managerArgs,
		Output:     out,
	})
	if err != nil {
		return err
	}
	s.manager = m
	s.onStop(s.stopManager)
	s.say("manager %s started (pid %d)", s.opts.managerPath, m.Pid())
	return ctx.Err()
}

// managerOutput is either the --manager-log file or the logs writer with
// every line prefixed, so manager lines stand apart from the progress table.
func (s *session) managerOutput() (io.WriteCloser, error) {
	if s.opts.managerLog == "" {
		return newPrefixWriter(s.opts.logs, "manager| "), nil
	}
	f, err := os.Create(s.opts.managerLog)
	if err != nil {
		return nil, fmt.Errorf("manager log: %w", err)
	}
	s.say("manager output goes to %s", s.opts.managerLog)
	return f, nil
}

// stopManager asks the manager to finish its work, and kills it when it
// does not within managerStopGrace.
func (s *session) stopManager() {
	if s.manager.Exited() {
		return
	}
	s.say("stopping manager")
	if s.manager.Stop(managerStopGrace) {
		s.say("manager did not stop within %s; killed it", managerStopGrace)
	}
}
