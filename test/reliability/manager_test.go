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

package reliability

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

const (
	// managerStopGrace is how long a manager may take to stop after
	// SIGTERM at the end of a test before it is killed.
	managerStopGrace = 15 * time.Second
	// logTailLines is how much of each manager's log a failed test prints.
	logTailLines = 60
)

// startManager runs the manager against the cluster and the fake Zoom with
// args added to the common flags. The process is stopped when the test ends.
func (c *cluster) startManager(args ...string) *testenv.Manager {
	c.t.Helper()
	name := fmt.Sprintf("manager-%d", len(c.managers)+1)
	m, err := testenv.StartManager(testenv.ManagerOptions{
		Name:       name,
		Binary:     managerBin,
		Kubeconfig: c.cp.Kubeconfig,
		FakeZoom:   true,
		Args:       args,
		LogFile:    filepath.Join(c.dir, name+".log"),
	})
	if err != nil {
		c.t.Fatalf("starting %s: %v", name, err)
	}
	c.managers = append(c.managers, m)
	c.t.Cleanup(func() { m.Stop(managerStopGrace) })
	c.t.Logf("%s started (pid %d) %s", name, m.Pid(), strings.Join(args, " "))
	return m
}

// logManagersOnFailure prints the end of every manager's log when the test
// failed: what the operator was doing is most of the story.
func (c *cluster) logManagersOnFailure() {
	if !c.t.Failed() {
		return
	}
	for _, m := range c.managers {
		state := "running"
		if m.Exited() {
			state = fmt.Sprintf("exited: %v", m.Err())
		}
		c.t.Logf("last %d lines of %s (pid %d, %s), %s:\n%s", logTailLines, m.Name, m.Pid(), state, m.LogFile, m.LogTail(logTailLines))
	}
}
