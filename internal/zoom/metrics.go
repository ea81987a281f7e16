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
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// endpointToken labels requests to the OAuth token endpoint.
const endpointToken = "POST /oauth/token"

// Labels carry endpoint templates, status codes, limit types and account
// names only: never a user ID, an email, a token or a secret.
var (
	requestsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "zoom_api_requests_total",
		Help: `HTTP requests sent to Zoom, by endpoint and status code ("error" when no response arrived).`,
	}, []string{"zoom_account", "endpoint", "code"})
	requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "zoom_api_request_duration_seconds",
		Help:    "Time from sending a request to Zoom until its response headers arrived or it failed.",
		Buckets: prometheus.ExponentialBuckets(0.025, 2, 10),
	}, []string{"endpoint"})
	rateLimitedTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "zoom_api_rate_limited_total",
		Help: "429 responses from Zoom, by limit type (QPS or Daily-limit).",
	}, []string{"zoom_account", "type"})
	budgetMetrics = newBudgetCollector()
)

func init() {
	metrics.Registry.MustRegister(requestsTotal, requestDuration, rateLimitedTotal, budgetMetrics)
}

// idPlaceholders names the id segments of each collection: the segment after
// the collection and, for /{collection}/{id}/members/{memberId}, the member.
var idPlaceholders = map[string][2]string{
	"users":  {"{userId}"},
	"groups": {"{groupId}", "{memberId}"},
	"roles":  {"{roleId}", "{memberId}"},
}

// endpointOf names the endpoint of an API path with every id replaced by a
// placeholder, e.g. "GET /users/{userId}" or
// "DELETE /groups/{groupId}/members/{memberId}", which keeps the label set
// small and free of personal data. Paths come from this package only.
func endpointOf(method, path string) string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if ph, ok := idPlaceholders[segs[0]]; ok {
		if len(segs) > 1 {
			segs[1] = ph[0]
		}
		if len(segs) > 3 && ph[1] != "" {
			segs[3] = ph[1]
		}
	}
	return method + " /" + strings.Join(segs, "/")
}

// exchange sends req with the client's http.Client and records it.
func (c *Client) exchange(req *http.Request, endpoint string) (*http.Response, error) {
	start := time.Now()
	resp, err := c.httpClient.Do(req)
	observeRequest(c.accountLabel(), endpoint, resp, err, time.Since(start))
	return resp, err
}

// observeRequest counts one exchange. account is the Zoom account's id once
// it authenticated, "" before: unverified ids must not add series.
func observeRequest(account, endpoint string, resp *http.Response, err error, took time.Duration) {
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	requestsTotal.WithLabelValues(account, endpoint, code).Inc()
	requestDuration.WithLabelValues(endpoint).Observe(took.Seconds())
}

// observedTransport records every exchange under one endpoint. The token
// request is sent by the oauth2 package, so recording it has to happen in
// the transport.
type observedTransport struct {
	next     http.RoundTripper
	endpoint string
	account  string
}

func (t observedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	observeRequest(t.account, t.endpoint, resp, err, time.Since(start))
	return resp, err
}

// tokenHTTPClient returns an http.Client for the token endpoint that shares
// the connections and timeout of c.httpClient and records its exchanges.
func (c *Client) tokenHTTPClient() *http.Client {
	return &http.Client{
		Timeout:   c.httpClient.Timeout,
		Transport: observedTransport{next: c.httpClient.Transport, endpoint: endpointToken, account: c.accountLabel()},
	}
}

// observeRateLimit counts err if it is a 429 and reports whether the limit
// hit was a per-second one.
func (c *Client) observeRateLimit(err error) (qps bool) {
	switch Classify(err) {
	case KindRateLimitedQPS:
		rateLimitedTotal.WithLabelValues(c.accountLabel(), "QPS").Inc()
		return true
	case KindRateLimitedDaily:
		rateLimitedTotal.WithLabelValues(c.accountLabel(), "Daily-limit").Inc()
	}
	return false
}

// budgetCollector reports the registered budgets at scrape time, so the
// values are exact without any bookkeeping on the request path. One budget
// per account name: a replacement takes over its predecessor's series
// instead of registering a duplicate.
type budgetCollector struct {
	tokens *prometheus.Desc
	limit  *prometheus.Desc
	held   *prometheus.Desc

	mu        sync.Mutex
	byAccount map[string]*Budget
}

func newBudgetCollector() *budgetCollector {
	labels := []string{"zoom_account", "category"}
	return &budgetCollector{
		tokens: prometheus.NewDesc("zoom_rate_budget_tokens",
			"Calls the account's rate budget allows right now; negative while callers queue.", labels, nil),
		limit: prometheus.NewDesc("zoom_rate_budget_limit",
			"Current rate of the account's budget in calls per second, lowered after 429s.", labels, nil),
		held: prometheus.NewDesc("zoom_rate_budget_held_total",
			"Calls held back at the moment of sending because earlier turns went out late and the last 1.03 s already had the limit's worth.", labels, nil),
		byAccount: map[string]*Budget{},
	}
}

func (bc *budgetCollector) register(b *Budget) {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	bc.byAccount[b.account] = b
}

// UnregisterBudget stops reporting b in the metrics, unless another budget
// has replaced it under the same account name since.
func UnregisterBudget(b *Budget) {
	if b == nil {
		return
	}
	bc := budgetMetrics
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if bc.byAccount[b.account] == b {
		delete(bc.byAccount, b.account)
	}
}

func (bc *budgetCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- bc.tokens
	ch <- bc.limit
	ch <- bc.held
}

func (bc *budgetCollector) Collect(ch chan<- prometheus.Metric) {
	bc.mu.Lock()
	budgets := maps.Clone(bc.byAccount)
	bc.mu.Unlock()
	for account, b := range budgets {
		for _, c := range categories {
			ch <- prometheus.MustNewConstMetric(bc.tokens, prometheus.GaugeValue, b.Tokens(c), account, string(c))
			ch <- prometheus.MustNewConstMetric(bc.limit, prometheus.GaugeValue, b.Limit(c), account, string(c))
			ch <- prometheus.MustNewConstMetric(bc.held, prometheus.CounterValue, float64(b.Held(c)), account, string(c))
		}
	}
}
