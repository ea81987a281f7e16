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
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// startControlPlane starts kube-apiserver and etcd with the CRDs installed,
// and writes a kubeconfig for an admin user that the manager and kubectl
// share.
func (s *session) startControlPlane(ctx context.Context) error {
	assets := s.opts.getenv("KUBEBUILDER_ASSETS")
	s.say("starting control plane (kube-apiserver, etcd from %s)", assets)
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{s.opts.crdDir},
		ErrorIfCRDPathMissing: true,
	}
	if _, err := env.Start(); err != nil {
		// A half-started control plane may still hold processes.
		_ = env.Stop()
		return fmt.Errorf("starting control plane: %w", err)
	}
	s.onStop(func() { s.stopControlPlane(env) })

	cfg, err := s.writeAdminKubeconfig(env)
	if err != nil {
		return err
	}
	s.client, err = newClient(cfg)
	if err != nil {
		return err
	}
	s.say("control plane up at %s; kubeconfig %s", cfg.Host, s.kubeconf)
	return ctx.Err()
}

func (s *session) stopControlPlane(env *envtest.Environment) {
	s.say("stopping control plane")
	if err := env.Stop(); err != nil {
		s.say("stopping control plane: %v", err)
	}
}

// writeAdminKubeconfig adds a system:masters user and writes its kubeconfig
// under an absolute path, so that the printed `export KUBECONFIG=` works from
// any directory.
func (s *session) writeAdminKubeconfig(env *envtest.Environment) (*rest.Config, error) {
	admin, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, fmt.Errorf("adding admin user: %w", err)
	}
	data, err := admin.KubeConfig()
	if err != nil {
		return nil, fmt.Errorf("admin kubeconfig: %w", err)
	}
	path, err := filepath.Abs(s.opts.kubeconfigOut)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	// It holds a client key with full rights over the cluster.
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("writing kubeconfig: %w", err)
	}
	s.kubeconf = path
	return admin.Config(), nil
}

func newClient(cfg *rest.Config) (client.Client, error) {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(zoomv1.AddToScheme(scheme))
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return c, nil
}
