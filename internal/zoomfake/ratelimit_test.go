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

package zoomfake

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestQPSLimit(t *testing.T) {
	tests := map[string]struct {
		opts           Options
		method, path   string
		wantCategory   string
		wantLimit      string
		wantRetryAfter string
	}{
		"light, ISO-8601 Retry-After": {
			opts:   Options{LightPerSecond: 2},
			method: http.MethodGet, path: "/users/email?email=a@example.com",
			wantCategory: "Light", wantLimit: "2", wantRetryAfter: "2026-11-28T23:59:59Z",
		},
		"medium, ISO-8601 Retry-After": {
			opts:   Options{MediumPerSecond: 1},
			method: http.MethodGet, path: "/users",
			wantCategory: "Medium", wantLimit: "1", wantRetryAfter: "2026-11-28T23:59:59Z",
		},
		"light, Retry-After in seconds": {
			opts:   Options{LightPerSecond: 1, RetryAfterSeconds: true},
			method: http.MethodDelete, path: "/users/ghost@example.com",
			wantCategory: "Light", wantLimit: "1", wantRetryAfter: "1",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, tc.opts)
			limit := max(tc.opts.LightPerSecond, tc.opts.MediumPerSecond)
			for i := range limit {
				res := h.call(tc.method, tc.path, nil)
				if res.status == http.StatusTooManyRequests {
					t.Fatalf("request %d of %d was limited", i+1, limit)
				}
				if got, want := res.header.Get("X-RateLimit-Remaining"), fmt.Sprint(limit-i-1); got != want {
					t.Errorf("request %d: X-RateLimit-Remaining = %q, want %q", i+1, got, want)
				}
			}

			h.clock.Advance(500 * time.Millisecond) // same clock second
			res := h.call(tc.method, tc.path, nil)
			wantError(t, res, http.StatusTooManyRequests, codeRateLimited, msgQPSLimited)
			wantHeaders(t, res, map[string]string{
				"X-RateLimit-Category":  tc.wantCategory,
				"X-RateLimit-Type":      "QPS",
				"X-RateLimit-Limit":     tc.wantLimit,
				"X-RateLimit-Remaining": "0",
				"Retry-After":           tc.wantRetryAfter,
			})

			h.clock.Advance(500 * time.Millisecond) // next clock second
			if res := h.call(tc.method, tc.path, nil); res.status == http.StatusTooManyRequests {
				t.Errorf("still limited in the next second")
			}
		})
	}
}

func wantHeaders(t *testing.T, res result, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := res.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestQPSCategoriesAreSeparate(t *testing.T) {
	h := newHarness(t, Options{LightPerSecond: 1, MediumPerSecond: 1})
	wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusOK)
	wantStatus(t, h.call(http.MethodGet, "/users/email?email=a@example.com", nil), http.StatusOK)
	wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusTooManyRequests)
	wantStatus(t, h.call(http.MethodGet, "/users/email?email=a@example.com", nil), http.StatusTooManyRequests)
}

func TestQPSCountsFailedValidation(t *testing.T) {
	h := newHarness(t, Options{LightPerSecond: 1})
	wantStatus(t, h.create("bogus-action", "a@example.com", 1), http.StatusBadRequest)
	wantStatus(t, h.create("create", "a@example.com", 1), http.StatusTooManyRequests)
	if _, ok := h.fake.User("a@example.com"); ok {
		t.Error("a rate-limited create stored the user")
	}
}

func TestSetLimits(t *testing.T) {
	h := newHarness(t, Options{})
	wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusOK)
	h.fake.SetLimits(0, 1, 0)
	wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusOK)
	wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusTooManyRequests)
	h.fake.SetLimits(0, 0, 0)
	wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusOK)
}

func TestDailyCreateLimit(t *testing.T) {
	h := newHarness(t, Options{CreateDailyLimit: 2})
	wantStatus(t, h.create("create", "a@example.com", 1), http.StatusCreated)
	res := h.create("create", "b@example.com", 1)
	wantStatus(t, res, http.StatusCreated)
	wantHeaders(t, res, map[string]string{"X-RateLimit-Limit": "2", "X-RateLimit-Remaining": "0"})

	res = h.create("create", "c@example.com", 1)
	wantError(t, res, http.StatusTooManyRequests, codeRateLimited,
		"You have exceeded the daily rate limit (2) of user invite requests permitted for this account. "+
			"You may resume these requests at GMT 00:00:00.")
	wantHeaders(t, res, map[string]string{
		"X-RateLimit-Type":     "Daily-limit",
		"X-RateLimit-Category": "Light",
		"Retry-After":          "2026-11-29T00:00:00Z",
	})
	if _, ok := h.fake.User("c@example.com"); ok {
		t.Error("a create over the daily cap stored the user")
	}

	// The cap is for invitations only.
	wantStatus(t, h.create("custCreate", "d@example.com", 1), http.StatusCreated)

	h.clock.Set(time.Date(2026, 11, 28, 23, 59, 59, 999_000_000, time.UTC))
	wantStatus(t, h.create("create", "c@example.com", 1), http.StatusTooManyRequests)
	h.clock.Set(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC))
	wantStatus(t, h.create("create", "c@example.com", 1), http.StatusCreated)
}

func TestQPSRejectionDoesNotConsumeDailyQuota(t *testing.T) {
	h := newHarness(t, Options{LightPerSecond: 1, CreateDailyLimit: 1})
	h.clock.Set(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)) // far from the daily reset
	h.token = h.fetchToken()
	wantStatus(t, h.call(http.MethodGet, "/users/email?email=x@example.com", nil), http.StatusOK)
	wantStatus(t, h.create("create", "a@example.com", 1), http.StatusTooManyRequests)

	h.clock.Advance(time.Second)
	res := h.create("create", "a@example.com", 1)
	wantStatus(t, res, http.StatusCreated)
	wantHeaders(t, res, map[string]string{"X-RateLimit-Category": "Light", "X-RateLimit-Limit": "1", "X-RateLimit-Remaining": "0"})

	h.clock.Advance(time.Second)
	res = h.create("create", "b@example.com", 1)
	wantHeaders(t, res, map[string]string{"X-RateLimit-Type": "Daily-limit"})
}

func TestQPSWindow(t *testing.T) {
	// Two Light calls a second; the harness clock starts at 23:59:58.250.
	steps := []struct {
		offset       time.Duration
		clock, slide int
	}{
		{500 * time.Millisecond, http.StatusOK, http.StatusOK},                            // 58.750
		{700 * time.Millisecond, http.StatusOK, http.StatusOK},                            // 58.950
		{800 * time.Millisecond, http.StatusOK, http.StatusTooManyRequests},               // 59.050: a new clock second, but 2 calls in the last second
		{900 * time.Millisecond, http.StatusOK, http.StatusTooManyRequests},               // 59.150
		{1000 * time.Millisecond, http.StatusTooManyRequests, http.StatusTooManyRequests}, // 59.250
		{1550 * time.Millisecond, http.StatusTooManyRequests, http.StatusOK},              // 59.800: the call at 58.750 has left the sliding second
	}
	tests := map[string]struct {
		window         Window
		want           func(clock, slide int) int
		wantRetryAfter string
	}{
		"clock":   {WindowClock, func(c, _ int) int { return c }, "2026-11-29T00:00:00Z"},
		"default": {"", func(c, _ int) int { return c }, "2026-11-29T00:00:00Z"},
		// The first refusal comes at 59.050; the window reopens at 59.750,
		// rounded up to a whole second.
		"sliding": {WindowSliding, func(_, s int) int { return s }, "2026-11-29T00:00:00Z"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Options{LightPerSecond: 2, Window: tc.window})
			var got, want []int
			retryAfter := ""
			start := h.clock.Now()
			for _, st := range steps {
				h.clock.Set(start.Add(st.offset))
				res := h.call(http.MethodGet, "/users/email?email=a@example.com", nil)
				got = append(got, res.status)
				want = append(want, tc.want(st.clock, st.slide))
				if res.status == http.StatusTooManyRequests && retryAfter == "" {
					retryAfter = res.header.Get("Retry-After")
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
			if retryAfter != tc.wantRetryAfter {
				t.Errorf("first Retry-After = %q, want %q", retryAfter, tc.wantRetryAfter)
			}
		})
	}
}

func TestParseWindow(t *testing.T) {
	for in, want := range map[string]Window{"": WindowClock, "clock": WindowClock, "sliding": WindowSliding} {
		if got, err := ParseWindow(in); err != nil || got != want {
			t.Errorf("ParseWindow(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseWindow("hourly"); err == nil {
		t.Error("ParseWindow(\"hourly\") accepted an unknown window")
	}
}

// A full sliding window reopens when its oldest call leaves it, which may be
// after the next clock second: Retry-After says so, rounded up.
func TestQPSWindowRetryAfter(t *testing.T) {
	for window, want := range map[Window]string{
		WindowClock:   "2026-11-29T00:00:00Z", // the next clock second
		WindowSliding: "2026-11-29T00:00:01Z", // 23:59:59.300 + 1s, rounded up
	} {
		t.Run(string(window), func(t *testing.T) {
			h := newHarness(t, Options{LightPerSecond: 2, Window: window})
			start := h.clock.Now() // 23:59:58.250
			var res result
			for _, offset := range []time.Duration{1050, 1150, 1250} { // 59.300, 59.400, 59.500
				h.clock.Set(start.Add(offset * time.Millisecond))
				res = h.call(http.MethodGet, "/users/email?email=a@example.com", nil)
			}
			wantStatus(t, res, http.StatusTooManyRequests)
			wantHeaders(t, res, map[string]string{"Retry-After": want})
		})
	}
}
