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
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

const (
	metricUserID = "user-7f3a"
	metricEmail  = "ada@example.com"
)

// snapshot holds the counters and histogram counts the tests look at, so
// that tests compare differences and do not depend on each other.
type snapshot map[string]float64

type series struct{ endpoint, code string }

var watched = []series{
	{"POST /oauth/token", "200"},
	{"POST /oauth/token", "429"},
	{"GET /users/{userId}", "200"},
	{"GET /users/{userId}", "error"},
	{"POST /users", "409"},
	{"GET /users", "429"},
	{"PATCH /users/{userId}", "204"},
	{"PUT /users/{userId}/status", "204"},
	{"DELETE /users/{userId}", "429"},
}

func takeSnapshot() snapshot {
	s := snapshot{}
	for _, w := range watched {
		s["requests "+w.endpoint+" "+w.code] = testutil.ToFloat64(requestsTotal.WithLabelValues("", w.endpoint, w.code))
		s["durations "+w.endpoint] = float64(durationCount(w.endpoint))
	}
	for _, typ := range []string{"QPS", "Daily-limit"} {
		s["rate limited "+typ] = testutil.ToFloat64(rateLimitedTotal.WithLabelValues("", typ))
	}
	return s
}

func durationCount(endpoint string) uint64 {
	var m dto.Metric
	if err := requestDuration.WithLabelValues(endpoint).(prometheus.Metric).Write(&m); err != nil {
		panic(err)
	}
	return m.GetHistogram().GetSampleCount()
}

// since returns the changes from before to now, leaving out the unchanged.
func (s snapshot) since(before snapshot) map[string]float64 {
	d := map[string]float64{}
	for k, v := range s {
		if v != before[k] {
			d[k] = v - before[k]
		}
	}
	return d
}

// zoomAPI answers each endpoint differently, to tell them apart in metrics.
func zoomAPI(w http.ResponseWriter, r *http.Request) {
	qps := map[string]string{"X-RateLimit-Type": "QPS"}
	switch {
	case r.Method == http.MethodPost:
		reply(http.StatusConflict, nil, `{"code":1005,"message":"User already in the account: `+metricEmail+`"}`)(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/users":
		reply(http.StatusTooManyRequests, qps, `{"code":429,"message":"per-second"}`)(w, r)
	case r.Method == http.MethodGet:
		reply(http.StatusOK, nil, `{"id":"`+metricUserID+`","email":"`+metricEmail+`","type":1}`)(w, r)
	case r.Method == http.MethodDelete:
		reply(http.StatusTooManyRequests, map[string]string{"X-RateLimit-Type": "Daily-limit"}, `{"code":429,"message":"daily"}`)(w, r)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func TestRequestMetrics(t *testing.T) {
	before := takeSnapshot()
	env := newTestEnv(t, zoomAPI)
	ctx := context.Background()
	c := env.client
	_, _ = c.GetUser(ctx, metricEmail)
	_, _ = c.GetUser(ctx, metricUserID)
	_, _ = c.CreateUser(ctx, CreateUserRequest{Action: CreateActionCreate, UserInfo: UserInfo{Email: metricEmail, Type: TypeBasic}})
	_, _ = c.ListUsers(ctx, StatusActive, 10, "")
	_ = c.UpdateUser(ctx, metricUserID, UpdateUserRequest{FirstName: ptr("Ada")})
	_ = c.SetUserStatus(ctx, metricUserID, true)
	_ = c.DeleteUser(ctx, metricEmail, DeleteActionDelete)

	unreachable := newTestEnv(t, zoomAPI, func(cfg *Config) { cfg.APIURL = closedURL(t) })
	_, _ = unreachable.client.GetUser(ctx, metricUserID)

	limitedTokens := newTestEnv(t, zoomAPI)
	limitedTokens.tokens.status = http.StatusTooManyRequests
	limitedTokens.tokens.header = http.Header{"X-Ratelimit-Type": {"QPS"}}
	limitedTokens.tokens.body = `{"reason":"Too many requests"}`
	_ = limitedTokens.client.Authenticate(ctx)

	want := map[string]float64{
		"requests POST /oauth/token 200":          2,
		"requests POST /oauth/token 429":          1,
		"durations POST /oauth/token":             3,
		"requests GET /users/{userId} 200":        2,
		"requests GET /users/{userId} error":      1,
		"durations GET /users/{userId}":           3,
		"requests POST /users 409":                1,
		"durations POST /users":                   1,
		"requests GET /users 429":                 1,
		"durations GET /users":                    1,
		"requests PATCH /users/{userId} 204":      1,
		"durations PATCH /users/{userId}":         1,
		"requests PUT /users/{userId}/status 204": 1,
		"durations PUT /users/{userId}/status":    1,
		"requests DELETE /users/{userId} 429":     1,
		"durations DELETE /users/{userId}":        1,
		"rate limited QPS":                        2,
		"rate limited Daily-limit":                1,
	}
	got := takeSnapshot().since(before)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s went up by %v, want %v", k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s went up by %v, want unchanged", k, v)
		}
	}
	checkNoPersonalData(t)
}

// checkNoPersonalData looks through every zoom_ series of the registry that
// serves /metrics, which also proves the metrics are registered there.
func checkNoPersonalData(t *testing.T) {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	seen := 0
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "zoom_api_") {
			continue
		}
		seen++
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				for _, bad := range []string{metricUserID, metricEmail, "@", testSecret, tokenPrefix, testAccountID} {
					if strings.Contains(l.GetValue(), bad) {
						t.Errorf("%s label %s=%q contains %q", f.GetName(), l.GetName(), l.GetValue(), bad)
					}
				}
			}
		}
	}
	if seen != 3 {
		t.Errorf("found %d zoom_api_ families on the controller-runtime registry, want 3", seen)
	}
}

func TestEndpointOf(t *testing.T) {
	tests := []struct{ method, path, want string }{
		{"POST", "/users", "POST /users"},
		{"GET", "/users", "GET /users"},
		{"GET", "/users/ada%40example.com", "GET /users/{userId}"},
		{"PATCH", "/users/u1", "PATCH /users/{userId}"},
		{"PUT", "/users/we%2Fird/status", "PUT /users/{userId}/status"},
		{"DELETE", "/users/me", "DELETE /users/{userId}"},
		{"GET", "/groups", "GET /groups"},
		{"GET", "/groups/secretGroupId", "GET /groups/{groupId}"},
		{"POST", "/groups/g1/members", "POST /groups/{groupId}/members"},
		{"DELETE", "/groups/g1/members/ada%40example.com", "DELETE /groups/{groupId}/members/{memberId}"},
		{"GET", "/roles", "GET /roles"},
		{"POST", "/roles/1/members", "POST /roles/{roleId}/members"},
		{"DELETE", "/roles/custom9/members/u1", "DELETE /roles/{roleId}/members/{memberId}"},
	}
	for _, tc := range tests {
		if got := endpointOf(tc.method, tc.path); got != tc.want {
			t.Errorf("endpointOf(%s, %s) = %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}

func TestBudgetMetrics(t *testing.T) {
	clock := newFakeClock()
	first := NewBudget(BudgetOptions{Account: "team-a/zoom", Plan: "Pro", Now: clock.Now})
	t.Cleanup(func() { UnregisterBudget(first) })
	checkBudgetSeries(t, `
zoom_rate_budget_tokens{category="Light",zoom_account="team-a/zoom"} 1
zoom_rate_budget_tokens{category="Medium",zoom_account="team-a/zoom"} 1
`)
	if err := first.Wait(context.Background(), CategoryLight); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	checkBudgetSeries(t, `
zoom_rate_budget_tokens{category="Light",zoom_account="team-a/zoom"} 0
zoom_rate_budget_tokens{category="Medium",zoom_account="team-a/zoom"} 1
`)

	// A new plan means a new budget for the same account: it takes over.
	second := NewBudget(BudgetOptions{Account: "team-a/zoom", Plan: "Business", Now: clock.Now})
	t.Cleanup(func() { UnregisterBudget(second) })
	UnregisterBudget(first)
	checkBudgetSeries(t, `
zoom_rate_budget_tokens{category="Light",zoom_account="team-a/zoom"} 1
zoom_rate_budget_tokens{category="Medium",zoom_account="team-a/zoom"} 1
`)
	second.Throttled(CategoryMedium, clock.Now())
	if err := testutil.CollectAndCompare(budgetMetrics, strings.NewReader(`
# HELP zoom_rate_budget_limit Current rate of the account's budget in calls per second, lowered after 429s.
# TYPE zoom_rate_budget_limit gauge
zoom_rate_budget_limit{category="Light",zoom_account="team-a/zoom"} 80
zoom_rate_budget_limit{category="Medium",zoom_account="team-a/zoom"} 48
`), "zoom_rate_budget_limit"); err != nil {
		t.Error(err)
	}
	for range 61 {
		second.logSend(CategoryMedium, clock.Now(), true)
	}
	if err := testutil.CollectAndCompare(budgetMetrics, strings.NewReader(`
# HELP zoom_rate_budget_held_total Calls held back at the moment of sending because earlier turns went out late and the last 1.03 s already had the limit's worth.
# TYPE zoom_rate_budget_held_total counter
zoom_rate_budget_held_total{category="Light",zoom_account="team-a/zoom"} 0
zoom_rate_budget_held_total{category="Medium",zoom_account="team-a/zoom"} 1
`), "zoom_rate_budget_held_total"); err != nil {
		t.Error(err)
	}

	UnregisterBudget(second)
	if n := testutil.CollectAndCount(budgetMetrics); n != 0 {
		t.Errorf("%d series after unregistering, want 0", n)
	}
}

// checkBudgetSeries compares zoom_rate_budget_tokens, as the controller-runtime
// registry serves it, with want.
func checkBudgetSeries(t *testing.T, want string) {
	t.Helper()
	header := `
# HELP zoom_rate_budget_tokens Calls the account's rate budget allows right now; negative while callers queue.
# TYPE zoom_rate_budget_tokens gauge`
	if err := testutil.GatherAndCompare(metrics.Registry, strings.NewReader(header+want), "zoom_rate_budget_tokens"); err != nil {
		t.Error(err)
	}
}
