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
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

// managerStopGrace is how long the manager may take to stop after SIGTERM
// before it is killed.
const managerStopGrace = 15 * time.Second

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat;
// Linux fixes it at 100 for user space on every architecture.
const clockTicks = 100

// stopManager asks the manager to finish, and kills it after managerStopGrace.
func stopManager(m *testenv.Manager) { m.Stop(managerStopGrace) }

// usage is the process's own CPU time and peak resident memory.
type usage struct {
	cpu     time.Duration
	peakRSS int64 // bytes
}

// rusage reads what the kernel reported at exit; ok is false before that.
func rusage(m *testenv.Manager) (usage, bool) {
	if !m.Exited() || m.Cmd.ProcessState == nil {
		return usage{}, false
	}
	ru, ok := m.Cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return usage{}, false
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return usage{cpu: cpu, peakRSS: ru.Maxrss * 1024}, true // Maxrss is in KiB on Linux
}

// procUsage reads the live process's CPU time (utime + stime) and peak RSS
// (VmHWM) from /proc.
func procUsage(pid int) (usage, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return usage{}, err
	}
	cpu, err := parseStatCPU(string(stat))
	if err != nil {
		return usage{}, err
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return usage{}, err
	}
	hwm, err := parseStatusKiB(string(status), "VmHWM")
	if err != nil {
		return usage{}, err
	}
	return usage{cpu: cpu, peakRSS: hwm * 1024}, nil
}

// parseStatCPU returns utime + stime of a /proc/<pid>/stat line. The command
// name (field 2) may hold spaces and parentheses, so fields are counted from
// the last ')'.
func parseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("/proc stat: no command name")
	}
	// After ")" come field 3 (state) onwards; utime and stime are fields 14
	// and 15.
	fields := strings.Fields(stat[i+1:])
	const utime, stime = 14 - 3, 15 - 3
	if len(fields) <= stime {
		return 0, errors.New("/proc stat: too few fields")
	}
	var ticks int64
	for _, f := range []string{fields[utime], fields[stime]} {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// parseStatusKiB returns a "Key:   123 kB" value of /proc/<pid>/status.
func parseStatusKiB(status, key string) (int64, error) {
	for line := range strings.Lines(status) {
		name, value, ok := strings.Cut(line, ":")
		if !ok || name != key {
			continue
		}
		f := strings.Fields(value)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("/proc status: odd %s line %q", key, strings.TrimSpace(line))
		}
		return strconv.ParseInt(f[0], 10, 64)
	}
	return 0, fmt.Errorf("/proc status: no %s", key)
}
