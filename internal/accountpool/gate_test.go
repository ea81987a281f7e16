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
	"testing"
	"time"
)

func TestGate(t *testing.T) {
	now := time.Date(2026, 11, 28, 18, 0, 0, 0, time.UTC)
	reset := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	var g Gate
	if until := g.ClosedUntil(now); !until.IsZero() {
		t.Fatalf("a new gate is closed until %v", until)
	}
	g.Pause(reset)
	g.Pause(reset.Add(-time.Hour)) // an earlier resume time never shortens the pause
	if until := g.ClosedUntil(now); !until.Equal(reset) {
		t.Errorf("ClosedUntil = %v, want %v", until, reset)
	}
	if until := g.ClosedUntil(reset); !until.IsZero() {
		t.Errorf("still closed at the reset: %v", until)
	}
}
