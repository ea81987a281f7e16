package controllers

import (
	"context"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

var zoomUsersDesc = prometheus.NewDesc("zoom_users",
	"ZoomUsers by account object, Zoom state (pending, active, inactive, or empty before creation) and Ready condition.",
	[]string{"account", "state", "ready"}, nil)

// userCollector counts ZoomUsers from the manager's cache when scraped, so
// the gauge is exact and costs nothing between scrapes.
type userCollector struct {
	reader client.Reader
}

var registerUsers sync.Once

// registerUserMetrics registers zoom_users once per process.
func registerUserMetrics(reader client.Reader) {
	registerUsers.Do(func() { metrics.Registry.MustRegister(&userCollector{reader: reader}) })
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
	for i := range users.Items {
		zu := &users.Items[i]
		ready := "Unknown"
		if c := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReady); c != nil {
			ready = string(c.Status)
		}
		counts[labels{accountKey(zu.Namespace, zu.Spec.AccountRef), zu.Status.State, ready}]++
	}
	for l, n := range counts {
		ch <- prometheus.MustNewConstMetric(zoomUsersDesc, prometheus.GaugeValue, float64(n), l.account, l.state, l.ready)
	}
}
