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

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

// The harness's own client may go as fast as the API server answers: its
// creates are the load being measured, and it makes few other calls.
const (
	harnessQPS   = 1000
	harnessBurst = 2000
)

// controlPlane is envtest's kube-apiserver and etcd with the CRDs installed.
type controlPlane struct {
	cp         *testenv.ControlPlane
	cfg        *rest.Config // admin, with the harness's QPS
	kubeconfig string       // the same admin, as a file for the manager
	client     client.Client
}

// startControlPlane starts a fresh API server and etcd, and writes an admin
// kubeconfig that the manager uses into dir.
func startControlPlane(assets, crdDir, dir string) (*controlPlane, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cp, err := testenv.Start(testenv.Options{
		Dir: dir, AssetsDir: assets, CRDDir: crdDir, QPS: harnessQPS, Burst: harnessBurst,
	})
	if err != nil {
		return nil, fmt.Errorf("starting control plane: %w", err)
	}
	return &controlPlane{cp: cp, cfg: cp.AdminConfig, kubeconfig: cp.Kubeconfig, client: cp.Admin}, nil
}

func (cp *controlPlane) stop() {
	_ = cp.cp.Stop()
}
