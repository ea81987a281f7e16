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

package zoom_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// BenchmarkPacing creates -pacing-users users through one account's client
// and budget with 16 workers, as the manager's reconcilers would, against
// the fake Zoom at the plan's limits, counted per clock second or over any
// sliding second. It measures the pacing alone, without a Kubernetes API
// server, so that Business's 80 creates a second can be shown on a machine
// whose control plane cannot take them. A worker handed a *WaitError sleeps
// for it, as a requeue would; one answered 429 retries after a second, as
// the reconciler's per-second outcome does. Reported: T over the floor
// (N / the Light limit), 429s and calls per user.
//
//	go test ./internal/zoom -run '^$' -bench Pacing -benchtime=1x [-pacing-users=10000]
func BenchmarkPacing(b *testing.B) {
	limits := map[zoom.Plan][2]int{zoom.PlanPro: {30, 20}, zoom.PlanBusiness: {80, 60}}
	for _, plan := range []zoom.Plan{zoom.PlanPro, zoom.PlanBusiness} {
		for _, window := range []zoomfake.Window{zoomfake.WindowClock, zoomfake.WindowSliding} {
			b.Run(fmt.Sprintf("%s/%s", plan, window), func(b *testing.B) {
				for b.Loop() {
					r := pace(b, plan, window, limits[plan])
					b.ReportMetric(r.seconds/(float64(*pacingUsers)/float64(limits[plan][0])), "T/floor")
					b.ReportMetric(float64(r.throttled), "429s")
					b.ReportMetric(float64(r.calls)/float64(*pacingUsers), "calls/user")
					b.ReportMetric(float64(r.held), "held")
				}
			})
		}
	}
}

var pacingUsers = flag.Int("pacing-users", 1000, "users BenchmarkPacing creates per run")

type pacingRun struct {
	seconds          float64
	calls, throttled int64
	// held counts the calls the budget's send log held back.
	held int64
}

func pace(b *testing.B, plan zoom.Plan, window zoomfake.Window, limit [2]int) pacingRun {
	fake := zoomfake.New(zoomfake.Options{LightPerSecond: limit[0], MediumPerSecond: limit[1], Window: window})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	budget := zoom.NewBudget(zoom.BudgetOptions{Plan: plan})
	client := zoom.New(zoom.Config{APIURL: srv.URL + "/v2", TokenURL: srv.URL + "/oauth/token", Budget: budget})
	var next atomic.Int64
	var run pacingRun
	var wg sync.WaitGroup
	start := time.Now()
	for range 16 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(*pacingUsers); i = next.Add(1) {
				createPaced(b, client, fmt.Sprintf("user-%d@example.com", i), &run)
			}
		})
	}
	wg.Wait()
	run.seconds = time.Since(start).Seconds()
	run.held = budget.Held(zoom.CategoryLight)
	return run
}

// createPaced creates one user, waiting out the budget's hand-backs and
// retrying after per-second 429s.
func createPaced(b *testing.B, client *zoom.Client, email string, run *pacingRun) {
	req := zoom.CreateUserRequest{Action: "ssoCreate", UserInfo: zoom.UserInfo{Email: email, Type: 1}}
	for {
		_, err := client.CreateUser(context.Background(), req)
		var wait *zoom.WaitError
		switch {
		case err == nil:
			atomic.AddInt64(&run.calls, 1)
			return
		case errors.As(err, &wait):
			time.Sleep(wait.Delay)
		case zoom.Classify(err) == zoom.KindRateLimitedQPS:
			atomic.AddInt64(&run.calls, 1)
			atomic.AddInt64(&run.throttled, 1)
			time.Sleep(time.Second)
		default:
			b.Errorf("creating %s: %v", email, err)
			return
		}
	}
}
