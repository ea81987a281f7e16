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
	"strconv"
	"time"
)

const (
	categoryLight  = "Light"
	categoryMedium = "Medium"

	msgQPSLimited = "You have reached the maximum per-second rate limit for this API. Try again later."
)

// Window selects how per-second limits are counted.
type Window string

// The per-second windows the fake can count in.
const (
	// WindowClock counts calls within each whole clock second.
	WindowClock Window = "clock"
	// WindowSliding counts calls within the second before each call.
	WindowSliding Window = "sliding"
)

// ParseWindow maps "clock" or "sliding" (or "" for clock) to a Window.
func ParseWindow(s string) (Window, error) {
	switch w := Window(s); w {
	case "", WindowClock:
		return WindowClock, nil
	case WindowSliding:
		return WindowSliding, nil
	default:
		return "", fmt.Errorf("unknown rate-limit window %q: want clock or sliding", s)
	}
}

// secondWindow counts requests of one category within one second: a clock
// second, or for a sliding window the second before now, whose admitted
// calls are kept in admitted, oldest first.
type secondWindow struct {
	sliding  bool
	second   int64
	used     int
	admitted []time.Time
}

// dayWindow counts create invitations within one UTC day.
type dayWindow struct {
	day  time.Time
	used int
}

// rejection is a 429 about to be sent.
type rejection struct {
	headers map[string]string
	message string
}

func (rj *rejection) write(w http.ResponseWriter) {
	for k, v := range rj.headers {
		w.Header().Set(k, v)
	}
	writeError(w, http.StatusTooManyRequests, codeRateLimited, rj.message)
}

// admit applies the per-second limit of the endpoint's category and, for
// invitations, the daily create cap. A rejected request consumes nothing.
func (s *Server) admit(w http.ResponseWriter, c *call) bool {
	s.mu.Lock()
	rj := s.consumeQuota(w.Header(), c)
	s.mu.Unlock()
	if rj == nil {
		return true
	}
	rj.write(w)
	return false
}

func (s *Server) consumeQuota(h http.Header, c *call) *rejection {
	now := s.now()
	category := rateCategory(c.endpoint)
	limit := s.qpsLimit(category)
	if limit > 0 {
		win := s.secondWindow(category, now)
		if win.used >= limit {
			return s.qpsRejection(category, limit, win.reopens(now))
		}
		win.admit(now)
		setQuotaHeaders(h, category, limit, limit-win.used)
	}

	dailyCap := s.opts.CreateDailyLimit
	if c.endpoint != EndpointCreateUser || c.create.Action != actionCreate || dailyCap <= 0 {
		return nil
	}
	day := s.dayWindow(now)
	if day.used >= dailyCap {
		return dailyRejection(dailyCap, now)
	}
	day.used++
	if limit <= 0 {
		setQuotaHeaders(h, categoryLight, dailyCap, dailyCap-day.used)
	}
	return nil
}

func setQuotaHeaders(h http.Header, category string, limit, remaining int) {
	h.Set("X-RateLimit-Category", category)
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
}

func (s *Server) qpsLimit(category string) int {
	if category == categoryMedium {
		return s.opts.MediumPerSecond
	}
	return s.opts.LightPerSecond
}

// secondWindow returns the category's counter, restarted when the clock has
// moved to another whole second.
func (s *Server) secondWindow(category string, now time.Time) *secondWindow {
	win := s.qps[category]
	if win == nil {
		win = &secondWindow{}
		s.qps[category] = win
	}
	if s.opts.Window == WindowSliding {
		win.sliding = true
		win.slide(now)
		return win
	}
	if sec := now.Unix(); win.second != sec {
		*win = secondWindow{second: sec}
	}
	return win
}

// slide forgets the calls admitted a second or more before now.
func (win *secondWindow) slide(now time.Time) {
	cut := now.Add(-time.Second)
	n := 0
	for n < len(win.admitted) && !win.admitted[n].After(cut) {
		n++
	}
	win.admitted = win.admitted[n:]
	win.used = len(win.admitted)
}

// admit counts a call made at now.
func (win *secondWindow) admit(now time.Time) {
	win.used++
	if win.sliding {
		win.admitted = append(win.admitted, now)
	}
}

// reopens returns when a full window next admits a call: the next clock
// second, or when the oldest call of a sliding window leaves it.
func (win *secondWindow) reopens(now time.Time) time.Time {
	if win.sliding && len(win.admitted) > 0 {
		return win.admitted[0].Add(time.Second)
	}
	return time.Unix(now.Unix()+1, 0)
}

// dayWindow returns the create counter, restarted at 00:00 UTC.
func (s *Server) dayWindow(now time.Time) *dayWindow {
	if day := startOfUTCDay(now); !s.daily.day.Equal(day) {
		s.daily = dayWindow{day: day}
	}
	return &s.daily
}

func startOfUTCDay(t time.Time) time.Time {
	return t.UTC().Truncate(24 * time.Hour)
}

func (s *Server) qpsRejection(category string, limit int, reopens time.Time) *rejection {
	// Zoom's Retry-After has whole seconds: round up, never early.
	retryAfter := reopens.Add(time.Second - time.Nanosecond).Truncate(time.Second).UTC().Format(time.RFC3339)
	if s.opts.RetryAfterSeconds {
		retryAfter = "1"
	}
	return &rejection{
		message: msgQPSLimited,
		headers: map[string]string{
			"X-RateLimit-Category":  category,
			"X-RateLimit-Type":      "QPS",
			"X-RateLimit-Limit":     strconv.Itoa(limit),
			"X-RateLimit-Remaining": "0",
			"Retry-After":           retryAfter,
		},
	}
}

func dailyRejection(dailyCap int, now time.Time) *rejection {
	reset := startOfUTCDay(now).Add(24 * time.Hour)
	return &rejection{
		message: fmt.Sprintf("You have exceeded the daily rate limit (%d) of user invite requests "+
			"permitted for this account. You may resume these requests at GMT 00:00:00.", dailyCap),
		headers: map[string]string{
			"X-RateLimit-Category":  categoryLight,
			"X-RateLimit-Type":      "Daily-limit",
			"X-RateLimit-Limit":     strconv.Itoa(dailyCap),
			"X-RateLimit-Remaining": "0",
			"Retry-After":           reset.Format(time.RFC3339),
		},
	}
}

// SetLimits changes the per-second and daily limits; 0 means unlimited.
// Counts already made in the current second or day are kept.
func (s *Server) SetLimits(lightPerSecond, mediumPerSecond, createDaily int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.LightPerSecond = lightPerSecond
	s.opts.MediumPerSecond = mediumPerSecond
	s.opts.CreateDailyLimit = createDaily
}

// SetMaxLicensed changes how many type-2 users the account may hold;
// 0 means unlimited.
func (s *Server) SetMaxLicensed(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.MaxLicensed = n
}
