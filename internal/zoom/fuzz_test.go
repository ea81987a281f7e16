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
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	fuzzToken  = "tok-FUZZ-SECRET-123"
	fuzzSecret = "client-FUZZ-SECRET-456"
)

// fuzzTransport answers the token endpoint normally and every API call with
// the fuzzed status, headers and body.
type fuzzTransport struct {
	status             int
	body               []byte
	retryAfter, rlType string
}

func (t *fuzzTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/oauth/token") {
		return response(http.StatusOK, http.Header{"Content-Type": {"application/json"}},
			[]byte(`{"access_token":"`+fuzzToken+`","token_type":"bearer","expires_in":3600}`), req), nil
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if t.retryAfter != "" {
		h.Set("Retry-After", t.retryAfter)
	}
	if t.rlType != "" {
		h.Set("X-RateLimit-Type", t.rlType)
	}
	return response(t.status, h, t.body, req), nil
}

func response(status int, h http.Header, body []byte, req *http.Request) *http.Response {
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(body)), Request: req}
}

// FuzzAPIResponse feeds arbitrary Zoom answers (status, body, rate-limit
// headers) through the real client: decoding users, pages and errors must
// never panic, every failure must classify, and no error may carry the
// client secret or the token.
func FuzzAPIResponse(f *testing.F) {
	f.Add(404, []byte(`{"code":1001,"message":"User does not exist: a@b.c"}`), "", "", false)
	f.Add(400, []byte(`{"code":300,"message":"Invalid field.","errors":[{"field":"user_info.email","message":"Invalid field."}]}`), "", "", false)
	f.Add(429, []byte(`{"code":429,"message":"You have exceeded the daily rate limit (1500) of user invite requests"}`), "2026-11-29T00:00:00Z", "Daily-limit", false)
	f.Add(429, []byte(`{"code":429,"message":"You have reached the maximum per-second rate limit for this API."}`), "1", "QPS", false)
	f.Add(200, []byte(`{"id":"KDcuGIm1QgePTO8WbOqwIQ","email":"a@b.c","type":1,"status":"active","created_at":"2026-11-28T10:00:00Z"}`), "", "", false)
	f.Add(200, []byte(`{"next_page_token":"","page_size":300,"total_records":1,"users":[{"email":"p@b.c","type":1,"status":"pending"}]}`), "", "", true)
	f.Add(200, []byte(`{"id":`), "", "", false)
	f.Add(502, []byte(`<html>Bad Gateway</html>`), "Wed, 21 Oct 2026 07:28:00 GMT", "", true)
	f.Add(401, []byte(`{"code":124,"message":"Invalid access token `+fuzzToken+`"}`), "", "", false)
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter, rlType string, list bool) {
		status = 200 + abs(status)%400 // 200..599: what a server can answer finally
		c := New(Config{
			APIURL: "http://zoom.test/v2", TokenURL: "http://zoom.test/oauth/token",
			Credentials: Credentials{AccountID: "acct", ClientID: "client", ClientSecret: fuzzSecret},
			Transport:   &fuzzTransport{status: status, body: body, retryAfter: retryAfter, rlType: rlType},
		})
		err := call(c, list)
		if err == nil {
			if status >= 300 {
				t.Fatalf("HTTP %d gave no error", status)
			}
			return
		}
		kind := Classify(err)
		if kind == KindNone {
			t.Fatalf("error %v classified as none", err)
		}
		msg := err.Error()
		if strings.Contains(msg, fuzzToken) || strings.Contains(msg, fuzzSecret) {
			t.Fatalf("error leaks a secret: %q", msg)
		}
		var apiErr *APIError
		if status >= 300 && (!errors.As(err, &apiErr) || apiErr.StatusCode != status) {
			t.Fatalf("HTTP %d gave %T %v", status, err, err)
		}
		_ = ResumeAt(err, time.Now())
	})
}

func call(c *Client, list bool) error {
	ctx := context.Background()
	if list {
		_, err := c.ListUsers(ctx, StatusActive, MaxPageSize, "")
		return err
	}
	_, err := c.GetUser(ctx, "a@b.c")
	return err
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// FuzzParseRetryAfter: any header value parses or is refused without a
// panic; a plain number of seconds means now plus that many seconds.
func FuzzParseRetryAfter(f *testing.F) {
	for _, seed := range []string{"2026-11-29T00:00:00Z", "2026-11-29T00:00:00.5+01:00", "120", "0", "-5",
		"Wed, 21 Oct 2026 07:28:00 GMT", "soon", "", "99999999999999999999"} {
		f.Add(seed)
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		got, ok := ParseRetryAfter(v, now)
		if !ok {
			return
		}
		if got.IsZero() {
			t.Fatalf("%q parsed to the zero time", v)
		}
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 && n < 1<<20 && !got.Equal(now.Add(time.Duration(n)*time.Second)) {
			t.Fatalf("%q seconds gave %v, want now+%ds", v, got, n)
		}
	})
}
