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

package deploy

import (
	"context"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/controllers"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/shard"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// leaderElectionID is the Lease name the manager binary uses.
const leaderElectionID = "zoom-operator.zoomoperator.dev"

// TestManagerRunsWithTheShippedRBAC installs config/default for real in a
// control plane of its own, then runs the controllers as the manager's
// ServiceAccount, electing a leader as the Deployment's --leader-elect asks:
// every permission the manager uses must come from config/rbac, or a
// ZoomUser never becomes Ready. It runs as one replica of several
// (--shard-id), which needs all that one manager does and more: its member
// Lease, the Leases' watch and the leader's label patches.
func TestManagerRunsWithTheShippedRBAC(t *testing.T) {
	needAssets(t)
	needKubectl(t)
	setupLogging()

	c, err := startControlPlane(testenv.Options{RepoRoot: repoRoot, Dir: t.TempDir(), WithoutCRDs: true})
	if err != nil {
		t.Fatalf("starting a control plane: %v", err)
	}
	t.Cleanup(func() { _ = c.cp.Stop() })
	env := c.cp.Env
	if stdout, stderr, err := c.kubectl(t, render(t, "config/default"), "apply", "--server-side", "-f", "-"); err != nil {
		t.Fatalf("applying config/default: %v\n%s%s", err, stdout, stderr)
	}
	if stdout, stderr, err := c.kubectl(t, nil, "wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"); err != nil {
		t.Fatalf("waiting for the CRDs: %v\n%s%s", err, stdout, stderr)
	}

	sharded := &controllers.ShardOptions{ID: "replica-a", Namespace: operatorNamespace, LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second}
	serviceAccount, err := env.AddUser(envtest.User{
		Name:   "system:serviceaccount:" + operatorNamespace + ":zoom-operator-controller-manager",
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + operatorNamespace, "system:authenticated"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(serviceAccount.Config(), ctrl.Options{
		Scheme:                        c.client.Scheme(),
		Metrics:                       metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress:        "0",
		LeaderElection:                true,
		LeaderElectionID:              leaderElectionID,
		LeaderElectionNamespace:       operatorNamespace,
		LeaderElectionReleaseOnCancel: true,
		Cache:                         cache.Options{ByObject: sharded.CacheByObject()},
	})
	if err != nil {
		t.Fatal(err)
	}
	hosts, err := accountpool.ParseHosts("127.0.0.1") // the fake Zoom
	if err != nil {
		t.Fatal(err)
	}
	if err := controllers.Setup(mgr, controllers.Options{ResyncInterval: 10 * time.Minute, MaxConcurrentReconciles: 2, AllowedHosts: hosts, Shard: sharded}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		// A manager whose caches never synced may not return at all.
		select {
		case <-stopped:
		case <-time.After(30 * time.Second):
			t.Log("the manager did not stop within 30s")
		}
	})

	select {
	case <-mgr.Elected():
	case err := <-stopped:
		t.Fatalf("the manager stopped before it was elected: %v", err)
	case <-time.After(waitTimeout):
		// The manager campaigns once its caches synced, so a missing list or
		// watch permission shows here as well as a missing Lease permission.
		t.Fatal("the manager was never elected leader: may its ServiceAccount list and watch what it caches, and manage Leases in " + operatorNamespace + "?")
	}
	var lease coordinationv1.Lease
	if err := c.client.Get(context.Background(), client.ObjectKey{Namespace: operatorNamespace, Name: leaderElectionID}, &lease); err != nil {
		t.Fatalf("reading the leader election Lease: %v", err)
	}
	if lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity == "" {
		t.Errorf("Lease %s has no holder", leaderElectionID)
	}

	fake := newFakeZoom(t, zoomfake.Options{})
	c.create(t, fake.secret(operatorNamespace, "zoom-s2s"))
	c.create(t, &zoomv1.ClusterZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "default"},
		Spec: zoomv1.ClusterZoomAccountSpec{
			CredentialsSecretRef: zoomv1.SecretReference{Name: "zoom-s2s", Namespace: operatorNamespace},
			AccountSettings:      fake.settings(),
		},
	})
	tn := &tenant{c: c, ns: "team-rbac", fake: fake}
	c.ensureNamespace(t, tn.ns)
	c.create(t, &zoomv1.ZoomUser{
		ObjectMeta: metav1.ObjectMeta{Name: "ada", Namespace: tn.ns},
		Spec:       zoomv1.ZoomUserSpec{Email: "ada@example.com", Action: zoomv1.ActionSSOCreate, FirstName: "Ada", LastName: "Lovelace"},
	})
	tn.waitUser(t, "ada", "Ready at its generation", readyAtGeneration)
	var zu zoomv1.ZoomUser
	if err := c.client.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: "ada"}, &zu); err != nil {
		t.Fatal(err)
	}
	if got := zu.Labels[shard.LabelShard]; got != sharded.ID {
		t.Errorf("ZoomUser ada's shard label = %q, want %q", got, sharded.ID)
	}
	if stdout, stderr, err := c.kubectl(t, nil, "wait", "--for=condition=Ready", "clusterzoomaccount/default", "--timeout=60s"); err != nil {
		t.Errorf("the ClusterZoomAccount did not become Ready: %v\n%s%s", err, stdout, stderr)
	}
}
