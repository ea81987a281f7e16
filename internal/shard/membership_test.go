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
	"sync/atomic"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
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
		return err == nil && Alive(&lease, time.Now()) && m.Fresh()
	})
	if members, _ := Live([]coordinationv1.Lease{lease}, time.Now()); len(members) != 1 || members[0] != "replica-a" {
		t.Errorf("live members = %v, want [replica-a]", members)
	}

	cutOff.Store(true)
	cut := time.Now()
	waitFor(t, "Fresh to turn false", func() bool { return !m.Fresh() })
	exp, _ := Expiry(&lease)
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
