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
	"net/http"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// Each Zoom fault lasts a few requests; the operator must back off (no hot
// loop), say what is wrong while it lasts, and recover without a restart,
// with exactly one Zoom user in the end.
func TestZoomFaultsAreSurvived(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault zoomfake.Fault
		max   int // bound on the faulted endpoint's calls: no hot loop
	}{
		{"5xx burst", zoomfake.Fault{Endpoint: zoomfake.EndpointCreateUser, Times: 3, Status: http.StatusServiceUnavailable, Code: 503, Message: "Service Unavailable"}, 4},
		{"slower than the client timeout", zoomfake.Fault{Endpoint: zoomfake.EndpointCreateUser, Times: 1, Latency: zoomTimeout + time.Second}, 2},
		{"dropped connections", zoomfake.Fault{Endpoint: zoomfake.EndpointCreateUser, Times: 2, Drop: true}, 3},
		{"malformed JSON", zoomfake.Fault{Endpoint: zoomfake.EndpointGetUser, Times: 2, MalformedJSON: true}, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tn := newTenant(t, zoomfake.Options{}, false)
			tn.fake.InjectFault(tc.fault)
			tn.create(tn.user("f", "f@example.com"))
			zu := tn.waitReady("f")
			remote, _ := tn.fake.User("f@example.com")
			if zu.Status.ID != remote.ID || len(tn.fake.Users()) != 1 {
				t.Errorf("status.id %q, Zoom users %+v: want exactly the one user", zu.Status.ID, tn.fake.Users())
			}
			if n := tn.fake.Count(tc.fault.Endpoint); n > tc.max {
				t.Errorf("%s calls = %d, want at most %d", tc.fault.Endpoint, n, tc.max)
			}
			tn.waitEvent("f", corev1.EventTypeWarning, zoomv1.ReasonZoomUnavailable, "")
		})
	}
}

func TestTokenEndpointDownThenBack(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.fake.InjectFault(zoomfake.Fault{Endpoint: zoomfake.EndpointToken, Status: http.StatusBadGateway})
	tn.create(tn.user("t", "t@example.com"))
	tn.waitReason("t", zoomv1.ReasonZoomUnavailable)
	waitAccount(t, tn, "False", zoomv1.ReasonZoomUnavailable)

	time.Sleep(3 * time.Second)
	// Two reconcilers back off on their own: a handful of tries, not hundreds.
	if n := tn.fake.Count(zoomfake.EndpointToken); n > 16 {
		t.Errorf("token requests while down = %d, want backoff", n)
	}
	tn.fake.ClearFaults()
	tn.waitReady("t")
	waitAccount(t, tn, "True", zoomv1.ReasonAuthenticated)
}
