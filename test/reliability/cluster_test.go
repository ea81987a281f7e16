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

package reliability

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

// cluster is one test's control plane with the CRDs installed, an admin
// kubeconfig that the managers use, and a client for the test. Each test
// has its own, so that no object, Lease or restart of one test reaches
// another.
type cluster struct {
	t        *testing.T
	dir      string // the test's files: certificates, kubeconfig, logs
	cp       *testenv.ControlPlane
	client   client.Client
	managers []*testenv.Manager // every manager started, for the logs on failure
}

// newCluster starts kube-apiserver and etcd, or skips the test when the
// envtest binaries are not configured. The API server can be restarted
// (stopAPIServer, then startAPIServer) with the kubeconfig staying valid.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	return startCluster(t, false)
}

// newAuditedCluster is newCluster with an audit log of the requests about
// ZoomUsers (cp.AuditEvents).
func newAuditedCluster(t *testing.T) *cluster {
	t.Helper()
	return startCluster(t, true)
}

func startCluster(t *testing.T, audit bool) *cluster {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set; run with KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh)")
	}
	dir := t.TempDir()
	start := time.Now()
	cp, err := testenv.Start(testenv.Options{RepoRoot: repoRoot, Dir: dir, Restartable: true, AuditZoomUsers: audit})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cp.Stop(); err != nil {
			t.Errorf("stopping the control plane: %v", err)
		}
	})
	t.Logf("control plane up in %s", time.Since(start).Round(time.Millisecond))
	c := &cluster{t: t, dir: dir, cp: cp, client: cp.Admin}
	t.Cleanup(c.logManagersOnFailure)
	return c
}

// stopAPIServer stops kube-apiserver; etcd keeps running. It returns the
// URL the server had, for startAPIServer to check.
func (c *cluster) stopAPIServer() string {
	c.t.Helper()
	url := c.cp.URL()
	start := time.Now()
	if err := c.cp.StopAPIServer(); err != nil {
		c.t.Fatalf("stopping kube-apiserver: %v", err)
	}
	c.t.Logf("kube-apiserver stopped in %s", time.Since(start).Round(time.Millisecond))
	return url
}

// startAPIServer starts kube-apiserver again on the same etcd, at url.
func (c *cluster) startAPIServer(url string) {
	c.t.Helper()
	if err := c.cp.StartAPIServer(url); err != nil {
		c.t.Fatal(err)
	}
}

// createNamespace creates a namespace for the test's ZoomUsers.
func (c *cluster) createNamespace(ctx context.Context, name string) {
	c.t.Helper()
	if err := testenv.CreateAll(ctx, c.client, testenv.Namespace(name)); err != nil {
		c.t.Fatal(err)
	}
}

// createAccount creates the operator's namespace, the credentials Secret
// and the ClusterZoomAccount "default" pointing at z, which the ZoomUsers
// use.
func (c *cluster) createAccount(ctx context.Context, z *zoomServer) {
	c.t.Helper()
	settings := z.Target().Settings()
	settings.Plan = zoomv1.PlanPro
	if err := testenv.CreateAll(ctx, c.client, testenv.DefaultClusterTenant(settings, z.Target())...); err != nil {
		c.t.Fatal(err)
	}
}

// createPersistently creates obj, retrying while the API server is away
// (restarted by the test); an object that already exists counts as created,
// since an earlier attempt may have succeeded without its answer arriving.
func (c *cluster) createPersistently(ctx context.Context, obj client.Object) error {
	for {
		err := c.client.Create(ctx, obj.DeepCopyObject().(client.Object))
		if err == nil || apierrors.IsAlreadyExists(err) {
			return nil
		}
		if apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) || apierrors.IsForbidden(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
