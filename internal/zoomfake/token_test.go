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
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenEndpoint(t *testing.T) {
	valid := url.Values{"grant_type": {"account_credentials"}, "account_id": {testAccount}}
	tests := map[string]struct {
		form, query    url.Values
		noAuth         bool
		client, secret string
		wantStatus     int
		wantError      string
	}{
		"form fields":        {form: valid, wantStatus: http.StatusOK},
		"query parameters":   {query: valid, wantStatus: http.StatusOK},
		"wrong secret":       {form: valid, secret: "nope", wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		"wrong client id":    {form: valid, client: "nope", wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		"no basic auth":      {form: valid, noAuth: true, wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		"wrong account id":   {form: url.Values{"grant_type": {"account_credentials"}, "account_id": {"other"}}, wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
		"missing account id": {form: url.Values{"grant_type": {"account_credentials"}}, wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
		"wrong grant type":   {form: url.Values{"grant_type": {"client_credentials"}, "account_id": {testAccount}}, wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Options{TokenLifetime: 90 * time.Minute})
			path := "/oauth/token"
			if tc.query != nil {
				path += "?" + tc.query.Encode()
			}
			req := h.newRequest(context.Background(), http.MethodPost, path, strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if !tc.noAuth {
				req.SetBasicAuth(or(tc.client, testClient), or(tc.secret, testSecret))
			}
			res := h.send(req)
			wantStatus(t, res, tc.wantStatus)
			if tc.wantError != "" {
				var e tokenError
				res.decode(t, &e)
				if e.Error != tc.wantError || e.Reason == "" {
					t.Errorf("error body = %+v, want error %q with a reason", e, tc.wantError)
				}
				return
			}
			var tok tokenResponse
			res.decode(t, &tok)
			if tok.AccessToken == "" || tok.TokenType != "bearer" || tok.ExpiresIn != 5400 || tok.Scope != "user:read:admin user:write:admin" {
				t.Errorf("token response = %+v", tok)
			}
			h.token = tok.AccessToken
			wantStatus(t, h.call(http.MethodGet, "/users/email?email=a@example.com", nil), http.StatusOK)
		})
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func TestTokensCoexist(t *testing.T) {
	h := newHarness(t, Options{})
	first := h.token
	second := h.fetchToken()
	if first == second {
		t.Fatal("two token requests returned the same token")
	}
	for _, tok := range []string{first, second} {
		h.token = tok
		wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusOK)
	}
}

func TestTokenLifetimeDefault(t *testing.T) {
	h := newHarness(t, Options{})
	h.clock.Advance(time.Hour - time.Second)
	wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusOK)
	h.clock.Advance(time.Second)
	wantError(t, h.call(http.MethodGet, "/users", nil), http.StatusUnauthorized, codeInvalidToken, msgExpiredToken)
}

func TestSetCredentials(t *testing.T) {
	h := newHarness(t, Options{})
	old := h.token
	h.fake.SetCredentials("client-2", "secret-2")

	form := url.Values{"grant_type": {"account_credentials"}, "account_id": {testAccount}}
	tokenWith := func(client, secret string) int {
		req := h.newRequest(context.Background(), http.MethodPost, "/oauth/token?"+form.Encode(), nil)
		req.SetBasicAuth(client, secret)
		return h.send(req).status
	}
	if got := tokenWith(testClient, testSecret); got != http.StatusUnauthorized {
		t.Errorf("old credentials: status %d, want 401", got)
	}
	if got := tokenWith("client-2", "secret-2"); got != http.StatusOK {
		t.Errorf("new credentials: status %d, want 200", got)
	}
	h.token = old
	wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusOK)
}

func TestAPIAuthentication(t *testing.T) {
	tests := map[string]struct {
		prepare     func(h *harness, req *http.Request)
		wantMessage string
	}{
		"no authorization header": {
			prepare:     func(h *harness, req *http.Request) { req.Header.Del("Authorization") },
			wantMessage: msgInvalidToken,
		},
		"unknown token": {
			prepare:     func(h *harness, req *http.Request) { req.Header.Set("Authorization", "Bearer made-up") },
			wantMessage: msgInvalidToken,
		},
		"basic instead of bearer": {
			prepare:     func(h *harness, req *http.Request) { req.SetBasicAuth(testClient, testSecret) },
			wantMessage: msgInvalidToken,
		},
		"token in query string": {
			prepare: func(h *harness, req *http.Request) {
				req.Header.Del("Authorization")
				req.URL.RawQuery = url.Values{"access_token": {h.token}}.Encode()
			},
			wantMessage: msgInvalidToken,
		},
		"expired by the clock": {
			prepare:     func(h *harness, req *http.Request) { h.clock.Advance(2 * time.Hour) },
			wantMessage: msgExpiredToken,
		},
		"expired by ExpireTokens": {
			prepare:     func(h *harness, req *http.Request) { h.fake.ExpireTokens() },
			wantMessage: msgExpiredToken,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Options{})
			req := h.apiRequest(context.Background(), http.MethodGet, "/users", nil)
			tc.prepare(h, req)
			wantError(t, h.send(req), http.StatusUnauthorized, codeInvalidToken, tc.wantMessage)

			h.token = h.fetchToken()
			wantStatus(t, h.call(http.MethodGet, "/users", nil), http.StatusOK)
		})
	}
}
