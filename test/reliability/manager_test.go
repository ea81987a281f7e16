package reliability

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const (
	// managerStopGrace is how long a manager may take to stop after
	// SIGTERM at the end of a test before it is killed.
	managerStopGrace = 15 * time.Second
	// logTailLines is how much of each manager's log a failed test prints.
	logTailLines = 60
)

// manager is the manager binary running as a child process.
type manager struct {
	name string
	log  string // file holding its stdout and stderr
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited and was reaped
	err  error         // exit error; read only after done is closed
}

// startManager runs the manager against the cluster with the flags the
// tests share plus args. Metrics and probes are off ("0"), so that nothing
// listens on a fixed port. The process is stopped when the test ends.
func (c *cluster) startManager(args ...string) *manager {
	c.t.Helper()
	c.started++
	name := fmt.Sprintf("manager-%d", c.started)
	logPath := filepath.Join(c.dir, name+".log")
	out, err := os.Create(logPath)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(managerBin, append([]string{
		"--kubeconfig=" + c.kubeconfig,
		"--metrics-bind-address=0",
		"--health-probe-bind-address=0",
		"--allowed-zoom-hosts=127.0.0.1",
	}, args...)...)
	cmd.Env = childEnv(c.kubeconfig)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		_ = out.Close()
		c.t.Fatalf("starting %s: %v", name, err)
	}
	m := &manager{name: name, log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		m.err = cmd.Wait()
		_ = out.Close()
		close(m.done)
	}()
	c.managers = append(c.managers, m)
	c.t.Cleanup(m.stop)
	c.t.Logf("%s started (pid %d) %s", name, cmd.Process.Pid, strings.Join(args, " "))
	return m
}

// childEnv passes the environment on with KUBECONFIG pointing at the test's
// cluster, so that nothing in the manager can reach another one.
func childEnv(kubeconfig string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KUBECONFIG=") {
			env = append(env, kv)
		}
	}
	return append(env, "KUBECONFIG="+kubeconfig)
}

func (m *manager) pid() int { return m.cmd.Process.Pid }

func (m *manager) exited() bool {
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL and returns once the process is gone, so that nothing
// it had in flight can still reach Zoom or the API server afterwards.
func (m *manager) kill() {
	if m.exited() {
		return
	}
	// The only error left is a process that is already gone.
	_ = m.cmd.Process.Kill()
	<-m.done
}

// stop asks the manager to finish (SIGTERM) and kills it when it does not
// within managerStopGrace.
func (m *manager) stop() {
	if m.exited() {
		return
	}
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		m.kill()
		return
	}
	select {
	case <-m.done:
	case <-time.After(managerStopGrace):
		m.kill()
	}
}

// logText is the manager's log so far.
func (m *manager) logText() string {
	data, err := os.ReadFile(m.log)
	if err != nil {
		return fmt.Sprintf("(reading %s: %v)", m.log, err)
	}
	return string(data)
}

// logCount counts the log lines that contain s.
func (m *manager) logCount(s string) int {
	n := 0
	for line := range strings.Lines(m.logText()) {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

func (m *manager) logTail(lines int) string {
	text := strings.TrimRight(m.logText(), "\n")
	all := strings.Split(text, "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// logManagersOnFailure prints the end of every manager's log when the test
// failed: what the operator was doing is most of the story.
func (c *cluster) logManagersOnFailure() {
	if !c.t.Failed() {
		return
	}
	for _, m := range c.managers {
		var b bytes.Buffer
		state := "running"
		if m.exited() {
			state = fmt.Sprintf("exited: %v", m.err)
		}
		fmt.Fprintf(&b, "last %d lines of %s (pid %d, %s), %s:\n%s", logTailLines, m.name, m.pid(), state, m.log, m.logTail(logTailLines))
		c.t.Log(b.String())
	}
}
