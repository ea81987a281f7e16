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
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTokenRequest(t *testing.T) {
	env := newTestEnv(t, reply(200, nil, `{}`))
	if err := env.client.Authenticate(context.Background()); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	want := []tokenRequest{{
		Method:      "POST",
		ContentType: "application/x-www-form-urlencoded",
		User:        testClientID,
		Pass:        testSecret,
		HasBasic:    true,
		GrantType:   "account_credentials",
		AccountID:   testAccountID,
	}}
	if diff := cmp.Diff(want, env.tokens.requests); diff != "" {
		t.Errorf("token requests (-want +got):\n%s", diff)
	}
}

// authLog records the Authorization header of every API request.
type authLog struct {
	mu    sync.Mutex
	auths []string
}

func (a *authLog) wrap(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.auths = append(a.auths, r.Header.Get("Authorization"))
		a.mu.Unlock()
		next(w, r)
	}
}

func bearer(n ...int) []string {
	var out []string
	for _, i := range n {
		out = append(out, "Bearer "+tokenPrefix+string(rune('0'+i)))
	}
	return out
}

func TestTokenCachingAndRenewal(t *testing.T) {
	tests := map[string]struct {
		expiresIn   int
		calls       int
		wantFetches int
		wantAuths   []string
	}{
		"one hour token serves many calls":  {expiresIn: 3600, calls: 5, wantFetches: 1, wantAuths: bearer(1, 1, 1, 1, 1)},
		"61s left is still enough":          {expiresIn: 61, calls: 3, wantFetches: 1, wantAuths: bearer(1, 1, 1)},
		"59s left is renewed":               {expiresIn: 59, calls: 3, wantFetches: 3, wantAuths: bearer(1, 2, 3)},
		"short token is renewed every call": {expiresIn: 30, calls: 3, wantFetches: 3, wantAuths: bearer(1, 2, 3)},
		"token without expiry is kept":      {expiresIn: 0, calls: 3, wantFetches: 1, wantAuths: bearer(1, 1, 1)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			log := &authLog{}
			env := newTestEnv(t, log.wrap(reply(200, nil, `{"id":"u1","email":"a@b.c","type":1}`)))
			env.tokens.expiresIn = tc.expiresIn
			for i := 0; i < tc.calls; i++ {
				if _, err := env.client.GetUser(context.Background(), "u1"); err != nil {
					t.Fatalf("GetUser: %v", err)
				}
			}
			if got := env.tokens.fetches(); got != tc.wantFetches {
				t.Errorf("token fetches = %d, want %d", got, tc.wantFetches)
			}
			if diff := cmp.Diff(tc.wantAuths, log.auths); diff != "" {
				t.Errorf("Authorization headers (-want +got):\n%s", diff)
			}
		})
	}
}

// While one caller fetches the token, the others are told to come back
// (a *WaitError) instead of queueing behind a possibly slow token endpoint,
// and no second fetch starts.
func TestConcurrentCallersShareOneTokenFetch(t *testing.T) {
	env := newTestEnv(t, reply(200, nil, `{"id":"u1","email":"a@b.c","type":1}`))
	env.tokens.delay = 50 * time.Millisecond
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := env.client.GetUser(context.Background(), "u1")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	succeeded, told := 0, 0
	for err := range errs {
		if _, wait := WaitFor(err); wait {
			told++
			continue
		}
		if err != nil {
			t.Fatalf("GetUser: %v", err)
		}
		succeeded++
	}
	if succeeded == 0 || told == 0 {
		t.Errorf("%d succeeded and %d were told to wait; want some of each", succeeded, told)
	}
	if _, err := env.client.GetUser(context.Background(), "u1"); err != nil {
		t.Errorf("GetUser after the fetch: %v", err)
	}
	if got := env.tokens.fetches(); got != 1 {
		t.Errorf("token fetches = %d, want 1", got)
	}
}

// expiring answers 401 code 124 to requests carrying a rejected token and
// records every body it receives.
type expiring struct {
	mu       sync.Mutex
	rejected map[string]bool
	auths    []string
	bodies   []string
}

func (e *expiring) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	auth := r.Header.Get("Authorization")
	e.mu.Lock()
	e.auths = append(e.auths, auth)
	e.bodies = append(e.bodies, string(body))
	rejected := e.rejected[strings.TrimPrefix(auth, "Bearer ")]
	e.mu.Unlock()
	if rejected {
		reply(401, nil, `{"code":124,"message":"Access token is expired."}`)(w, r)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func TestRetryOnExpiredToken(t *testing.T) {
	tests := map[string]struct {
		rejected    []string
		calls       int
		wantErr     *APIError
		wantKind    Kind
		wantFetches int
		wantAuths   []string
	}{
		"401 code 124 refetches and retries once": {
			rejected:    []string{tokenPrefix + "1"},
			calls:       2, // the second call reuses the fresh token
			wantKind:    KindNone,
			wantFetches: 2,
			wantAuths:   bearer(1, 2, 2),
		},
		"a second 401 is returned": {
			rejected:    []string{tokenPrefix + "1", tokenPrefix + "2"},
			calls:       1,
			wantErr:     &APIError{StatusCode: 401, Code: 124, Message: "Access token is expired.", Endpoint: "PATCH /users/{userId}"},
			wantKind:    KindUnauthorized,
			wantFetches: 2,
			wantAuths:   bearer(1, 2),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			api := &expiring{rejected: map[string]bool{}}
			for _, tok := range tc.rejected {
				api.rejected[tok] = true
			}
			env := newTestEnv(t, api.ServeHTTP)
			var err error
			for i := 0; i < tc.calls && err == nil; i++ {
				err = env.client.UpdateUser(context.Background(), "u1", UpdateUserRequest{FirstName: ptr("Ada")})
			}
			if diff := cmp.Diff(tc.wantErr, asAPIError(err)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if got := Classify(err); got != tc.wantKind {
				t.Errorf("Classify = %v, want %v", got, tc.wantKind)
			}
			if got := env.tokens.fetches(); got != tc.wantFetches {
				t.Errorf("token fetches = %d, want %d", got, tc.wantFetches)
			}
			if diff := cmp.Diff(tc.wantAuths, api.auths); diff != "" {
				t.Errorf("Authorization headers (-want +got):\n%s", diff)
			}
			// The retried request must carry the same body.
			for i, b := range api.bodies {
				if b != `{"first_name":"Ada"}` {
					t.Errorf("body %d = %q", i, b)
				}
			}
		})
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	tests := map[string]struct {
		status      int
		contentType string
		header      http.Header
		body        string
		unreachable bool
		wantErr     *APIError
		wantKind    Kind
	}{
		"invalid_client": {
			status:   401,
			body:     `{"error":"invalid_client","reason":"Invalid client_id or client_secret"}`,
			wantErr:  &APIError{StatusCode: 401, Message: "Invalid client_id or client_secret", Token: true},
			wantKind: KindUnauthorized,
		},
		"400 with error_description": {
			status:   400,
			body:     `{"error":"invalid_request","error_description":"Missing account_id"}`,
			wantErr:  &APIError{StatusCode: 400, Message: "Missing account_id", Token: true},
			wantKind: KindUnauthorized,
		},
		"400 with only an error code": {
			status:   400,
			body:     `{"error":"unsupported_grant_type"}`,
			wantErr:  &APIError{StatusCode: 400, Message: "unsupported_grant_type", Token: true},
			wantKind: KindUnauthorized,
		},
		"200 carrying an error": {
			status:   200,
			body:     `{"error":"invalid_client","reason":"Invalid client_id or client_secret"}`,
			wantErr:  &APIError{StatusCode: 200, Message: "Invalid client_id or client_secret", Token: true},
			wantKind: KindUnauthorized,
		},
		"500 with a text body": {
			status:      500,
			contentType: "text/plain",
			body:        "oops",
			wantErr:     &APIError{StatusCode: 500, Message: "Internal Server Error", Token: true},
			wantKind:    KindRetryable,
		},
		"429 with headers": {
			status:   429,
			header:   http.Header{"X-Ratelimit-Type": {"QPS"}, "Retry-After": {"2"}},
			body:     `{"error":"too_many_requests","reason":"Too many requests"}`,
			wantErr:  &APIError{StatusCode: 429, Message: "Too many requests", Token: true, RateLimitType: "QPS", RetryAfter: testNow.Add(2 * time.Second)},
			wantKind: KindRateLimitedQPS,
		},
		"200 without access_token": {
			status:   200,
			body:     `{"token_type":"bearer"}`,
			wantKind: KindRetryable,
		},
		"200 with malformed JSON": {
			status:   200,
			body:     `{"access_token":`,
			wantKind: KindRetryable,
		},
		"unreachable": {
			unreachable: true,
			wantKind:    KindRetryable,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var apiCalls atomic.Int32
			api := func(w http.ResponseWriter, r *http.Request) { apiCalls.Add(1) }
			env := newTestEnv(t, api, func(c *Config) {
				if tc.unreachable {
					c.TokenURL = closedURL(t) + "/oauth/token"
				}
			})
			env.tokens.status, env.tokens.body, env.tokens.contentType, env.tokens.header = tc.status, tc.body, tc.contentType, tc.header
			_, err := env.client.GetUser(context.Background(), "u1")
			if err == nil {
				t.Fatal("GetUser succeeded, want an error")
			}
			if diff := cmp.Diff(tc.wantErr, asAPIError(err)); diff != "" {
				t.Errorf("APIError (-want +got):\n%s", diff)
			}
			if got := Classify(err); got != tc.wantKind {
				t.Errorf("Classify(%v) = %v, want %v", err, got, tc.wantKind)
			}
			if got := Classify(env.client.Authenticate(context.Background())); got != tc.wantKind {
				t.Errorf("Classify(Authenticate) = %v, want %v", got, tc.wantKind)
			}
			if n := apiCalls.Load(); n != 0 {
				t.Errorf("API called %d times without a token", n)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
}

// countingTransport counts the requests that pass through it.
type countingTransport struct {
	n  atomic.Int32
	rt http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.rt.RoundTrip(r)
}

func TestOneHTTPClientForTokensAndAPI(t *testing.T) {
	rt := &countingTransport{rt: http.DefaultTransport}
	env := newTestEnv(t, reply(200, nil, `{"id":"u1","email":"a@b.c","type":1}`), func(c *Config) { c.Transport = rt })
	if _, err := env.client.GetUser(context.Background(), "u1"); err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if got := rt.n.Load(); got != 2 {
		t.Errorf("requests through the configured transport = %d, want 2 (token and API)", got)
	}
}

func TestDefaults(t *testing.T) {
	c := New(Config{APIURL: "https://api.zoom.us/v2/"})
	if c.httpClient.Timeout != 30*time.Second {
		t.Errorf("Timeout = %v, want 30s", c.httpClient.Timeout)
	}
	tr, ok := c.httpClient.Transport.(*http.Transport)
	if !ok || tr == http.DefaultTransport {
		t.Errorf("Transport = %T, want a clone of http.DefaultTransport", c.httpClient.Transport)
	}
	if c.apiURL != "https://api.zoom.us/v2" {
		t.Errorf("apiURL = %q", c.apiURL)
	}
}

// slow waits until the client gives up on the request.
func slow(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

func TestTimeouts(t *testing.T) {
	tests := map[string]struct {
		api        http.HandlerFunc
		slowTokens bool
		ctxTimeout time.Duration
	}{
		"slow API":              {api: slow},
		"slow token endpoint":   {api: reply(200, nil, `{}`), slowTokens: true},
		"caller's context ends": {api: slow, ctxTimeout: 100 * time.Millisecond},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, tc.api, func(c *Config) {
				c.Timeout = 100 * time.Millisecond
				if tc.ctxTimeout != 0 {
					c.Timeout = time.Minute
				}
			})
			if tc.slowTokens {
				env.tokens.delay = 5 * time.Second
			}
			ctx := context.Background()
			if tc.ctxTimeout != 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctxTimeout)
				defer cancel()
			}
			start := time.Now()
			_, err := env.client.GetUser(ctx, "u1")
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("GetUser took %v", elapsed)
			}
			if got := Classify(err); got != KindRetryable {
				t.Errorf("Classify(%v) = %v, want Retryable", err, got)
			}
		})
	}
}

// TestErrorsNeverLeakSecrets drives every error path, including servers
// that echo credentials back, and checks the secret and tokens stay out.
func TestErrorsNeverLeakSecrets(t *testing.T) {
	tests := map[string]struct {
		api         http.HandlerFunc
		tokenStatus int
		tokenBody   string
		timeout     time.Duration
	}{
		"token endpoint echoes the secret": {
			api:         reply(200, nil, `{}`),
			tokenStatus: 401,
			tokenBody:   `{"error":"invalid_client","reason":"Invalid client_secret ` + testSecret + `"}`,
		},
		"token endpoint echoes the secret in error_description": {
			api:         reply(200, nil, `{}`),
			tokenStatus: 400,
			tokenBody:   `{"error":"invalid_request","error_description":"secret=` + testSecret + `"}`,
		},
		"API echoes the token": {
			api: reply(400, nil, `{"code":300,"message":"bad token `+tokenPrefix+`1","errors":[{"field":"auth","message":"`+tokenPrefix+`1 and `+testSecret+`"}]}`),
		},
		"API rejects every token and echoes it": {
			api: func(w http.ResponseWriter, r *http.Request) {
				reply(401, nil, `{"code":124,"message":"Invalid access token: `+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+`"}`)(w, r)
			},
		},
		"malformed body": {api: reply(200, nil, `not json `+tokenPrefix+`1`)},
		"timeout":        {api: slow, timeout: 50 * time.Millisecond},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, tc.api, func(c *Config) {
				if tc.timeout != 0 {
					c.Timeout = tc.timeout
				}
			})
			env.tokens.status, env.tokens.body = tc.tokenStatus, tc.tokenBody
			_, err := env.client.GetUser(context.Background(), "u1")
			if err == nil {
				t.Fatal("GetUser succeeded, want an error")
			}
			for _, text := range []string{err.Error(), strings.ReplaceAll(fmtAll(err), "\n", " ")} {
				if strings.Contains(text, testSecret) || strings.Contains(text, tokenPrefix) {
					t.Errorf("error leaks a credential: %s", text)
				}
			}
		})
	}
}
