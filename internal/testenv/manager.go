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

package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// BuildManager builds the manager binary from repoRoot into out, once per
// run: every manager started afterwards is the same binary.
func BuildManager(ctx context.Context, repoRoot, out string, tags ...string) error {
	args := []string{"build", "-o", out}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
	cmd.Dir = repoRoot
	if data, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the manager: %w\n%s", err, data)
	}
	return nil
}

// ManagerOptions says how to run one manager process.
type ManagerOptions struct {
	// Name tells managers apart in logs and messages.
	Name       string
	Binary     string
	Kubeconfig string
	// FakeZoom adds FakeZoomManagerArgs: the manager talks to a fake
	// served here rather than to real Zoom.
	FakeZoom bool
	// Args are the caller's own flags, after the common ones.
	Args []string
	// Env adds NAME=value pairs to the inherited environment, e.g. a
	// GOMEMLIMIT for this manager alone.
	Env []string
	// LogFile receives stdout and stderr; when empty, Output does.
	LogFile string
	// Output receives stdout and stderr when LogFile is empty; it is
	// closed after the process exits if it is an io.Closer.
	Output io.Writer
}

// Manager is the manager binary running as a child process.
type Manager struct {
	Name    string
	Cmd     *exec.Cmd
	LogFile string        // empty when the output went to ManagerOptions.Output
	done    chan struct{} // closed once the process has exited and was reaped
	err     error         // exit error; read only after done is closed
}

// ManagerArgs are the flags every manager started here gets, before the
// caller's: the cluster, and no metrics or probe listener on a fixed port
// that another run (or a real operator) may hold.
func ManagerArgs(o ManagerOptions) []string {
	args := []string{
		"--kubeconfig=" + o.Kubeconfig,
		"--metrics-bind-address=0",
		"--health-probe-bind-address=0",
	}
	if o.FakeZoom {
		args = append(args, FakeZoomManagerArgs()...)
	}
	return append(args, o.Args...)
}

// StartManager starts the manager. The process is in its own process group,
// so that a Ctrl-C meant for the caller does not reach it twice, and the
// kernel stops it if the caller dies first (on Linux).
func StartManager(o ManagerOptions) (*Manager, error) {
	out, err := managerOutput(o)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.Binary, ManagerArgs(o)...)
	cmd.Env = append(childEnv(o.Kubeconfig), o.Env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		closeOutput(out)
		return nil, fmt.Errorf("starting the manager: %w", err)
	}
	m := &Manager{Name: o.Name, Cmd: cmd, LogFile: o.LogFile, done: make(chan struct{})}
	go func() {
		m.err = cmd.Wait()
		closeOutput(out)
		close(m.done)
	}()
	return m, nil
}

func managerOutput(o ManagerOptions) (io.Writer, error) {
	if o.LogFile == "" {
		if o.Output == nil {
			return io.Discard, nil
		}
		return o.Output, nil
	}
	f, err := os.Create(o.LogFile)
	if err != nil {
		return nil, fmt.Errorf("manager log: %w", err)
	}
	return f, nil
}

func closeOutput(out io.Writer) {
	if c, ok := out.(io.Closer); ok {
		_ = c.Close()
	}
}

// childEnv passes the environment on with KUBECONFIG pointing at the
// caller's cluster, so that nothing in the manager can reach another one.
func childEnv(kubeconfig string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KUBECONFIG=") {
			env = append(env, kv)
		}
	}
	return append(env, "KUBECONFIG="+kubeconfig)
}

// Pid is the process id.
func (m *Manager) Pid() int { return m.Cmd.Process.Pid }

// Done is closed once the process has exited.
func (m *Manager) Done() <-chan struct{} { return m.done }

// Err is the exit error; only meaningful once Done is closed.
func (m *Manager) Err() error {
	<-m.done
	return m.err
}

// Exited says whether the process has exited.
func (m *Manager) Exited() bool {
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL and returns once the process is gone, so that nothing
// it had in flight can still reach Zoom or the API server afterwards.
func (m *Manager) Kill() {
	if m.Exited() {
		return
	}
	_ = m.Cmd.Process.Kill() // the only error left is a process already gone
	<-m.done
}

// Stop asks the manager to finish (SIGTERM) and kills it when it does not
// within grace. It reports whether the manager had to be killed.
func (m *Manager) Stop(grace time.Duration) (killed bool) {
	if m.Exited() {
		return false
	}
	if err := m.Cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		m.Kill()
		return true
	}
	select {
	case <-m.done:
		return false
	case <-time.After(grace):
		m.Kill()
		return true
	}
}

// LogText is the manager's log so far (LogFile only).
func (m *Manager) LogText() string {
	data, err := os.ReadFile(m.LogFile)
	if err != nil {
		return fmt.Sprintf("(reading %s: %v)", m.LogFile, err)
	}
	return string(data)
}

// LogTail is the last lines of the log.
func (m *Manager) LogTail(lines int) string {
	all := strings.Split(strings.TrimRight(m.LogText(), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// LogCount counts the log lines that contain s.
func (m *Manager) LogCount(s string) int {
	n := 0
	for line := range strings.Lines(m.LogText()) {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

// RepoRoot finds the repository root (the directory holding go.mod) from
// the working directory upwards; tests run in their package's directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
