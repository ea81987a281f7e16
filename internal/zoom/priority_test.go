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

package zoom

import (
	"context"
	"testing"
	"time"
)

func TestLowPriorityHorizon(t *testing.T) {
	const maxWait = 2 * time.Second
	started := &lowPriority{}
	started.granted()
	tests := map[string]struct {
		lp      *lowPriority
		maxWait time.Duration
		want    time.Duration
	}{
		"a first attempt reserves up to maxWait":  {lp: nil, maxWait: maxWait, want: maxWait},
		"a retry reserves half as far":            {lp: &lowPriority{}, maxWait: maxWait, want: maxWait / 2},
		"a retry under way reserves like any":     {lp: started, maxWait: maxWait, want: maxWait},
		"no maxWait means no limit for a retry":   {lp: &lowPriority{}, maxWait: 0, want: 0},
		"no maxWait means no limit for the first": {lp: nil, maxWait: 0, want: 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.lp.horizon(tc.maxWait); got != tc.want {
				t.Errorf("horizon(%v) = %v, want %v", tc.maxWait, got, tc.want)
			}
		})
	}
}

// TestLowPriorityGivesBackTurnsPastItsHorizon: with the next turn 1.5 s
// away, a retry is sent away with the turn's delay and its token restored,
// while a first attempt takes the same turn.
func TestLowPriorityGivesBackTurnsPastItsHorizon(t *testing.T) {
	const maxWait = 2 * time.Second
	clock := newFakeClock()
	b := tenPerSecond(clock)
	for range 15 {
		b.reserve(CategoryLight, clock.Now())
	}
	before := b.Tokens(CategoryLight)
	want := 15 * spacing(10)

	err := b.WaitAtMost(WithLowPriority(context.Background()), CategoryLight, maxWait)
	delay, ok := WaitFor(err)
	if !ok || (delay-want).Abs() > time.Millisecond {
		t.Fatalf("retry: WaitAtMost = %v, want a *WaitError of %v", err, want)
	}
	if got := b.Tokens(CategoryLight); !near(got, before) {
		t.Errorf("retry: Tokens = %v after being sent away, want %v (the turn given back whole)", got, before)
	}
	_, got, err := b.turn(context.Background(), CategoryLight, maxWait, clock.Now())
	if err != nil || (got-want).Abs() > time.Millisecond {
		t.Errorf("first attempt: turn = %v, %v, want the turn %v away", got, err, want)
	}
}

// TestLowPriorityRetryUnderWayKeepsItsTurns: once a retry's first call got
// its turn, its next call may reserve as far as any, so that the retry is
// not abandoned half done.
func TestLowPriorityRetryUnderWayKeepsItsTurns(t *testing.T) {
	const maxWait = 2 * time.Second
	clock := newFakeClock()
	b := tenPerSecond(clock)
	ctx := WithLowPriority(context.Background())
	if err := b.WaitAtMost(ctx, CategoryLight, maxWait); err != nil {
		t.Fatalf("first call with a full budget: %v", err)
	}
	for range 14 {
		b.reserve(CategoryLight, clock.Now())
	}
	if _, d, err := b.turn(ctx, CategoryLight, maxWait, clock.Now()); err != nil {
		t.Errorf("second call of the retry, its turn 1.5 s away: %v (delay %v), want the turn", err, d)
	}
	if _, _, err := b.turn(WithLowPriority(context.Background()), CategoryLight, maxWait, clock.Now()); err == nil {
		t.Error("a new retry 1.6 s from its turn got it, want a *WaitError")
	}
}

// bulkRetries stands for the paced retries of a bulk create: callers that,
// sent away, come back when the budget said their turn would be, and that,
// granted a turn, come back as the next object's retry at that turn. It
// steps a fake clock and records when the granted turns fall.
type bulkRetries struct {
	b     *Budget
	clock *fakeClock
	low   bool
	due   []time.Time
	turns []time.Time
}

func newBulkRetries(b *Budget, clock *fakeClock, callers int, low bool) *bulkRetries {
	s := &bulkRetries{b: b, clock: clock, low: low, due: make([]time.Time, callers)}
	for i := range s.due {
		s.due[i] = clock.Now()
	}
	return s
}

func (s *bulkRetries) run(d, tick, maxWait time.Duration) {
	for end := s.clock.Now().Add(d); s.clock.Now().Before(end); s.clock.Advance(tick) {
		now := s.clock.Now()
		for i, due := range s.due {
			if due.After(now) {
				continue
			}
			ctx := context.Background()
			if s.low {
				ctx = WithLowPriority(ctx)
			}
			_, delay, err := s.b.turn(ctx, CategoryLight, maxWait, now)
			if err == nil {
				s.turns = append(s.turns, now.Add(delay))
			}
			s.due[i] = now.Add(delay + time.Millisecond)
		}
	}
}

// turnsBetween counts the granted turns in [from, to).
func (s *bulkRetries) turnsBetween(from, to time.Time) int {
	n := 0
	for _, t := range s.turns {
		if !t.Before(from) && t.Before(to) {
			n++
		}
	}
	return n
}

// TestLowPriorityLeavesRoomForFirstAttempts: 100 retries keep a budget of
// 9.5 calls a second saturated. When they are low priority, a first attempt
// arriving in their midst gets a turn within half of maxWait; when they are
// not (every caller alike, as before priorities), it finds the horizon
// reserved up to maxWait. The budget grants turns at its full rate either way.
func TestLowPriorityLeavesRoomForFirstAttempts(t *testing.T) {
	const (
		maxWait = 2 * time.Second
		tick    = 10 * time.Millisecond
		run     = 10 * time.Second
	)
	for name, low := range map[string]bool{"retries low": true, "retries alike": false} {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock()
			b := tenPerSecond(clock)
			bulk := newBulkRetries(b, clock, 100, low)
			bulk.run(run, tick, maxWait)

			// Saturated: between 2 s and 8 s every turn of the budget's
			// rate (9.5 a second) went to a retry.
			from := testNow.Add(2 * time.Second)
			if got, want := bulk.turnsBetween(from, from.Add(6*time.Second)), 57; got < want-1 || got > want+1 {
				t.Errorf("turns in 6 s = %d, want %d ± 1: the budget is not saturated", got, want)
			}

			_, delay, err := b.turn(context.Background(), CategoryLight, maxWait, clock.Now())
			if w, ok := WaitFor(err); ok {
				delay = w
			}
			if low && delay > maxWait/2+spacing(10) {
				t.Errorf("first attempt among low retries: turn %v away (%v), want at most %v", delay, err, maxWait/2+spacing(10))
			}
			if !low && delay < maxWait*3/4 {
				t.Errorf("first attempt among retries alike: turn %v away, want near maxWait %v (the test no longer shows the difference)", delay, maxWait)
			}
		})
	}
}
