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

// Package zoom is a client for the user, group and role endpoints of the
// Zoom REST API v2, authenticated with Server-to-Server OAuth. Failures are
// reported as *APIError and sorted into actions by Classify and ResumeAt.
package zoom

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

const (
	defaultTimeout = 30 * time.Second
	// tokenMinValidity renews a token this long before it expires, so a
	// request never leaves with a token that dies in flight.
	tokenMinValidity = 60 * time.Second
	// maxBodyBytes bounds what is read from any response. A full page of
	// 2,000 users is about 2 MiB; error bodies are tiny.
	maxBodyBytes = 8 << 20
	userAgent    = "zoom-operator"
	redacted     = "[redacted]"
)

// Credentials identify a Server-to-Server OAuth app of one Zoom account.
type Credentials struct {
	AccountID    string
	ClientID     string
	ClientSecret string
}

// Config configures a Client.
type Config struct {
	// APIURL is the API base, e.g. https://api.zoom.us/v2; a trailing slash
	// is allowed.
	APIURL string
	// TokenURL is the OAuth token endpoint, e.g. https://zoom.us/oauth/token.
	TokenURL    string
	Credentials Credentials
	// Timeout bounds each HTTP exchange; 30s when zero.
	Timeout time.Duration
	// Transport defaults to a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// Budget paces API calls to the account's rate limits; nil sets no
	// limit on the client side. Token requests are not paced. Bind sets it
	// later, once the account has authenticated.
	Budget *Budget
	// MaxWait is the longest a call waits for the budget; a longer wait
	// returns a *WaitError at once. Zero means defaultMaxWait.
	MaxWait time.Duration
	// MaxListUsers bounds one listing (ListAllUsers): past it, or past the
	// pages and bytes such a listing could take, the listing fails. Zero
	// means DefaultMaxListUsers.
	MaxListUsers int
}

// DefaultMaxListUsers is well above the users of Zoom's largest accounts,
// and low enough that a server answering with endless pages cannot fill
// the manager's memory.
const DefaultMaxListUsers = 250000

// defaultMaxWait keeps a worker at most this long on one account's budget.
const defaultMaxWait = 2 * time.Second

// Client talks to one Zoom account. It is safe for concurrent use and owns a
// single http.Client, used for both token and API requests so that
// connections and the timeout are shared.
type Client struct {
	apiURL     string
	httpClient *http.Client
	oauth      clientcredentials.Config
	// now stamps the receipt of responses, for relative Retry-After values.
	now func() time.Time
	// binding holds the budget and the metrics label; see Bind.
	binding atomic.Pointer[binding]
	maxWait time.Duration
	// maxListUsers bounds ListAllUsers.
	maxListUsers int

	// fetching is held while a token is fetched: one fetch at a time, and
	// callers that find it held come back later instead of queueing.
	fetching sync.Mutex
	// mu guards token.
	mu    sync.Mutex
	token *oauth2.Token
}

// binding is what a client learns once its account authenticated: the
// budget it shares with every client of that Zoom account, and the label
// under which its requests are counted.
type binding struct {
	budget *Budget
	label  string
}

// New returns a Client for cfg. It does no I/O; see Authenticate.
func New(cfg Config) *Client {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	c := &Client{
		apiURL:     strings.TrimRight(cfg.APIURL, "/"),
		httpClient: &http.Client{Timeout: timeout, Transport: transportOrDefault(cfg.Transport)},
		oauth: clientcredentials.Config{
			ClientID:     cfg.Credentials.ClientID,
			ClientSecret: cfg.Credentials.ClientSecret,
			TokenURL:     cfg.TokenURL,
			AuthStyle:    oauth2.AuthStyleInHeader,
			EndpointParams: url.Values{
				"grant_type": {"account_credentials"},
				"account_id": {cfg.Credentials.AccountID},
			},
		},
		now:          time.Now,
		maxWait:      cmp.Or(cfg.MaxWait, defaultMaxWait),
		maxListUsers: cmp.Or(cfg.MaxListUsers, DefaultMaxListUsers),
	}
	c.Bind(cfg.Budget, "")
	return c
}

// Bind sets the budget that paces this client and the Zoom account label of
// its metrics. The label must come from an account that authenticated, so
// that credentials nobody verified cannot add metric series.
func (c *Client) Bind(b *Budget, accountLabel string) {
	c.binding.Store(&binding{budget: b, label: accountLabel})
}

func (c *Client) budget() *Budget      { return c.binding.Load().budget }
func (c *Client) accountLabel() string { return c.binding.Load().label }

// transportOrDefault clones the default transport rather than sharing it, so
// each account has its own connection pool.
func transportOrDefault(rt http.RoundTripper) http.RoundTripper {
	if rt != nil {
		return rt
	}
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		return t.Clone()
	}
	return http.DefaultTransport
}

// Authenticate obtains a token, or reuses the cached one, which checks that
// the account's credentials work.
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.accessToken(ctx)
	return err
}

// accessToken returns the cached token while it has at least
// tokenMinValidity left, and otherwise fetches a new one. Zoom issues no
// refresh tokens; several live tokens may coexist, so replacing is safe.
// While one caller fetches, the others get a *WaitError rather than queue:
// a slow token endpoint then holds one worker, not all of them.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	if tok := c.cachedToken(); tok != "" {
		return tok, nil
	}
	if !c.fetching.TryLock() {
		return "", &WaitError{Delay: tokenPendingDelay, Reason: "another request is fetching the account's token"}
	}
	defer c.fetching.Unlock()
	if tok := c.cachedToken(); tok != "" {
		return tok, nil // fetched by the caller that held the lock before
	}
	tok, err := c.oauth.Token(context.WithValue(ctx, oauth2.HTTPClient, c.tokenHTTPClient()))
	if err != nil {
		err = c.tokenError(err)
		c.observeRateLimit(err)
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = tok
	return tok.AccessToken, nil
}

func (c *Client) cachedToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != nil && fresh(c.token) {
		return c.token.AccessToken
	}
	return ""
}

// fresh reports whether t is usable for a while yet. A token without an
// expiry is kept until the API rejects it.
func fresh(t *oauth2.Token) bool {
	return t.Expiry.IsZero() || time.Until(t.Expiry) >= tokenMinValidity
}

// dropToken forgets the cached token if it is still the one the API
// rejected; another caller may already have replaced it with a good one.
func (c *Client) dropToken(rejected string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != nil && c.token.AccessToken == rejected {
		c.token = nil
	}
}

// tokenError turns an OAuth failure into an *APIError with Token set. Other
// failures (network, timeout, unparsable 2xx) are wrapped as they are.
func (c *Client) tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("zoom: fetching access token: %w", err)
	}
	e := &APIError{Token: true, Message: tokenErrorMessage(re)}
	if re.Response != nil {
		e.StatusCode = re.Response.StatusCode
		e.setRateLimit(re.Response.Header, c.now())
	}
	if e.Message == "" {
		e.Message = http.StatusText(e.StatusCode)
	}
	c.scrub(e, "")
	return e
}

// tokenErrorMessage prefers Zoom's human-readable "reason" over the OAuth
// error code, e.g. "Invalid client_id or client_secret" over "invalid_client".
func tokenErrorMessage(re *oauth2.RetrieveError) string {
	var body struct {
		Reason  string `json:"reason"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(re.Body, &body)
	for _, m := range []string{body.Reason, re.ErrorDescription, body.Message, re.ErrorCode} {
		if m != "" {
			return m
		}
	}
	return ""
}

// scrub removes the client secret and the given token from the text a server
// sent back, so that an echoing server cannot leak them into logs or status.
func (c *Client) scrub(e *APIError, token string) {
	for _, s := range []string{c.oauth.ClientSecret, token} {
		if s == "" {
			continue
		}
		e.Message = strings.ReplaceAll(e.Message, s, redacted)
		for i := range e.Fields {
			e.Fields[i].Message = strings.ReplaceAll(e.Fields[i].Message, s, redacted)
		}
	}
}

// do performs one API call: in (if non-nil) is sent as JSON and a 2xx body
// is decoded into out (if non-nil). A 401 with code 124 means the cached token
// died early (revoked, or the app's secret rotated), so the token is dropped
// and the call retried exactly once; the body is kept as bytes to be resent.
// Every attempt first waits for the budget, which a per-second 429 slows.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("zoom: encoding %s %s: %w", method, path, err)
		}
	}
	endpoint := endpointOf(method, path)
	category := categoryOf(endpoint)
	for retried := false; ; retried = true {
		if err := c.budget().WaitAtMost(ctx, category, c.maxWait); err != nil {
			return fmt.Errorf("zoom: %s: waiting for the rate budget: %w", endpoint, err)
		}
		token, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		if err := c.budget().Send(ctx, category); err != nil {
			return fmt.Errorf("zoom: %s: waiting for the rate budget: %w", endpoint, err)
		}
		err = c.send(ctx, method, path, query, body, token, out)
		c.noteRateLimit(err, category)
		var e *APIError
		if !retried && errors.As(err, &e) && e.StatusCode == http.StatusUnauthorized && e.Code == codeInvalidToken {
			c.dropToken(token)
			continue
		}
		return err
	}
}

// send makes a single HTTP exchange.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, body []byte, token string, out any) error {
	req, err := c.newRequest(ctx, method, path, query, body, token)
	if err != nil {
		return err
	}
	endpoint := endpointOf(method, path)
	resp, err := c.exchange(req, endpoint)
	if err != nil {
		return fmt.Errorf("zoom: %s %s: %w", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return fmt.Errorf("zoom: %s %s: reading response: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(resp, data, token, endpoint)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: %s %s: HTTP %d: %v", ErrMalformedResponse, method, path, resp.StatusCode, err)
	}
	return nil
}

func (c *Client) newRequest(ctx context.Context, method, path string, query url.Values, body []byte, token string) (*http.Request, error) {
	target := c.apiURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, r)
	if err != nil {
		return nil, fmt.Errorf("zoom: building %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// apiError builds the *APIError for a non-2xx response. A body that is not
// Zoom's JSON (a proxy's HTML page, say) leaves the status text as message.
func (c *Client) apiError(resp *http.Response, data []byte, token, endpoint string) *APIError {
	var body struct {
		Code    int          `json:"code"`
		Message string       `json:"message"`
		Errors  []FieldError `json:"errors"`
	}
	if err := json.Unmarshal(data, &body); err != nil {
		body.Code, body.Message, body.Errors = 0, http.StatusText(resp.StatusCode), nil
	}
	e := &APIError{
		StatusCode: resp.StatusCode,
		Code:       body.Code,
		Message:    body.Message,
		Fields:     body.Errors,
		Endpoint:   endpoint,
	}
	e.setRateLimit(resp.Header, c.now())
	c.scrub(e, token)
	return e
}
