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
	"syscall"
	"time"
)

// managerStopGrace is how long the manager may take to finish in-flight
// reconciles after SIGTERM before it is killed.
const managerStopGrace = 10 * time.Second

// managerProcess is the manager running as a child process.
type managerProcess struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // the exit error; read only after done is closed
	out  io.Closer     // the log file or the prefixing writer, closed after exit
}

// startManager runs the manager binary against the local cluster. Metrics
// and probes are off ("0"), so nothing listens on a fixed port that another
// run or a real operator may already hold.
func (s *session) startManager(ctx context.Context) error {
	path, err := filepath.Abs(s.opts.managerPath)
	if err != nil {
		return err
	}
	args := append([]string{
		"--kubeconfig=" + s.kubeconf,
		"--metrics-bind-address=0",
		"--health-probe-bind-address=0",
		// The fake Zoom listens on loopback; real Zoom keeps its own hosts.
		"--allowed-zoom-hosts=127.0.0.1,api.zoom.us,zoom.us",
	}, s.opts.managerArgs...)
	cmd := exec.Command(path, args...)
	cmd.Env = managerEnv(s.kubeconf)
	cmd.SysProcAttr = childProcAttr()
	out, err := s.managerOutput()
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		_ = out.Close()
		return fmt.Errorf("starting manager: %w", err)
	}
	m := &managerProcess{cmd: cmd, done: make(chan struct{}), out: out}
	go m.wait()
	s.manager = m
	s.onStop(func() { s.stopManager() })
	s.say("manager %s started (pid %d)", s.opts.managerPath, cmd.Process.Pid)
	return ctx.Err()
}

// managerEnv passes the environment on, with KUBECONFIG pointing at the
// local cluster too, so that nothing in the manager can reach another one.
func managerEnv(kubeconfig string) []string {
	return append(os.Environ(), "KUBECONFIG="+kubeconfig)
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

func (m *managerProcess) wait() {
	m.err = m.cmd.Wait()
	_ = m.out.Close()
	close(m.done)
}

func (m *managerProcess) exited() bool {
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}

// stopManager asks the manager to finish its work, and kills it when it
// does not within managerStopGrace.
func (s *session) stopManager() {
	m := s.manager
	if m.exited() {
		return
	}
	s.say("stopping manager")
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		s.say("signalling manager: %v", err)
	}
	select {
	case <-m.done:
	case <-time.After(managerStopGrace):
		s.say("manager did not stop within %s; killing it", managerStopGrace)
		_ = m.cmd.Process.Kill()
		<-m.done
	}
}
