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
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// arrivals records when the API server received each request.
type arrivals struct {
	mu    sync.Mutex
	times []time.Time
}

func (a *arrivals) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.times = append(a.times, time.Now())
	a.mu.Unlock()
	reply(http.StatusOK, nil, `{"id":"u1","email":"a@b.c","type":1}`)(w, r)
}

func TestBudgetPacesClient(t *testing.T) {
	const calls, workers = 20, 5
	srv := &arrivals{}
	// Pro's 30 Light calls per second scaled to a limit of 10, paced at 9.5.
	budget := NewBudget(BudgetOptions{Plan: "Pro", Scale: 1.0 / 3})
	env := newTestEnv(t, srv.ServeHTTP, func(c *Config) { c.Budget = budget })
	var next atomic.Int32
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= calls {
				if _, err := env.client.GetUser(context.Background(), "u1"); err != nil {
					t.Errorf("GetUser: %v", err)
				}
			}
		})
	}
	wg.Wait()
	if len(srv.times) != calls {
		t.Fatalf("server saw %d calls, want %d", len(srv.times), calls)
	}
	// That no one-second window, clock or sliding, exceeds the limit is
	// proven on the budget's own clock (TestBudgetNoSecondOverLimit): here,
	// wall-clock arrivals on a loaded machine bunch up when a paced
	// goroutine wakes late, which says nothing about the pacing. This test
	// proves that the client's calls wait for the budget: after the first
	// call, 19 calls at 9.5/s take 2s, where unpaced they take milliseconds.
	if span := srv.times[calls-1].Sub(srv.times[0]); span < 1800*time.Millisecond {
		t.Errorf("calls spread over %v, want about 2s", span)
	}
}

func TestClientSpendsBudgetPerCategory(t *testing.T) {
	clock := newFakeClock()
	budget := NewBudget(BudgetOptions{Plan: "Pro", Now: clock.Now})
	env := newTestEnv(t, reply(http.StatusOK, nil, `{"users":[]}`), func(c *Config) { c.Budget = budget })
	ctx := context.Background()
	if _, err := env.client.GetUser(ctx, "u1"); err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if _, err := env.client.ListUsers(ctx, "", 0, ""); err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if err := env.client.UpdateUser(ctx, "u1", UpdateUserRequest{}); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	// Each category starts with one token; the token fetch is free. The
	// fake clock stands still, so the second Light call's token is owed.
	checkBudget(t, budget, CategoryLight, 30, -1)
	checkBudget(t, budget, CategoryMedium, 20, 0)
}

// A turn further off than MaxWait is handed back at once as a *WaitError:
// a worker is not held by one account's budget.
func TestClientReturnsAWaitInsteadOfBlocking(t *testing.T) {
	rec := &recorder{status: http.StatusOK, body: `{}`}
	b, _ := drained(t)
	env := newTestEnv(t, rec.ServeHTTP, func(c *Config) { c.Budget = b })
	start := time.Now()
	_, err := env.client.GetUser(context.Background(), "u1")
	delay, ok := WaitFor(err)
	if !ok || delay <= defaultMaxWait || time.Since(start) > time.Second {
		t.Errorf("GetUser = %v after %v, want a *WaitError at once with a delay past %v", err, time.Since(start), defaultMaxWait)
	}
	if len(rec.seen) != 0 || env.tokens.fetches() != 0 {
		t.Errorf("sent %d API and %d token requests, want none", len(rec.seen), env.tokens.fetches())
	}
}

func TestClientStopsWhenBudgetWaitFails(t *testing.T) {
	rec := &recorder{status: http.StatusOK, body: `{}`}
	b, _ := drained(t)
	env := newTestEnv(t, rec.ServeHTTP, func(c *Config) { c.Budget, c.MaxWait = b, time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := env.client.GetUser(ctx, "u1")
	if !errors.Is(err, context.DeadlineExceeded) || Classify(err) != KindRetryable {
		t.Errorf("GetUser = %v (%v), want a retryable deadline error", err, Classify(err))
	}
	if len(rec.seen) != 0 || env.tokens.fetches() != 0 {
		t.Errorf("sent %d API and %d token requests, want none", len(rec.seen), env.tokens.fetches())
	}
}

func TestClientThrottlesBudgetOnQPS429(t *testing.T) {
	qps := `{"code":429,"message":"You have reached the maximum per-second rate limit for this API. Try again later."}`
	daily := `{"code":429,"message":"You have reached the maximum daily rate limit for this API."}`
	tests := map[string]struct {
		header        map[string]string
		body          string
		list          bool
		light, medium float64
	}{
		"QPS on a Light call":   {header: map[string]string{"X-RateLimit-Type": "QPS"}, body: qps, light: 24, medium: 20},
		"QPS on a Medium call":  {header: map[string]string{"X-RateLimit-Type": "QPS"}, body: qps, list: true, light: 30, medium: 16},
		"QPS without headers":   {body: qps, light: 24, medium: 20},
		"daily leaves the rate": {header: map[string]string{"X-RateLimit-Type": "Daily-limit"}, body: daily, light: 30, medium: 20},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			budget := NewBudget(BudgetOptions{Plan: "Pro", Now: newFakeClock().Now})
			env := newTestEnv(t, reply(http.StatusTooManyRequests, tc.header, tc.body), func(c *Config) { c.Budget = budget })
			var err error
			if tc.list {
				_, err = env.client.ListUsers(context.Background(), "", 0, "")
			} else {
				_, err = env.client.GetUser(context.Background(), "u1")
			}
			if k := Classify(err); k != KindRateLimitedQPS && k != KindRateLimitedDaily {
				t.Fatalf("Classify(%v) = %v, want rate limited", err, k)
			}
			if got := budget.Limit(CategoryLight); !near(got, tc.light) {
				t.Errorf("Light Limit = %v, want %v", got, tc.light)
			}
			if got := budget.Limit(CategoryMedium); !near(got, tc.medium) {
				t.Errorf("Medium Limit = %v, want %v", got, tc.medium)
			}
		})
	}
}

// TestClientSendsThroughTheSendLog stops the budget's clock, so that the
// bucket still grants turns (its waits are timers) but the send log sees
// every send at one instant: of Free's 4 + 1 calls, 4 reach Zoom and the
// fifth is held until its context ends.
func TestClientSendsThroughTheSendLog(t *testing.T) {
	srv := &arrivals{}
	clock := newFakeClock()
	budget := NewBudget(BudgetOptions{Plan: PlanFree, Now: clock.Now})
	env := newTestEnv(t, srv.ServeHTTP, func(c *Config) { c.Budget = budget })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var held atomic.Int32
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := env.client.GetUser(ctx, "u1"); errors.Is(err, context.DeadlineExceeded) {
				held.Add(1)
			} else if err != nil {
				t.Errorf("GetUser: %v", err)
			}
		})
	}
	wg.Wait()
	if len(srv.times) != 4 || held.Load() != 1 {
		t.Errorf("Zoom saw %d calls and %d was held to its deadline, want 4 and 1", len(srv.times), held.Load())
	}
	if got := budget.Held(CategoryLight); got != 1 {
		t.Errorf("Held = %d, want 1", got)
	}
}
