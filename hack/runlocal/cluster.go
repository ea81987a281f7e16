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
	"context"
	"path/filepath"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

// startControlPlane starts kube-apiserver and etcd with the CRDs installed,
// and writes a kubeconfig for an admin user that the manager and kubectl
// share, under an absolute path so that the printed `export KUBECONFIG=`
// works from any directory.
func (s *session) startControlPlane(ctx context.Context) error {
	assets := s.opts.getenv("KUBEBUILDER_ASSETS")
	s.say("starting control plane (kube-apiserver, etcd from %s)", assets)
	cp, err := testenv.Start(testenv.Options{
		Dir:        filepath.Dir(s.opts.kubeconfigOut),
		Kubeconfig: s.opts.kubeconfigOut,
		AssetsDir:  assets,
		CRDDir:     s.opts.crdDir,
	})
	if err != nil {
		return err
	}
	s.onStop(func() { s.stopControlPlane(cp) })
	s.client, s.kubeconf = cp.Admin, cp.Kubeconfig
	s.say("control plane up at %s; kubeconfig %s", cp.AdminConfig.Host, s.kubeconf)
	return ctx.Err()
}

func (s *session) stopControlPlane(cp *testenv.ControlPlane) {
	s.say("stopping control plane")
	if err := cp.Stop(); err != nil {
		s.say("stopping control plane: %v", err)
	}
}
