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
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFaultStatus(t *testing.T) {
	h := newHarness(t, Options{})
	h.fake.InjectFault(Fault{
		Endpoint: EndpointCreateUser, Times: 2, Status: http.StatusInternalServerError,
		Code: 500, Message: "Internal error", Headers: map[string]string{"X-Zoom-Trackingid": "abc"},
	})
	for i := range 2 {
		res := h.create("create", "a@example.com", 1)
		wantError(t, res, http.StatusInternalServerError, 500, "Internal error")
		if got := res.header.Get("X-Zoom-Trackingid"); got != "abc" {
			t.Errorf("request %d: fault header = %q", i+1, got)
		}
	}
	wantStatus(t, h.call(http.MethodGet, "/users/a@example.com", nil), http.StatusNotFound)
	wantStatus(t, h.create("create", "a@example.com", 1), http.StatusCreated)
	if got := h.fake.Count(EndpointCreateUser); got != 3 {
		t.Errorf("Count = %d, want 3 (faulted requests count too)", got)
	}
	if got := h.fake.CountStatus(http.StatusInternalServerError); got != 2 {
		t.Errorf("CountStatus(500) = %d, want 2", got)
	}
}

func TestFaultRateLimitLookalike(t *testing.T) {
	h := newHarness(t, Options{})
	h.fake.InjectFault(Fault{
		Status: http.StatusTooManyRequests, Code: 429, Message: "daily",
		Headers: map[string]string{"X-RateLimit-Type": "Daily-limit"},
	})
	for _, path := range []string{"/users", "/users/x@example.com"} {
		res := h.call(http.MethodGet, path, nil)
		wantError(t, res, http.StatusTooManyRequests, 429, "daily")
		wantHeaders(t, res, map[string]string{"X-RateLimit-Type": "Daily-limit"})
	}
	h.fake.ClearFaults()
	wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusOK)
}

func TestFaultScope(t *testing.T) {
	tests := map[string]struct {
		fault         Fault
		wantTokenFail bool
		wantAPIFail   bool
	}{
		"empty endpoint spares the token endpoint": {
			fault:       Fault{Status: http.StatusServiceUnavailable},
			wantAPIFail: true,
		},
		"token endpoint by name": {
			fault:         Fault{Endpoint: EndpointToken, Status: http.StatusServiceUnavailable},
			wantTokenFail: true,
		},
		"other endpoint": {
			fault: Fault{Endpoint: EndpointDeleteUser, Status: http.StatusServiceUnavailable},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Options{})
			h.fake.InjectFault(tc.fault)

			form := url.Values{"grant_type": {"account_credentials"}, "account_id": {testAccount}}
			req := h.newRequest(context.Background(), http.MethodPost, "/oauth/token?"+form.Encode(), nil)
			req.SetBasicAuth(testClient, testSecret)
			if failed := h.send(req).status == http.StatusServiceUnavailable; failed != tc.wantTokenFail {
				t.Errorf("token endpoint faulted = %v, want %v", failed, tc.wantTokenFail)
			}
			if failed := h.call(http.MethodGet, "/users", nil).status == http.StatusServiceUnavailable; failed != tc.wantAPIFail {
				t.Errorf("GET /users faulted = %v, want %v", failed, tc.wantAPIFail)
			}
		})
	}
}

func TestFaultComesAfterAuthentication(t *testing.T) {
	h := newHarness(t, Options{})
	h.fake.InjectFault(Fault{Status: http.StatusInternalServerError, Times: 1})
	h.token = "wrong"
	wantError(t, h.call(http.MethodGet, "/users", nil), http.StatusUnauthorized, codeInvalidToken, "")
	h.token = h.fetchToken()
	wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusInternalServerError)
	wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusOK)
}

func TestFaultDrop(t *testing.T) {
	h := newHarness(t, Options{})
	h.fake.InjectFault(Fault{Endpoint: EndpointGetUser, Drop: true, Times: 1})
	// A fresh connection, so the transport cannot mistake the drop for a
	// stale keep-alive connection and retry the request.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(h.apiRequest(context.Background(), http.MethodGet, "/users/a@example.com", nil))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("dropped request got a response: %s", resp.Status)
	}
	wantStatus(t, h.call(http.MethodGet, "/users/a@example.com", nil), http.StatusNotFound)
	if got := h.fake.CountForEmail(EndpointGetUser, "a@example.com"); got != 2 {
		t.Errorf("CountForEmail = %d, want 2", got)
	}
}

func TestFaultMalformedJSON(t *testing.T) {
	h := newHarness(t, Options{})
	u := h.fake.AddUser(User{Email: "a@example.com", Type: 1})
	h.fake.InjectFault(Fault{Endpoint: EndpointGetUser, MalformedJSON: true, Times: 1})
	res := h.call(http.MethodGet, "/users/"+u.ID, nil)
	wantStatus(t, res, http.StatusOK)
	var v userJSON
	var syntaxErr *json.SyntaxError
	if err := json.Unmarshal(res.body, &v); err == nil || (!errors.As(err, &syntaxErr) && !strings.Contains(err.Error(), "unexpected end")) {
		t.Errorf("malformed body %q decoded with err %v", res.body, err)
	}
}

func TestFaultLatency(t *testing.T) {
	t.Run("client gives up", func(t *testing.T) {
		h := newHarness(t, Options{})
		h.fake.InjectFault(Fault{Latency: 5 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		resp, err := h.srv.Client().Do(h.apiRequest(ctx, http.MethodGet, "/users", nil))
		if err == nil {
			resp.Body.Close()
			t.Fatal("request outlived its context")
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want deadline exceeded", err)
		}
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("took %v, the client deadline should end the wait", elapsed)
		}
	})
	t.Run("then proceeds normally", func(t *testing.T) {
		h := newHarness(t, Options{})
		h.fake.InjectFault(Fault{Endpoint: EndpointListUsers, Latency: 100 * time.Millisecond, Times: 1})
		start := time.Now()
		wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusOK)
		if elapsed := time.Since(start); elapsed < 100*time.Millisecond {
			t.Errorf("answered after %v, want at least the 100ms latency", elapsed)
		}
	})
	t.Run("then answers the fault status", func(t *testing.T) {
		h := newHarness(t, Options{})
		h.fake.InjectFault(Fault{Latency: 20 * time.Millisecond, Status: http.StatusBadGateway, Code: 502, Message: "upstream"})
		wantError(t, h.call(http.MethodGet, "/users", nil), http.StatusBadGateway, 502, "upstream")
	})
}
