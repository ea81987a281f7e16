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
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestClassifyResponses runs every kind of Zoom failure response through a
// real client and checks the resulting APIError, its Kind and ResumeAt.
func TestClassifyResponses(t *testing.T) {
	midnight := time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		status     int
		header     map[string]string
		body       string
		wantErr    *APIError
		wantKind   Kind
		wantResume time.Time
	}{
		"404 code 1001": {
			status:   404,
			body:     `{"code":1001,"message":"User does not exist: a@b.c"}`,
			wantErr:  &APIError{StatusCode: 404, Code: 1001, Message: "User does not exist: a@b.c"},
			wantKind: KindNotFound,
		},
		"404 without a body": {
			status:   404,
			wantErr:  &APIError{StatusCode: 404, Message: "Not Found"},
			wantKind: KindNotFound,
		},
		"400 code 1120": {
			status:   400,
			body:     `{"code":1120,"message":"A valid invitation to join the Zoom account was not found for this user"}`,
			wantErr:  &APIError{StatusCode: 400, Code: 1120, Message: "A valid invitation to join the Zoom account was not found for this user"},
			wantKind: KindNotFound,
		},
		"409 code 1005": {
			status:   409,
			body:     `{"code":1005,"message":"User already in the account: a@b.c"}`,
			wantErr:  &APIError{StatusCode: 409, Code: 1005, Message: "User already in the account: a@b.c"},
			wantKind: KindAlreadyExists,
		},
		"409 without a code": {
			status:   409,
			body:     `{"message":"conflict"}`,
			wantErr:  &APIError{StatusCode: 409, Message: "conflict"},
			wantKind: KindAlreadyExists,
		},
		"400 code 1005": {
			status:   400,
			body:     `{"code":1005,"message":"Email a@b.c has already been used."}`,
			wantErr:  &APIError{StatusCode: 400, Code: 1005, Message: "Email a@b.c has already been used."},
			wantKind: KindAlreadyExists,
		},
		"429 QPS with headers and ISO Retry-After within 60s": {
			status: 429,
			header: map[string]string{"X-RateLimit-Type": "QPS", "X-RateLimit-Category": "Light", "Retry-After": "2026-03-10T15:04:15Z"},
			body:   `{"code":429,"message":"You have reached the maximum per-second rate limit for this API. Try again later."}`,
			wantErr: &APIError{StatusCode: 429, Code: 429, Message: "You have reached the maximum per-second rate limit for this API. Try again later.",
				RateLimitType: "QPS", RateLimitCategory: "Light", RetryAfter: testNow.Add(10 * time.Second)},
			wantKind:   KindRateLimitedQPS,
			wantResume: testNow.Add(10 * time.Second),
		},
		"429 QPS with Retry-After in seconds": {
			status:     429,
			header:     map[string]string{"X-RateLimit-Type": "QPS", "Retry-After": "5"},
			body:       `{"code":429,"message":"Too many requests"}`,
			wantErr:    &APIError{StatusCode: 429, Code: 429, Message: "Too many requests", RateLimitType: "QPS", RetryAfter: testNow.Add(5 * time.Second)},
			wantKind:   KindRateLimitedQPS,
			wantResume: testNow.Add(5 * time.Second),
		},
		"429 QPS with Retry-After beyond 60s": {
			status:     429,
			header:     map[string]string{"X-RateLimit-Type": "QPS", "Retry-After": "3600"},
			body:       `{"code":429,"message":"Too many requests"}`,
			wantErr:    &APIError{StatusCode: 429, Code: 429, Message: "Too many requests", RateLimitType: "QPS", RetryAfter: testNow.Add(time.Hour)},
			wantKind:   KindRateLimitedQPS,
			wantResume: testNow.Add(time.Second),
		},
		"429 QPS without headers": {
			status:     429,
			body:       `{"code":429,"message":"You have reached the maximum per-second rate limit for this API. Try again later."}`,
			wantErr:    &APIError{StatusCode: 429, Code: 429, Message: "You have reached the maximum per-second rate limit for this API. Try again later."},
			wantKind:   KindRateLimitedQPS,
			wantResume: testNow.Add(time.Second),
		},
		"429 QPS header wins over a message mentioning daily": {
			status:     429,
			header:     map[string]string{"X-RateLimit-Type": "QPS"},
			body:       `{"code":429,"message":"daily and per-second limits apply"}`,
			wantErr:    &APIError{StatusCode: 429, Code: 429, Message: "daily and per-second limits apply", RateLimitType: "QPS"},
			wantKind:   KindRateLimitedQPS,
			wantResume: testNow.Add(time.Second),
		},
		"429 daily via header with ISO Retry-After": {
			status: 429,
			header: map[string]string{"X-RateLimit-Type": "Daily-limit", "X-RateLimit-Category": "Medium", "Retry-After": "2026-03-11T00:00:00Z"},
			body:   `{"code":429,"message":"You have reached the maximum daily rate limit for this API."}`,
			wantErr: &APIError{StatusCode: 429, Code: 429, Message: "You have reached the maximum daily rate limit for this API.",
				RateLimitType: "Daily-limit", RateLimitCategory: "Medium", RetryAfter: midnight},
			wantKind:   KindRateLimitedDaily,
			wantResume: midnight,
		},
		"429 daily via header with HTTP-date Retry-After": {
			status:     429,
			header:     map[string]string{"X-RateLimit-Type": "Daily-limit", "Retry-After": "Wed, 11 Mar 2026 00:00:00 GMT"},
			body:       `{"code":429,"message":"Limit reached."}`,
			wantErr:    &APIError{StatusCode: 429, Code: 429, Message: "Limit reached.", RateLimitType: "Daily-limit", RetryAfter: midnight},
			wantKind:   KindRateLimitedDaily,
			wantResume: midnight,
		},
		"429 daily via header with garbage Retry-After": {
			status:     429,
			header:     map[string]string{"X-RateLimit-Type": "Daily-limit", "Retry-After": "tomorrow-ish"},
			body:       `{"code":429,"message":"Limit reached."}`,
			wantErr:    &APIError{StatusCode: 429, Code: 429, Message: "Limit reached.", RateLimitType: "Daily-limit"},
			wantKind:   KindRateLimitedDaily,
			wantResume: midnight,
		},
		"429 daily via message only": {
			status:     429,
			body:       `{"code":429,"message":"You have exceeded the daily rate limit (50) of user invite requests permitted for this account. You may resume these requests at GMT 00:00:00."}`,
			wantErr:    &APIError{StatusCode: 429, Code: 429, Message: "You have exceeded the daily rate limit (50) of user invite requests permitted for this account. You may resume these requests at GMT 00:00:00."},
			wantKind:   KindRateLimitedDaily,
			wantResume: midnight,
		},
		"401 code 4700 is not retried": {
			status:   401,
			body:     `{"code":4700,"message":"Invalid access token, does not contain scopes:[user:read:admin]."}`,
			wantErr:  &APIError{StatusCode: 401, Code: 4700, Message: "Invalid access token, does not contain scopes:[user:read:admin]."},
			wantKind: KindMissingScope,
		},
		"400 code 4711, as Zoom answers it": {
			status:   400,
			body:     `{"code":4711,"message":"Invalid access token, does not contain scopes:[user:read:user:admin, user:read:user]."}`,
			wantErr:  &APIError{StatusCode: 400, Code: 4711, Message: "Invalid access token, does not contain scopes:[user:read:user:admin, user:read:user]."},
			wantKind: KindMissingScope,
		},
		"403 code 4711": {
			status:   403,
			body:     `{"code":4711,"message":"Invalid access token, does not contain scopes."}`,
			wantErr:  &APIError{StatusCode: 403, Code: 4711, Message: "Invalid access token, does not contain scopes."},
			wantKind: KindMissingScope,
		},
		"403 without a code": {
			status:   403,
			body:     `{"message":"Access to the Zoom REST API has been denied for this account."}`,
			wantErr:  &APIError{StatusCode: 403, Message: "Access to the Zoom REST API has been denied for this account."},
			wantKind: KindUnauthorized,
		},
		"500": {
			status:   500,
			body:     `{"code":500,"message":"Internal error"}`,
			wantErr:  &APIError{StatusCode: 500, Code: 500, Message: "Internal error"},
			wantKind: KindRetryable,
		},
		"503 with an HTML body": {
			status:   503,
			body:     `<html>down for maintenance</html>`,
			wantErr:  &APIError{StatusCode: 503, Message: "Service Unavailable"},
			wantKind: KindRetryable,
		},
		"400 code 300 with field errors": {
			status: 400,
			body:   `{"code":300,"message":"Validation Failed.","errors":[{"field":"user_info.email","message":"Invalid field."}]}`,
			wantErr: &APIError{StatusCode: 400, Code: 300, Message: "Validation Failed.",
				Fields: []FieldError{{Field: "user_info.email", Message: "Invalid field."}}},
			wantKind: KindTerminal,
		},
		"400 code 200": {
			status:   400,
			body:     `{"code":200,"message":"You can add max 9 paid users."}`,
			wantErr:  &APIError{StatusCode: 400, Code: 200, Message: "You can add max 9 paid users."},
			wantKind: KindTerminal,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, reply(tc.status, tc.header, tc.body))
			_, err := env.client.GetUser(context.Background(), "a@b.c")
			tc.wantErr.Endpoint = "GET /users/{userId}"
			if diff := cmp.Diff(tc.wantErr, asAPIError(err)); diff != "" {
				t.Errorf("APIError (-want +got):\n%s", diff)
			}
			if got := Classify(err); got != tc.wantKind {
				t.Errorf("Classify = %v, want %v", got, tc.wantKind)
			}
			if diff := cmp.Diff(tc.wantResume, ResumeAt(err, testNow)); diff != "" {
				t.Errorf("ResumeAt (-want +got):\n%s", diff)
			}
		})
	}
}

// TestClassifyOtherErrors covers errors that are not plain API responses.
func TestClassifyOtherErrors(t *testing.T) {
	daily := &APIError{StatusCode: 429, RateLimitType: "Daily-limit", RetryAfter: testNow.Add(time.Hour)}
	tests := map[string]struct {
		err        func(t *testing.T) error
		wantKind   Kind
		wantResume time.Time
	}{
		"nil": {
			err:      func(*testing.T) error { return nil },
			wantKind: KindNone,
		},
		"network error": {
			err: func(t *testing.T) error {
				env := newTestEnv(t, reply(200, nil, `{}`), func(c *Config) { c.APIURL = closedURL(t) })
				_, err := env.client.GetUser(context.Background(), "u1")
				return err
			},
			wantKind: KindRetryable,
		},
		"malformed JSON on 200": {
			err: func(t *testing.T) error {
				env := newTestEnv(t, reply(200, nil, `{"id":`))
				_, err := env.client.GetUser(context.Background(), "u1")
				if !errors.Is(err, ErrMalformedResponse) {
					t.Errorf("err = %v, want ErrMalformedResponse", err)
				}
				return err
			},
			wantKind: KindRetryable,
		},
		"empty body on 201": {
			err: func(t *testing.T) error {
				env := newTestEnv(t, reply(201, nil, ``))
				_, err := env.client.CreateUser(context.Background(), CreateUserRequest{Action: "create"})
				if !errors.Is(err, ErrMalformedResponse) {
					t.Errorf("err = %v, want ErrMalformedResponse", err)
				}
				return err
			},
			wantKind: KindRetryable,
		},
		"body cut short": {
			err: func(t *testing.T) error {
				env := newTestEnv(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Length", "100")
					_, _ = io.WriteString(w, `{"id":"u1"`)
				})
				_, err := env.client.GetUser(context.Background(), "u1")
				return err
			},
			wantKind: KindRetryable,
		},
		"invalid API URL": {
			err: func(t *testing.T) error {
				env := newTestEnv(t, reply(200, nil, `{}`), func(c *Config) { c.APIURL = "http://bad host" })
				_, err := env.client.GetUser(context.Background(), "u1")
				return err
			},
			wantKind: KindRetryable,
		},
		"wrapped daily rate limit": {
			err:        func(*testing.T) error { return fmt.Errorf("reconcile: %w", fmt.Errorf("create: %w", daily)) },
			wantKind:   KindRateLimitedDaily,
			wantResume: testNow.Add(time.Hour),
		},
		"wrapped not found": {
			err:      func(*testing.T) error { return fmt.Errorf("get: %w", &APIError{StatusCode: 404, Code: 1001}) },
			wantKind: KindNotFound,
		},
		"wrapped empty id": {
			err:      func(*testing.T) error { return fmt.Errorf("get: %w", ErrEmptyID) },
			wantKind: KindTerminal,
		},
		"context canceled": {
			err: func(t *testing.T) error {
				env := newTestEnv(t, reply(200, nil, `{}`))
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				_, err := env.client.GetUser(ctx, "u1")
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want context.Canceled", err)
				}
				return err
			},
			wantKind: KindRetryable,
		},
		"plain error": {
			err:      func(*testing.T) error { return errors.New("boom") },
			wantKind: KindRetryable,
		},
		"unexpected 3xx": {
			err:      func(*testing.T) error { return &APIError{StatusCode: 304} },
			wantKind: KindRetryable,
		},
		"token endpoint 401": {
			err:      func(*testing.T) error { return &APIError{StatusCode: 401, Token: true} },
			wantKind: KindUnauthorized,
		},
		"token endpoint 404 is not a missing user": {
			err:      func(*testing.T) error { return &APIError{StatusCode: 404, Token: true} },
			wantKind: KindUnauthorized,
		},
		"token endpoint 502": {
			err:      func(*testing.T) error { return &APIError{StatusCode: 502, Token: true} },
			wantKind: KindRetryable,
		},
		"token endpoint 429": {
			err:        func(*testing.T) error { return &APIError{StatusCode: 429, Token: true} },
			wantKind:   KindRateLimitedQPS,
			wantResume: testNow.Add(time.Second),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.err(t)
			if got := Classify(err); got != tc.wantKind {
				t.Errorf("Classify(%v) = %v, want %v", err, got, tc.wantKind)
			}
			if diff := cmp.Diff(tc.wantResume, ResumeAt(err, testNow)); diff != "" {
				t.Errorf("ResumeAt (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResumeAt(t *testing.T) {
	now := time.Date(2026, 3, 10, 23, 59, 30, 0, time.FixedZone("CET", 3600))
	nextUTCMidnight := time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)
	qps := func(ra time.Time) error { return &APIError{StatusCode: 429, RateLimitType: "QPS", RetryAfter: ra} }
	daily := func(ra time.Time) error {
		return &APIError{StatusCode: 429, RateLimitType: "Daily-limit", RetryAfter: ra}
	}
	tests := map[string]struct {
		err  error
		now  time.Time
		want time.Time
	}{
		"QPS Retry-After within 60s":            {err: qps(now.Add(30 * time.Second)), now: now, want: now.Add(30 * time.Second)},
		"QPS Retry-After exactly 60s":           {err: qps(now.Add(60 * time.Second)), now: now, want: now.Add(60 * time.Second)},
		"QPS Retry-After beyond 60s":            {err: qps(now.Add(61 * time.Second)), now: now, want: now.Add(time.Second)},
		"QPS Retry-After in the past":           {err: qps(now.Add(-time.Second)), now: now, want: now.Add(time.Second)},
		"QPS Retry-After equal to now":          {err: qps(now), now: now, want: now.Add(time.Second)},
		"QPS without Retry-After":               {err: qps(time.Time{}), now: now, want: now.Add(time.Second)},
		"daily Retry-After before the reset":    {err: daily(nextUTCMidnight.Add(-time.Minute)), now: now, want: nextUTCMidnight.Add(-time.Minute)},
		"daily Retry-After within the margin":   {err: daily(nextUTCMidnight.Add(30 * time.Minute)), now: now, want: nextUTCMidnight.Add(30 * time.Minute)},
		"daily Retry-After days away is capped": {err: daily(now.Add(48 * time.Hour)), now: now, want: nextUTCMidnight},
		"daily Retry-After in the past":         {err: daily(now.Add(-time.Minute)), now: now, want: nextUTCMidnight},
		"daily without Retry-After":             {err: daily(time.Time{}), now: now, want: nextUTCMidnight},
		"daily in another zone uses UTC":        {err: daily(time.Time{}), now: time.Date(2026, 3, 11, 0, 30, 0, 0, time.FixedZone("CET", 3600)), want: nextUTCMidnight},
		"daily exactly at midnight waits a day": {err: daily(time.Time{}), now: nextUTCMidnight, want: nextUTCMidnight.Add(24 * time.Hour)},
		"daily at the end of a year":            {err: daily(time.Time{}), now: time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC), want: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		"not rate limited":                      {err: &APIError{StatusCode: 500, RetryAfter: now.Add(time.Second)}, now: now},
		"nil":                                   {err: nil, now: now},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ResumeAt(tc.err, tc.now)); diff != "" {
				t.Errorf("ResumeAt (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	reset := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	type result struct {
		T  time.Time
		OK bool
	}
	tests := map[string]struct {
		in   string
		want result
	}{
		"ISO-8601 with Z":                   {in: "2026-11-29T00:00:00Z", want: result{reset, true}},
		"ISO-8601 with fractional seconds":  {in: "2026-11-29T00:00:00.250Z", want: result{reset.Add(250 * time.Millisecond), true}},
		"ISO-8601 with an offset":           {in: "2026-11-29T02:00:00+02:00", want: result{reset, true}},
		"ISO-8601 with a basic offset":      {in: "2026-11-29T02:00:00+0200", want: result{reset, true}},
		"ISO-8601 without a zone":           {in: "2026-11-29T00:00:00", want: result{reset, true}},
		"ISO-8601 without a zone, fraction": {in: "2026-11-29T00:00:00.5", want: result{reset.Add(500 * time.Millisecond), true}},
		"HTTP-date":                         {in: "Sun, 29 Nov 2026 00:00:00 GMT", want: result{reset, true}},
		"RFC 850 date":                      {in: "Sunday, 29-Nov-26 00:00:00 GMT", want: result{reset, true}},
		"seconds":                           {in: "120", want: result{now.Add(2 * time.Minute), true}},
		"zero seconds":                      {in: "0", want: result{now, true}},
		"seconds with spaces":               {in: " 30 ", want: result{now.Add(30 * time.Second), true}},
		"negative seconds":                  {in: "-5", want: result{}},
		"seconds overflowing a duration":    {in: "9223372037", want: result{}},
		"seconds overflowing an int":        {in: "99999999999999999999", want: result{}},
		"garbage":                           {in: "soon", want: result{}},
		"empty":                             {in: "", want: result{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := ParseRetryAfter(tc.in, now)
			if diff := cmp.Diff(tc.want, result{got, ok}); diff != "" {
				t.Errorf("ParseRetryAfter(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	got := map[Kind]string{}
	for k := KindNone; k <= KindMissingScope+1; k++ {
		got[k] = k.String()
	}
	want := map[Kind]string{
		KindNone:             "None",
		KindNotFound:         "NotFound",
		KindAlreadyExists:    "AlreadyExists",
		KindRateLimitedQPS:   "RateLimitedQPS",
		KindRateLimitedDaily: "RateLimitedDaily",
		KindUnauthorized:     "Unauthorized",
		KindRetryable:        "Retryable",
		KindTerminal:         "Terminal",
		KindMissingScope:     "MissingScope",
		KindMissingScope + 1: "Kind(9)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("String (-want +got):\n%s", diff)
	}
}

func TestAPIErrorString(t *testing.T) {
	tests := map[string]struct {
		err  *APIError
		want string
	}{
		"code and message": {
			err:  &APIError{StatusCode: 409, Code: 1005, Message: "User already in the account: a@b.c"},
			want: "zoom: HTTP 409 code 1005: User already in the account: a@b.c",
		},
		"no code": {
			err:  &APIError{StatusCode: 502, Message: "Bad Gateway"},
			want: "zoom: HTTP 502: Bad Gateway",
		},
		"status only": {
			err:  &APIError{StatusCode: 500},
			want: "zoom: HTTP 500",
		},
		"field errors": {
			err: &APIError{StatusCode: 400, Code: 300, Message: "Validation Failed.", Fields: []FieldError{
				{Field: "user_info.email", Message: "Invalid field."}, {Field: "user_info.type", Message: "Invalid type."},
			}},
			want: "zoom: HTTP 400 code 300: Validation Failed.; user_info.email: Invalid field.; user_info.type: Invalid type.",
		},
		"token endpoint": {
			err:  &APIError{StatusCode: 401, Message: "Invalid client_id or client_secret", Token: true},
			want: "zoom: token endpoint HTTP 401: Invalid client_id or client_secret",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.err.Error()); diff != "" {
				t.Errorf("Error (-want +got):\n%s", diff)
			}
		})
	}
}
