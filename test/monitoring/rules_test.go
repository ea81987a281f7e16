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

// Package monitoring evaluates the alerts of config/prometheus with
// Prometheus's own rule engine against sample series, as "promtool test
// rules" does, and parses every query of the Grafana dashboard.
package monitoring

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/rules"
)

var (
	rulesFile     = filepath.Join("..", "..", "config", "prometheus", "rules", "zoom-operator.rules.yaml")
	dashboardFile = filepath.Join("..", "..", "config", "prometheus", "dashboards", "zoom-operator.json")
)

// managerUp is one manager answering scrapes under the job name the
// ServiceMonitor gives it; cases that are not about the manager being down
// start from it.
const managerUp = `up{job="zoom-operator-controller-manager-metrics-service", pod="a"} 1x120` + "\n"

// TestAlerts loads series sampled every minute, evaluates the rule groups
// every minute up to "at", and compares the alerts firing then.
func TestAlerts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		series string
		at     time.Duration
		want   []string
	}{{
		name: "healthy",
		series: managerUp + `
zoom_users{zoom_account="default", state="active", ready="True"} 5x120
zoom_api_requests_total{zoom_account="default", endpoint="POST /oauth/token", code="200"} 0+1x120
zoom_api_requests_total{zoom_account="default", endpoint="GET /users/{userId}", code="200"} 0+100x120
zoom_api_rate_limited_total{zoom_account="default", type="QPS"} 3x120
zoom_create_gate_closed{zoom_account="default"} 0x120`,
		at: 60 * time.Minute,
	}, {
		name:   "no manager up for 5 minutes",
		series: `up{job="zoom-operator-controller-manager-metrics-service", pod="a"} 0x120`,
		at:     6 * time.Minute,
		want:   []string{`ZoomOperatorDown{severity="critical"}`},
	}, {
		name:   "no manager scraped at all",
		series: `up{job="other"} 1x120`,
		at:     6 * time.Minute,
		want:   []string{`ZoomOperatorDown{severity="critical"}`},
	}, {
		name:   "one of two managers down",
		series: managerUp + `up{job="zoom-operator-controller-manager-metrics-service", pod="b"} 0x120`,
		at:     30 * time.Minute,
	}, {
		name:   "manager down for 4 minutes only",
		series: `up{job="zoom-operator-controller-manager-metrics-service", pod="a"} 0 0 0 0 0 1x120`,
		at:     10 * time.Minute,
	}, {
		name: "users not Ready for 15 minutes",
		series: managerUp + `
zoom_users{zoom_account="default", state="active", ready="True"} 5x120
zoom_users{zoom_account="default", state="pending", ready="False"} 2x120
zoom_users{zoom_account="other", state="active", ready="True"} 1x120`,
		at:   17 * time.Minute,
		want: []string{`ZoomUsersNotReady{severity="warning", zoom_account="default"}`},
	}, {
		name: "users not Ready for 14 minutes",
		series: managerUp + `
zoom_users{zoom_account="default", state="pending", ready="False"} 2x120`,
		at: 14 * time.Minute,
	}, {
		name: "users Ready again after 14 minutes",
		series: managerUp + `
zoom_users{zoom_account="default", state="pending", ready="False"} 2x13 0x120`,
		at: 20 * time.Minute,
	}, {
		name: "429s without pause",
		series: managerUp + `
zoom_api_rate_limited_total{zoom_account="default", type="QPS"} 0+2x120`,
		at:   30 * time.Minute,
		want: []string{`ZoomAPIRateLimited{severity="warning", type="QPS", zoom_account="default"}`},
	}, {
		name: "one burst of 429s",
		series: managerUp + `
zoom_api_rate_limited_total{zoom_account="default", type="QPS"} 0 0 0 40x120`,
		at: 30 * time.Minute,
	}, {
		name: "daily create cap reached",
		series: managerUp + `
zoom_create_gate_closed{zoom_account="default"} 0 0 1x120
zoom_create_gate_closed{zoom_account="other"} 0x120`,
		at:   10 * time.Minute,
		want: []string{`ZoomDailyCreateCapReached{severity="warning", zoom_account="default"}`},
	}, {
		name: "token requests failing",
		series: managerUp + `
zoom_api_requests_total{zoom_account="default", endpoint="POST /oauth/token", code="401"} 0+1x120
zoom_api_requests_total{zoom_account="other", endpoint="POST /oauth/token", code="200"} 0+1x120`,
		at:   25 * time.Minute,
		want: []string{`ZoomTokenRequestsFailing{severity="critical", zoom_account="default"}`},
	}, {
		name: "token requests failing now and then",
		series: managerUp + `
zoom_api_requests_total{zoom_account="default", endpoint="POST /oauth/token", code="error"} 0+1x120
zoom_api_requests_total{zoom_account="default", endpoint="POST /oauth/token", code="200"} 0+1x120`,
		at: 60 * time.Minute,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := firingAt(t, tc.series, tc.at)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("alerts firing at %s (-want +got):\n%s", tc.at, diff)
			}
		})
	}
}

// firingAt evaluates the rule file every minute from 0 to at over series
// (in promqltest's "load" notation) and returns the firing alerts then, as
// "name{labels}" without alertname.
func firingAt(t *testing.T, series string, at time.Duration) []string {
	t.Helper()
	ll, err := promqltest.NewLazyLoader("load 1m\n"+indent(series), promqltest.LazyLoaderOpts{EnableAtModifier: true, EnableNegativeOffset: true})
	if err != nil {
		t.Fatalf("loading series: %v", err)
	}
	defer ll.Close()
	mgr := rules.NewManager(&rules.ManagerOptions{
		QueryFunc:  rules.EngineQueryFunc(ll.QueryEngine(), ll.Storage()),
		Appendable: ll.Storage(),
		Queryable:  ll.Storage(),
		Context:    context.Background(),
		NotifyFunc: func(context.Context, string, ...*rules.Alert) {},
	})
	groups, errs := mgr.LoadGroups(time.Minute, labels.EmptyLabels(), "", nil, false, rulesFile)
	if len(errs) > 0 {
		t.Fatalf("loading %s: %v", rulesFile, errs)
	}
	var loadErr error
	for ts := time.Duration(0); ts <= at; ts += time.Minute {
		now := time.Unix(0, 0).UTC().Add(ts)
		ll.WithSamplesTill(now, func(err error) { loadErr = err })
		if loadErr != nil {
			t.Fatal(loadErr)
		}
		if ts == 0 {
			checkLoaded(t, ll, strings.Count(indent(series), "\n")+1)
		}
		for _, g := range groups {
			g.Eval(context.Background(), now)
		}
	}
	var firing []string
	for _, g := range groups {
		for _, r := range g.Rules() {
			if err := r.LastError(); err != nil {
				t.Errorf("rule %s: %v", r.Name(), err)
			}
			ar, ok := r.(*rules.AlertingRule)
			if !ok {
				continue
			}
			for _, a := range ar.ActiveAlerts() {
				if a.State == rules.StateFiring {
					firing = append(firing, ar.Name()+a.Labels.DropMetricName().MatchLabels(false, "alertname").String())
				}
			}
		}
	}
	slices.Sort(firing)
	return firing
}

// checkLoaded fails unless want series were loaded: a line the loader
// skipped would make a case pass for the wrong reason.
func checkLoaded(t *testing.T, ll *promqltest.LazyLoader, want int) {
	t.Helper()
	q, err := ll.QueryEngine().NewInstantQuery(ll.Context(), ll.Queryable(), nil, `count({__name__=~".+"})`, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	res := q.Exec(ll.Context())
	v, err := res.Vector()
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 1 || int(v[0].F) != want {
		t.Fatalf("loaded %v series, want %d", v, want)
	}
}

// indent makes the series lines the body of one "load" command, which a
// blank line would end.
func indent(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, "  "+l)
		}
	}
	return strings.Join(out, "\n")
}

// TestAlertsAreDocumented checks that every alert has a summary, a
// severity, and a section in docs/operations.md that says what to do.
func TestAlertsAreDocumented(t *testing.T) {
	mgr := rules.NewManager(&rules.ManagerOptions{Context: context.Background()})
	groups, errs := mgr.LoadGroups(time.Minute, labels.EmptyLabels(), "", nil, false, rulesFile)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ops, err := os.ReadFile(filepath.Join("..", "..", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range groups {
		for _, r := range g.Rules() {
			ar, ok := r.(*rules.AlertingRule)
			if !ok {
				continue
			}
			n++
			if ar.Labels().Get("severity") == "" || ar.Annotations().Get("summary") == "" {
				t.Errorf("%s lacks a severity label or a summary annotation", ar.Name())
			}
			if !strings.Contains(string(ops), "### "+ar.Name()) {
				t.Errorf("docs/operations.md has no section \"### %s\"", ar.Name())
			}
		}
	}
	if n != 5 {
		t.Errorf("%d alerts, want 5", n)
	}
}

// TestDashboardQueriesParse parses every query of the Grafana dashboard and
// checks that they only name metrics the manager exports (or Prometheus's
// own up).
func TestDashboardQueriesParse(t *testing.T) {
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var board struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(data, &board); err != nil {
		t.Fatal(err)
	}
	p := parser.NewParser(parser.Options{})
	known := []string{"up", "zoom_users", "zoom_api_requests_total", "zoom_api_rate_limited_total", "zoom_rate_budget_tokens",
		"zoom_rate_budget_limit", "zoom_create_gate_closed", "zoom_api_request_duration_seconds_bucket",
		"controller_runtime_reconcile_total", "controller_runtime_reconcile_time_seconds_bucket", "workqueue_depth",
		"process_resident_memory_bytes"}
	queries := 0
	for _, panel := range board.Panels {
		for _, target := range panel.Targets {
			queries++
			expr, err := p.ParseExpr(target.Expr)
			if err != nil {
				t.Errorf("panel %q: %v", panel.Title, err)
				continue
			}
			for _, name := range metricNames(expr) {
				if !slices.Contains(known, name) {
					t.Errorf("panel %q queries %s, which nothing exports", panel.Title, name)
				}
			}
		}
	}
	if queries == 0 {
		t.Fatal("the dashboard has no queries")
	}
}

func metricNames(expr parser.Expr) []string {
	var names []string
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			names = append(names, vs.Name)
		}
		return nil
	})
	return names
}
