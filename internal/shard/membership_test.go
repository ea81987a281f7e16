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

package shard

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

// A member holds a live Lease while renewals succeed; once they fail it is
// no longer Fresh after RenewDeadline, before the Lease lapses, and Start
// returns an error so that the manager stops.
func TestMembershipRenewsThenGivesUp(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	var cutOff atomic.Bool
	failWhenCut := func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
		if cutOff.Load() {
			return errors.New("connection refused")
		}
		return c.Get(ctx, key, obj, opts...)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithInterceptorFuncs(interceptor.Funcs{Get: failWhenCut}).Build()
	m := &Membership{Client: c, Namespace: "ops", ID: "replica-a", Duration: 3 * time.Second, RenewDeadline: 2 * time.Second}
	if m.Fresh() {
		t.Fatal("Fresh before the first renewal")
	}
	done := make(chan error, 1)
	go func() { done <- m.Start(context.Background()) }()

	var lease coordinationv1.Lease
	waitFor(t, "a live Lease", func() bool {
		err := c.Get(context.Background(), types.NamespacedName{Namespace: "ops", Name: LeaseName("replica-a")}, &lease)
		members, _ := Live([]coordinationv1.Lease{lease}, time.Now())
		return err == nil && len(members) == 1 && members[0] == "replica-a" && m.Fresh()
	})

	cutOff.Store(true)
	cut := time.Now()
	waitFor(t, "Fresh to turn false", func() bool { return !m.Fresh() })
	exp := lease.Spec.RenewTime.Add(m.Duration)
	if now := time.Now(); !now.Before(exp) {
		t.Errorf("still Fresh at %v, when the Lease lapsed at %v", now, exp)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("Start returned nil after renewals failed")
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("Start still runs %s after renewals began to fail", time.Since(cut).Round(time.Millisecond))
	}
}

// The Ring times Leases by its own clock: a holder whose clock runs far
// behind still counts as alive while it renews, and lapses a duration
// after its last renewal was seen; a replica owns nothing while it has not
// seen its own Lease renewed lately.
func TestRingTimesLeasesByItsOwnClock(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	skewed := now.Add(-time.Hour) // the holders' clocks run an hour behind
	mine, theirs := lease(LeaseName("a"), "a", skewed, 15), lease(LeaseName("b"), "b", skewed, 15)
	for _, l := range []*coordinationv1.Lease{&mine, &theirs} {
		l.Namespace, l.Labels = "ops", map[string]string{LabelMember: "true"}
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(&mine, &theirs).Build()
	r := &Ring{Reader: c, Namespace: "ops", Self: "a", SelfFresh: 10 * time.Second, Now: func() time.Time { return now }}
	members := func() []string {
		m, _, err := r.Members(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(m)
		return m
	}
	renew := func(l *coordinationv1.Lease) {
		l.Spec.RenewTime = ptr(metav1.NewMicroTime(l.Spec.RenewTime.Add(5 * time.Second)))
		if err := c.Update(context.Background(), l); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"a", "b"}, members()); diff != "" {
		t.Errorf("first seen, an hour behind (-want +got):\n%s", diff)
	}
	now = now.Add(12 * time.Second)
	renew(&mine)
	if diff := cmp.Diff([]string{"a", "b"}, members()); diff != "" {
		t.Errorf("12 s on, within b's 15 s (-want +got):\n%s", diff)
	}
	now = now.Add(4 * time.Second)
	if diff := cmp.Diff([]string{"a"}, members()); diff != "" {
		t.Errorf("16 s after b was last seen renewed (-want +got):\n%s", diff)
	}
	key := Key("https://api.zoom.us/v2", "x")
	if owns, err := r.Owns(context.Background(), key); err != nil || !owns {
		t.Errorf("sole member with its own Lease seen 4 s ago: Owns = %v, %v; want true", owns, err)
	}
	now = now.Add(7 * time.Second) // own renewal seen 11 s ago: the cache lags
	if owns, _ := r.Owns(context.Background(), key); owns {
		t.Error("Owns is true although this replica has not seen its own Lease renewed for 11 s")
	}
}

func ptr[T any](v T) *T { return &v }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 10s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
