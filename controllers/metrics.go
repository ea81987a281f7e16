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

package controllers

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
)

var zoomUsersDesc = prometheus.NewDesc("zoom_users",
	"ZoomUsers by Zoom account (the id of the account that authenticated; empty while the user's account object has not), Zoom state (pending, active, inactive, or empty before creation) and Ready condition.",
	[]string{"zoom_account", "state", "ready"}, nil)

// userCollector counts ZoomUsers from the manager's cache when scraped, so
// the gauge is exact and costs nothing between scrapes. Users are counted
// under the Zoom account their account object authenticated as: an object
// name is a tenant's choice, and would let a tenant add series at will.
type userCollector struct {
	reader client.Reader
	pool   *accountpool.Pool
}

func (c *userCollector) Describe(ch chan<- *prometheus.Desc) { ch <- zoomUsersDesc }

func (c *userCollector) Collect(ch chan<- prometheus.Metric) {
	var users zoomv1.ZoomUserList
	if err := c.reader.List(context.Background(), &users, client.UnsafeDisableDeepCopy); err != nil {
		ch <- prometheus.NewInvalidMetric(zoomUsersDesc, err)
		return
	}
	type labels struct{ account, state, ready string }
	counts := map[labels]int{}
	accounts := c.pool.AccountIDs()
	for i := range users.Items {
		zu := &users.Items[i]
		ready := "Unknown"
		if c := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReady); c != nil {
			ready = string(c.Status)
		}
		counts[labels{accounts[accountKey(zu.Namespace, zu.Spec.AccountRef)], zu.Status.State, ready}]++
	}
	for l, n := range counts {
		ch <- prometheus.MustNewConstMetric(zoomUsersDesc, prometheus.GaugeValue, float64(n), l.account, l.state, l.ready)
	}
}
