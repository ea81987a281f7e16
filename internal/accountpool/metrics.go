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

package accountpool

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var gateClosedDesc = prometheus.NewDesc("zoom_create_gate_closed",
	"1 while the Zoom account's daily-create gate is closed (Zoom's daily invite cap was reached), else 0.",
	[]string{"zoom_account"}, nil)

// Collector reports the pool's gates at scrape time.
func (p *Pool) Collector() prometheus.Collector { return poolCollector{p} }

type poolCollector struct{ p *Pool }

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) { ch <- gateClosedDesc }

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	c.p.mu.Lock()
	states := make([]*zoomState, 0, len(c.p.zoom))
	for _, st := range c.p.zoom {
		states = append(states, st)
	}
	c.p.mu.Unlock()
	// One series per account id: the same id behind two API URLs (a
	// test's fakes) reports closed when either gate is.
	closed := map[string]float64{}
	now := time.Now()
	for _, st := range states {
		v := closed[st.identity.AccountID]
		if !st.gate.ClosedUntil(now).IsZero() {
			v = 1
		}
		closed[st.identity.AccountID] = v
	}
	for account, v := range closed {
		ch <- prometheus.MustNewConstMetric(gateClosedDesc, prometheus.GaugeValue, v, account)
	}
}
