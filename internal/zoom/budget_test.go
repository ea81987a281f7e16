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
	"math"
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
		"Pro":               {plan: "Pro", light: 30, medium: 20, lightBurst: 3, mediumBurst: 2},
		"Business":          {plan: "Business", light: 80, medium: 60, lightBurst: 8, mediumBurst: 6},
		"any letter case":   {plan: "bUsInEsS", light: 80, medium: 60, lightBurst: 8, mediumBurst: 6},
		"empty means Pro":   {plan: "", light: 30, medium: 20, lightBurst: 3, mediumBurst: 2},
		"unknown means Pro": {plan: "Gold", light: 30, medium: 20, lightBurst: 3, mediumBurst: 2},
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
		"Scale shrinks the rates and the burst": {
			opts:  BudgetOptions{Plan: "Business", Scale: 0.5},
			light: 40, medium: 30, lightBurst: 4, mediumBurst: 3,
		},
		"Scale 0 means 1": {
			opts:  BudgetOptions{Plan: "Pro", Scale: 0},
			light: 30, medium: 20, lightBurst: 3, mediumBurst: 2,
		},
		"a tiny Scale keeps a burst of 1": {
			opts:  BudgetOptions{Plan: "Free", Scale: 0.1},
			light: 0.4, medium: 0.2, lightBurst: 1, mediumBurst: 1,
		},
		"explicit Burst": {
			opts:  BudgetOptions{Plan: "Pro", Burst: 5},
			light: 30, medium: 20, lightBurst: 5, mediumBurst: 5,
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

// tenPerSecond is a Pro budget scaled to 10 Light calls per second, burst 1.
func tenPerSecond(clock *fakeClock) *Budget {
	return NewBudget(BudgetOptions{Plan: "Pro", Scale: 1.0 / 3, Now: clock.Now})
}

func TestBudgetReserveConsumesTokens(t *testing.T) {
	clock := newFakeClock()
	b := tenPerSecond(clock)
	steps := []struct {
		advance time.Duration
		want    time.Duration
	}{
		{0, 0},
		{0, 100 * time.Millisecond},
		{0, 200 * time.Millisecond},
		{300 * time.Millisecond, 0},
		{50 * time.Millisecond, 50 * time.Millisecond},
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
	for i := range 3 {
		if err := b.Wait(context.Background(), CategoryLight); err != nil {
			t.Fatalf("Wait %d: %v", i, err)
		}
	}
	if got := b.Tokens(CategoryLight); !near(got, 0) {
		t.Errorf("Tokens = %v after spending the burst, want 0", got)
	}
	clock.Advance(time.Second / 30)
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
	steps := []struct {
		advance time.Duration
		want    float64
	}{
		{0, 15},
		{29 * time.Second, 15},
		{time.Second, 22.5},
		{14 * time.Second, 22.5},
		{time.Second, 30},
		{time.Hour, 30},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		if got := b.Limit(CategoryLight); !near(got, s.want) {
			t.Errorf("step %d: Limit = %v, want %v", i, got, s.want)
		}
	}
	if got := b.Limit(CategoryMedium); got != 20 {
		t.Errorf("Medium Limit = %v, want 20 (untouched)", got)
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
	// At 5/s the next token is 200ms away.
	if _, got := b.reserve(CategoryLight, clock.Now()); (got - 200*time.Millisecond).Abs() > time.Millisecond {
		t.Errorf("delay = %v, want 200ms", got)
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
