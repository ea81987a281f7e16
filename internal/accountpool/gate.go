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

package accountpool

import (
	"sync"
	"time"
)

// Gate pauses `action: create` for a whole Zoom account after Zoom's daily
// invite cap answered 429, so that the other objects of that account wait
// for the reset instead of each spending a request to learn the same thing.
type Gate struct {
	mu          sync.Mutex
	pausedUntil time.Time
}

// Pause closes the gate until the given time (never shortens a pause).
func (g *Gate) Pause(until time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until.After(g.pausedUntil) {
		g.pausedUntil = until
	}
}

// ClosedUntil returns the resume time while the gate is closed, else zero.
func (g *Gate) ClosedUntil(now time.Time) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Before(g.pausedUntil) {
		return g.pausedUntil
	}
	return time.Time{}
}
