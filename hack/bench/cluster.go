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

package main

import (
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// The harness's own client may go as fast as the API server answers: its
// creates are the load being measured, and it makes few other calls.
const (
	harnessQPS   = 1000
	harnessBurst = 2000
)

// controlPlane is envtest's kube-apiserver and etcd with the CRDs installed.
type controlPlane struct {
	env        *envtest.Environment
	cfg        *rest.Config // admin, with the harness's QPS
	kubeconfig string       // the same admin, as a file for the manager
	client     client.Client
}

// startControlPlane starts a fresh API server and etcd, and writes an admin
// kubeconfig that the manager uses.
func startControlPlane(assets, crdDir, kubeconfigPath string) (*controlPlane, error) {
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{crdDir},
		ErrorIfCRDPathMissing: true,
	}
	if _, err := env.Start(); err != nil {
		// A half-started control plane may still hold processes.
		_ = env.Stop()
		return nil, fmt.Errorf("starting control plane: %w", err)
	}
	cp := &controlPlane{env: env, kubeconfig: kubeconfigPath}
	if err := cp.writeAdminKubeconfig(); err != nil {
		cp.stop()
		return nil, err
	}
	var err error
	if cp.client, err = newClient(cp.cfg); err != nil {
		cp.stop()
		return nil, err
	}
	return cp, nil
}

func (cp *controlPlane) writeAdminKubeconfig() error {
	admin, err := cp.env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("adding admin user: %w", err)
	}
	data, err := admin.KubeConfig()
	if err != nil {
		return fmt.Errorf("admin kubeconfig: %w", err)
	}
	// It holds a client key with full rights over the cluster.
	if err := os.WriteFile(cp.kubeconfig, data, 0o600); err != nil {
		return fmt.Errorf("writing kubeconfig: %w", err)
	}
	cp.cfg = rest.CopyConfig(admin.Config())
	cp.cfg.QPS, cp.cfg.Burst = harnessQPS, harnessBurst
	return nil
}

func (cp *controlPlane) stop() {
	_ = cp.env.Stop()
}

func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(zoomv1.AddToScheme(scheme))
	return scheme
}

func newClient(cfg *rest.Config) (client.Client, error) {
	c, err := client.New(cfg, client.Options{Scheme: newScheme()})
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return c, nil
}
