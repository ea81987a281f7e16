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
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: testNow} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestBudgetPlanSizing(t *testing.T) {
	tests := map[string]struct {
		plan                    string
		light, medium           float64
		lightBurst, mediumBurst float64
	}{
		"Free":              {plan: "Free", light: 4, medium: 2, lightBurst: 1, mediumBurst: 1},
		"Pro":               {plan: "Pro", light: 30, medium: 20, lightBurst: 1, mediumBurst: 1},
		"Business":          {plan: "Business", light: 80, medium: 60, lightBurst: 1, mediumBurst: 1},
		"any letter case":   {plan: "bUsInEsS", light: 80, medium: 60, lightBurst: 1, mediumBurst: 1},
		"empty means Pro":   {plan: "", light: 30, medium: 20, lightBurst: 1, mediumBurst: 1},
		"unknown means Pro": {plan: "Gold", light: 30, medium: 20, lightBurst: 1, mediumBurst: 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			b := NewBudget(BudgetOptions{Plan: Plan(tc.plan), Now: newFakeClock().Now})
			checkBudget(t, b, CategoryLight, tc.light, tc.lightBurst)
			checkBudget(t, b, CategoryMedium, tc.medium, tc.mediumBurst)
		})
	}
}

func checkBudget(t *testing.T, b *Budget, c Category, limit, tokens float64) {
	t.Helper()
	if got := b.Limit(c); !near(got, limit) {
		t.Errorf("Limit(%s) = %v, want %v", c, got, limit)
	}
	if got := b.Tokens(c); !near(got, tokens) {
		t.Errorf("Tokens(%s) = %v, want %v", c, got, tokens)
	}
}

func TestBudgetOptions(t *testing.T) {
	clock := newFakeClock()
	tests := map[string]struct {
		opts                    BudgetOptions
		light, medium           float64
		lightBurst, mediumBurst float64
	}{
		"Scale shrinks the rates": {
			opts:  BudgetOptions{Plan: "Business", Scale: 0.5},
			light: 40, medium: 30, lightBurst: 1, mediumBurst: 1,
		},
		"Scale 0 means 1": {
			opts:  BudgetOptions{Plan: "Pro", Scale: 0},
			light: 30, medium: 20, lightBurst: 1, mediumBurst: 1,
		},
		"a tiny Scale still lets one call through": {
			opts:  BudgetOptions{Plan: "Free", Scale: 0.1},
			light: 0.4, medium: 0.2, lightBurst: 1, mediumBurst: 1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.opts.Now = clock.Now
			b := NewBudget(tc.opts)
			checkBudget(t, b, CategoryLight, tc.light, tc.lightBurst)
			checkBudget(t, b, CategoryMedium, tc.medium, tc.mediumBurst)
		})
	}
}

// tenPerSecond is a Pro budget scaled to a limit of 10 Light calls per
// second, paced at 9.5 a second.
func tenPerSecond(clock *fakeClock) *Budget {
	return NewBudget(BudgetOptions{Plan: "Pro", Scale: 1.0 / 3, Now: clock.Now})
}

// spacing is the time between calls paced at paceFraction of limit.
func spacing(limit float64) time.Duration {
	return time.Duration(float64(time.Second) / (limit * paceFraction))
}

func TestBudgetReserveConsumesTokens(t *testing.T) {
	clock := newFakeClock()
	b := tenPerSecond(clock)
	tick := spacing(10)
	steps := []struct {
		advance time.Duration
		want    time.Duration
	}{
		{0, 0},
		{0, tick},
		{0, 2 * tick},
		{3 * tick, 0},
		{tick / 2, tick / 2},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		_, got := b.reserve(CategoryLight, clock.Now())
		if (got - s.want).Abs() > time.Millisecond {
			t.Errorf("step %d: delay = %v, want %v", i, got, s.want)
		}
	}
	if got := b.Tokens(CategoryMedium); !near(got, 1) {
		t.Errorf("Medium tokens = %v, want 1 (untouched)", got)
	}
}

func TestBudgetWaitTakesAvailableTokens(t *testing.T) {
	clock := newFakeClock()
	b := NewBudget(BudgetOptions{Plan: "Pro", Now: clock.Now})
	if err := b.Wait(context.Background(), CategoryLight); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if got := b.Tokens(CategoryLight); !near(got, 0) {
		t.Errorf("Tokens = %v after spending the one saved token, want 0", got)
	}
	clock.Advance(spacing(30))
	if got := b.Tokens(CategoryLight); !near(got, 1) {
		t.Errorf("Tokens = %v a token's time later, want 1", got)
	}
}

func TestBudgetWaitUnbudgeted(t *testing.T) {
	var nilBudget *Budget
	ctx := context.Background()
	if err := nilBudget.Wait(ctx, CategoryLight); err != nil {
		t.Errorf("nil budget: Wait = %v", err)
	}
	nilBudget.Throttled(CategoryLight, testNow)
	if got := nilBudget.Limit(CategoryLight) + nilBudget.Tokens(CategoryLight); got != 0 {
		t.Errorf("nil budget: Limit+Tokens = %v, want 0", got)
	}
	b := NewBudget(BudgetOptions{Plan: "Free", Now: newFakeClock().Now})
	for range 5 {
		if err := b.Wait(ctx, "Heavy"); err != nil {
			t.Fatalf("Heavy: Wait = %v", err)
		}
	}
	b.Throttled("Heavy", testNow)
	if got := b.Limit("Heavy"); got != 0 {
		t.Errorf("Limit(Heavy) = %v, want 0", got)
	}
}

// drained returns a budget whose next Light token is over a minute away,
// and the tokens it has.
func drained(t *testing.T) (*Budget, float64) {
	t.Helper()
	b := NewBudget(BudgetOptions{Plan: "Pro", Scale: 0.001, Now: newFakeClock().Now})
	b.reserve(CategoryLight, b.now())
	b.reserve(CategoryLight, b.now())
	return b, b.Tokens(CategoryLight)
}

func TestBudgetWaitHonoursContext(t *testing.T) {
	t.Run("already cancelled", func(t *testing.T) {
		b, before := drained(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := b.Wait(ctx, CategoryLight); !errors.Is(err, context.Canceled) {
			t.Errorf("Wait = %v, want context.Canceled", err)
		}
		checkTokens(t, b, before)
	})
	t.Run("cancelled while waiting", func(t *testing.T) {
		b, before := drained(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- b.Wait(ctx, CategoryLight) }()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Wait = %v, want context.Canceled", err)
		}
		checkTokens(t, b, before)
	})
	t.Run("deadline before the turn", func(t *testing.T) {
		b, before := drained(t)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		err := b.Wait(ctx, CategoryLight)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait = %v, want context.DeadlineExceeded", err)
		}
		if waited := time.Since(start); waited > time.Second {
			t.Errorf("Wait took %v, want an immediate answer", waited)
		}
		checkTokens(t, b, before)
	})
}

// checkTokens verifies that a Wait that gave up handed its token back.
func checkTokens(t *testing.T, b *Budget, want float64) {
	t.Helper()
	if got := b.Tokens(CategoryLight); !near(got, want) {
		t.Errorf("Tokens = %v, want %v (the token handed back)", got, want)
	}
}

func TestBudgetThrottledShrinksAndRecovers(t *testing.T) {
	clock := newFakeClock()
	b := NewBudget(BudgetOptions{Plan: "Pro", Now: clock.Now})
	b.Throttled(CategoryLight, clock.Now())
	if got := b.Tokens(CategoryLight); got >= 1 {
		t.Errorf("Tokens = %v after a 429, want the burst spent", got)
	}
	clock.Advance(500 * time.Millisecond)
	// The same overfull second answers several calls with 429.
	b.Throttled(CategoryLight, clock.Now())
	// A lone 429 costs a fifth of the rate for the cool-down.
	checkLimits(t, clock, b, []limitStep{
		{0, 24},
		{9 * time.Second, 24},
		{time.Second, 30},
		{time.Hour, 30},
	})

	// 429s repeated within the cool-down halve the rate.
	b.Throttled(CategoryLight, clock.Now())
	clock.Advance(3 * time.Second)
	b.Throttled(CategoryLight, clock.Now())
	checkLimits(t, clock, b, []limitStep{
		{0, 12},
		{9 * time.Second, 12},
		{time.Second, 19.5},
		{4 * time.Second, 19.5},
		{time.Second, 27},
		{5 * time.Second, 30},
		{time.Hour, 30},
	})
	if got := b.Limit(CategoryMedium); got != 20 {
		t.Errorf("Medium Limit = %v, want 20 (untouched)", got)
	}
}

type limitStep struct {
	advance time.Duration
	want    float64
}

func checkLimits(t *testing.T, clock *fakeClock, b *Budget, steps []limitStep) {
	t.Helper()
	for i, s := range steps {
		clock.Advance(s.advance)
		if got := b.Limit(CategoryLight); !near(got, s.want) {
			t.Errorf("step %d: Limit = %v, want %v", i, got, s.want)
		}
	}
}

func TestBudgetThrottledFloor(t *testing.T) {
	tests := map[string]struct {
		opts           BudgetOptions
		c              Category
		floor, nominal float64
	}{
		"10% of nominal":       {opts: BudgetOptions{Plan: "Pro"}, c: CategoryLight, floor: 3, nominal: 30},
		"1/s above 10%":        {opts: BudgetOptions{Plan: "Free"}, c: CategoryLight, floor: 1, nominal: 4},
		"1/s scaled":           {opts: BudgetOptions{Plan: "Business", Scale: 0.01}, c: CategoryMedium, floor: 0.06, nominal: 0.6},
		"1/s scaled above 10%": {opts: BudgetOptions{Plan: "Free", Scale: 0.4}, c: CategoryMedium, floor: 0.4, nominal: 0.8},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock()
			tc.opts.Now = clock.Now
			b := NewBudget(tc.opts)
			for range 20 {
				b.Throttled(tc.c, clock.Now())
				clock.Advance(time.Second)
			}
			if got := b.Limit(tc.c); !near(got, tc.floor) {
				t.Errorf("Limit after 20 429s = %v, want the floor %v", got, tc.floor)
			}
			clock.Advance(throttleCoolDown + 4*recoverInterval)
			if got := b.Limit(tc.c); !near(got, tc.nominal) {
				t.Errorf("Limit after recovery = %v, want %v", got, tc.nominal)
			}
		})
	}
}

func TestBudgetQueuedCallersSlowDownAfter429(t *testing.T) {
	clock := newFakeClock()
	b := tenPerSecond(clock)
	b.reserve(CategoryLight, clock.Now())
	b.Throttled(CategoryLight, clock.Now())
	// Cut to a limit of 8/s, the next token is one 8/s spacing away.
	if _, got := b.reserve(CategoryLight, clock.Now()); (got - spacing(8)).Abs() > time.Millisecond {
		t.Errorf("delay = %v, want %v", got, spacing(8))
	}
}

func TestCategoryOf(t *testing.T) {
	tests := map[string]Category{
		"GET /users":                 CategoryMedium,
		"POST /users":                CategoryLight,
		"GET /users/{userId}":        CategoryLight,
		"PATCH /users/{userId}":      CategoryLight,
		"PUT /users/{userId}/status": CategoryLight,
		"DELETE /users/{userId}":     CategoryLight,
		// Groups and roles: the "Rate Limit Label" of each operation in
		// Zoom's API reference.
		"GET /groups":                                 CategoryMedium,
		"POST /groups":                                CategoryLight,
		"GET /groups/{groupId}":                       CategoryLight,
		"DELETE /groups/{groupId}":                    CategoryLight,
		"GET /groups/{groupId}/members":               CategoryMedium,
		"POST /groups/{groupId}/members":              CategoryMedium,
		"DELETE /groups/{groupId}/members/{memberId}": CategoryLight,
		"GET /roles":                                  CategoryMedium,
		"POST /roles/{roleId}/members":                CategoryMedium,
		"DELETE /roles/{roleId}/members/{memberId}":   CategoryLight,
	}
	for endpoint, want := range tests {
		if got := categoryOf(endpoint); got != want {
			t.Errorf("categoryOf(%q) = %s, want %s", endpoint, got, want)
		}
	}
}

// TestBudgetNoSecondOverLimit drives a budget as fast as it allows, on a
// simulated clock, and counts the calls of the busiest one-second window,
// both clock-aligned and sliding: neither may exceed the plan's limit.
func TestBudgetNoSecondOverLimit(t *testing.T) {
	type drive func(b *Budget, c Category, clock *fakeClock) []time.Time
	drivers := map[string]drive{
		// Many callers queue at once for five seconds' worth of calls.
		"queued": func(b *Budget, c Category, clock *fakeClock) []time.Time {
			var at []time.Time
			for range int(5*b.Limit(c)) + 1 {
				_, d := b.reserve(c, clock.Now())
				at = append(at, clock.Now().Add(d))
			}
			return at
		},
		// One caller calls again as soon as it may, pausing now and then
		// so that the bucket refills before the next rush.
		"greedy with pauses": func(b *Budget, c Category, clock *fakeClock) []time.Time {
			var at []time.Time
			end := clock.Now().Add(5 * time.Second)
			for i := 0; clock.Now().Before(end); i++ {
				if i%7 == 6 {
					clock.Advance(700 * time.Millisecond)
				}
				_, d := b.reserve(c, clock.Now())
				clock.Advance(d)
				at = append(at, clock.Now())
			}
			return at
		},
	}
	for _, plan := range []Plan{PlanFree, PlanPro, PlanBusiness} {
		for _, scale := range []float64{1, 0.5} {
			for _, c := range categories {
				for dname, drive := range drivers {
					limit := planRates[plan][c] * scale
					t.Run(fmt.Sprintf("%s×%v/%s/%s", plan, scale, c, dname), func(t *testing.T) {
						clock := newFakeClock()
						b := NewBudget(BudgetOptions{Plan: plan, Scale: scale, Now: clock.Now})
						at := drive(b, c, clock)
						got := []int{busiestSliding(at), busiestClockSecond(at)}
						if got[0] > int(limit) || got[1] > int(limit) {
							t.Errorf("busiest second (sliding, clock) = %v calls, want at most %v", got, limit)
						}
						// The pacing gives up no more than its margin.
						span := at[len(at)-1].Sub(at[0]).Seconds()
						if dname == "queued" && float64(len(at)-1)/span < 0.9*limit {
							t.Errorf("%d calls over %.2fs, want at least 90%% of %v/s", len(at), span, limit)
						}
					})
				}
			}
		}
	}
}

// busiestSliding is the most calls within any half-open second (t-1s, t].
func busiestSliding(at []time.Time) int {
	sorted := slices.SortedFunc(slices.Values(at), time.Time.Compare)
	most, first := 0, 0
	for i, t := range sorted {
		for !sorted[first].After(t.Add(-time.Second)) {
			first++
		}
		most = max(most, i-first+1)
	}
	return most
}

// busiestClockSecond is the most calls within one whole clock second.
func busiestClockSecond(at []time.Time) int {
	per := map[int64]int{}
	most := 0
	for _, t := range at {
		per[t.Unix()]++
		most = max(most, per[t.Unix()])
	}
	return most
}

// TestSendLogKeepsLateTurnsUnderTheLimit grants five seconds of turns, then
// sends each of them late by up to 400 ms, as a worker starved of CPU would:
// late turns bunch, and without the send log some second holds more calls
// than the limit. Through the send log no second, sliding or clock-aligned,
// does, and the calls are held no longer than the window needs.
func TestSendLogKeepsLateTurnsUnderTheLimit(t *testing.T) {
	for _, plan := range []Plan{PlanFree, PlanPro, PlanBusiness} {
		t.Run(string(plan), func(t *testing.T) {
			clock := newFakeClock()
			b := NewBudget(BudgetOptions{Plan: plan, Now: clock.Now})
			limit := int(b.Limit(CategoryLight))
			late := lateTurns(b, clock, 5*limit, rand.New(rand.NewPCG(1, uint64(limit))))
			if busiestSliding(late) <= limit {
				t.Fatalf("late turns fill at most %d calls a second: the scenario shows nothing", busiestSliding(late))
			}
			sent := sendThroughLog(b, clock, late)
			if got := []int{busiestSliding(sent), busiestClockSecond(sent)}; got[0] > limit || got[1] > limit {
				t.Errorf("busiest second (sliding, clock) = %v sends, want at most %d", got, limit)
			}
			if last, want := slices.MaxFunc(sent, time.Time.Compare), slices.MaxFunc(late, time.Time.Compare).Add(sendWindow); last.After(want) {
				t.Errorf("last send at %v, want no later than one window after the last turn (%v)", last.Sub(testNow), want.Sub(testNow))
			}
		})
	}
}

// TestSendLogCountsWholeCalls checks the send log's ceiling: the plan's
// limit in whole calls (Business scaled by 0.034 allows 2 a second, not
// 2.72), however far a 429 has cut the bucket's rate.
func TestSendLogCountsWholeCalls(t *testing.T) {
	for _, tc := range []struct {
		scale float64
		want  int
	}{{1, 80}, {0.034, 2}, {0.01, 1}} {
		clock := newFakeClock()
		b := NewBudget(BudgetOptions{Plan: PlanBusiness, Scale: tc.scale, Now: clock.Now})
		b.Throttled(CategoryLight, clock.Now())
		sent := 0
		for range 100 {
			if b.logSend(CategoryLight, clock.Now(), true) == 0 {
				sent++
			}
		}
		if sent != tc.want {
			t.Errorf("scale %v: %d of 100 simultaneous sends passed, want %d", tc.scale, sent, tc.want)
		}
		if got := b.Held(CategoryLight); got != int64(100-sent) {
			t.Errorf("scale %v: Held = %d, want %d", tc.scale, got, 100-sent)
		}
	}
}

// TestSendLogNeverHoldsCallsOnTheirTurns drives each plan's budget, at
// scales that leave whole limits, through cuts and recovery steps where the
// rate is no whole number (Free's 4 cut to 3.2, Pro's 30 to 24 and back by
// 7.5), sending every call at its turn: the send log must hold none.
func TestSendLogNeverHoldsCallsOnTheirTurns(t *testing.T) {
	for _, plan := range []Plan{PlanFree, PlanPro, PlanBusiness} {
		for _, scale := range []float64{1, 0.5, 0.1} {
			t.Run(fmt.Sprintf("%s×%v", plan, scale), func(t *testing.T) {
				clock := newFakeClock()
				b := NewBudget(BudgetOptions{Plan: plan, Scale: scale, Now: clock.Now})
				end := clock.Now().Add(40 * time.Second)
				for i := 0; clock.Now().Before(end); i++ {
					if i == 20 || i == 400 {
						b.Throttled(CategoryLight, clock.Now())
					}
					_, d := b.reserve(CategoryLight, clock.Now())
					clock.Advance(d)
					if hold := b.logSend(CategoryLight, clock.Now(), true); hold > 0 {
						t.Fatalf("call %d, sent on its turn at limit %.2f, held for %v", i, b.Limit(CategoryLight), hold)
					}
				}
			})
		}
	}
}

func TestSendHonoursContext(t *testing.T) {
	// The clock stands still, so the fifth send within its window waits
	// for the context however slow the machine.
	b := NewBudget(BudgetOptions{Plan: PlanFree, Now: newFakeClock().Now})
	for range 4 {
		if err := b.Send(context.Background(), CategoryLight); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := b.Send(ctx, CategoryLight); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("fifth send within a second of four on Free: %v, want the context's deadline", err)
	}
	if err := (*Budget)(nil).Send(context.Background(), CategoryLight); err != nil {
		t.Errorf("nil budget: %v", err)
	}
}

// lateTurns reserves n turns of the Light category at once and returns when
// each is used: at its turn plus up to 400 ms.
func lateTurns(b *Budget, clock *fakeClock, n int, rng *rand.Rand) []time.Time {
	at := make([]time.Time, 0, n)
	for range n {
		_, d := b.reserve(CategoryLight, clock.Now())
		at = append(at, clock.Now().Add(d+time.Duration(rng.Int64N(int64(400*time.Millisecond)))))
	}
	return at
}

// sendThroughLog passes calls that reach the send log at the times in
// arrive through it on the simulated clock, earliest first, and returns when
// each was sent.
func sendThroughLog(b *Budget, clock *fakeClock, arrive []time.Time) []time.Time {
	next := slices.Clone(arrive)
	first := make([]bool, len(next))
	sent := make([]time.Time, 0, len(next))
	for len(sent) < len(arrive) {
		i := 0
		for j := range next {
			if next[i].IsZero() || (!next[j].IsZero() && next[j].Before(next[i])) {
				i = j
			}
		}
		clock.Advance(next[i].Sub(clock.Now()))
		if hold := b.logSend(CategoryLight, clock.Now(), !first[i]); hold > 0 {
			first[i] = true
			next[i] = next[i].Add(hold)
			continue
		}
		sent = append(sent, next[i])
		next[i] = time.Time{}
	}
	return sent
}
