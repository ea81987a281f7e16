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
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	testAccount = "acct-1"
	testClient  = "client-1"
	testSecret  = "secret-1"
)

// testStart sits two seconds before a UTC midnight so daily tests can cross it.
var testStart = time.Date(2026, 11, 28, 23, 59, 58, 250_000_000, time.UTC)

// harness is a fake behind a real HTTP server, with a fake clock and a
// token already fetched.
type harness struct {
	t     *testing.T
	fake  *Server
	srv   *httptest.Server
	clock *Clock
	token string
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	clock := NewClock(testStart)
	opts.AccountID, opts.ClientID, opts.ClientSecret = testAccount, testClient, testSecret
	opts.Now = clock.Now
	fake := New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	h := &harness{t: t, fake: fake, srv: srv, clock: clock}
	h.token = h.fetchToken()
	return h
}

// result is a fully read response.
type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) apiError(t *testing.T) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	return e
}

func (r result) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

func (h *harness) fetchToken() string {
	h.t.Helper()
	form := url.Values{"grant_type": {"account_credentials"}, "account_id": {testAccount}}
	req := h.newRequest(context.Background(), http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(testClient, testSecret)
	res := h.send(req)
	if res.status != http.StatusOK {
		h.t.Fatalf("token: status %d body %s", res.status, res.body)
	}
	var tok tokenResponse
	res.decode(h.t, &tok)
	return tok.AccessToken
}

func (h *harness) newRequest(ctx context.Context, method, path string, body io.Reader) *http.Request {
	h.t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, h.srv.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	return req
}

func (h *harness) send(req *http.Request) result {
	h.t.Helper()
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("reading body: %v", err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: body}
}

// apiRequest builds an authenticated API request; path is relative to /v2.
func (h *harness) apiRequest(ctx context.Context, method, path string, body any) *http.Request {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, ok := body.(string)
		if !ok {
			b, err := json.Marshal(body)
			if err != nil {
				h.t.Fatal(err)
			}
			raw = string(b)
		}
		rd = bytes.NewReader([]byte(raw))
	}
	req := h.newRequest(ctx, method, "/v2"+path, rd)
	req.Header.Set("Authorization", "Bearer "+h.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// call sends an authenticated API request. A string body is sent verbatim.
func (h *harness) call(method, path string, body any) result {
	h.t.Helper()
	return h.send(h.apiRequest(context.Background(), method, path, body))
}

func (h *harness) create(action, email string, typ int) result {
	h.t.Helper()
	return h.call(http.MethodPost, "/users", map[string]any{
		"action":    action,
		"user_info": map[string]any{"email": email, "type": typ, "first_name": "Ada", "last_name": "Lovelace"},
	})
}

func wantStatus(t *testing.T, res result, status int) {
	t.Helper()
	if res.status != status {
		t.Fatalf("status = %d, want %d; body %s", res.status, status, res.body)
	}
}

// wantError checks a Zoom error answer.
func wantError(t *testing.T, res result, status, code int, message string) {
	t.Helper()
	wantStatus(t, res, status)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	e := res.apiError(t)
	if e.Code != code {
		t.Errorf("code = %d, want %d (message %q)", e.Code, code, e.Message)
	}
	if message != "" && e.Message != message {
		t.Errorf("message = %q, want %q", e.Message, message)
	}
}
