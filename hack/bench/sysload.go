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
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// machineSample is the machine's busy CPU time and the part of it spent by
// this harness and its children (API server, etcd, manager), at one moment.
// Two samples tell how much CPU other processes took in between: a run on a
// shared machine competes with them, and the report says so.
type machineSample struct {
	busy time.Duration // every CPU, user + nice + system + irq + softirq
	own  time.Duration // this process and its descendants
}

// sampleMachine reads /proc/stat and the harness's process tree.
func sampleMachine() (machineSample, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineSample{}, err
	}
	busy, err := parseProcStatBusy(string(data))
	if err != nil {
		return machineSample{}, err
	}
	own, err := treeCPU(os.Getpid())
	if err != nil {
		return machineSample{}, err
	}
	return machineSample{busy: busy, own: own}, nil
}

// othersBetween is the CPU other processes spent between two samples.
func othersBetween(a, b machineSample) time.Duration {
	return max(0, (b.busy-a.busy)-(b.own-a.own))
}

// parseProcStatBusy sums the busy fields of the "cpu" line of /proc/stat:
// user, nice, system, irq and softirq. Idle, iowait and steal are time no
// process here ran; guest time is already inside user.
func parseProcStatBusy(stat string) (time.Duration, error) {
	for line := range strings.Lines(stat) {
		f := strings.Fields(line)
		if len(f) < 8 || f[0] != "cpu" {
			continue
		}
		var ticks int64
		// f[1..7] are user, nice, system, idle, iowait, irq and softirq.
		for _, i := range []int{1, 2, 3, 6, 7} {
			n, err := strconv.ParseInt(f[i], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/stat: %w", err)
			}
			ticks += n
		}
		return time.Duration(ticks) * time.Second / clockTicks, nil
	}
	return 0, errors.New("/proc/stat: no cpu line")
}

// treeCPU is the CPU time of pid and every live descendant.
func treeCPU(root int) (time.Duration, error) {
	paths, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return 0, err
	}
	parent := map[int]int{}
	cpu := map[int]time.Duration{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue // the process ended meanwhile
		}
		pid, ppid, t, err := parseStatTree(string(data))
		if err != nil {
			continue
		}
		parent[pid], cpu[pid] = ppid, t
	}
	var total time.Duration
	for pid, t := range cpu {
		for p := pid; p > 0; p = parent[p] {
			if p == root {
				total += t
				break
			}
			if _, known := parent[p]; !known {
				break
			}
		}
	}
	return total, nil
}

// parseStatTree reads the pid, the parent pid and utime + stime of a
// /proc/<pid>/stat line.
func parseStatTree(stat string) (pid, ppid int, cpu time.Duration, err error) {
	open, end := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	if open < 0 || end < open {
		return 0, 0, 0, errors.New("/proc stat: no command name")
	}
	if pid, err = strconv.Atoi(strings.TrimSpace(stat[:open])); err != nil {
		return 0, 0, 0, err
	}
	fields := strings.Fields(stat[end+1:])
	if len(fields) < 2 {
		return 0, 0, 0, errors.New("/proc stat: too few fields")
	}
	if ppid, err = strconv.Atoi(fields[1]); err != nil { // field 4
		return 0, 0, 0, err
	}
	cpu, err = parseStatCPU(stat)
	return pid, ppid, cpu, err
}
