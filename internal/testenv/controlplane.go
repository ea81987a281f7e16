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

package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// ManagerUser is the user the manager runs as when it holds only the
// generated ClusterRole.
const ManagerUser = "zoom-operator-manager"

// Scheme knows the built-in kinds and the operator's own.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(zoomv1.AddToScheme(s))
	return s
}

// Options says how to start a control plane.
type Options struct {
	// RepoRoot is the repository root; the CRDs come from
	// config/crd/bases and the manager's role from config/rbac/role.yaml
	// under it.
	RepoRoot string
	// Dir holds the admin kubeconfig and, when Restartable, the API
	// server's certificates. It must exist.
	Dir string
	// CRDDir overrides RepoRoot's config/crd/bases.
	CRDDir string
	// Kubeconfig overrides where the admin kubeconfig is written
	// (Dir/kubeconfig); its directory is created.
	Kubeconfig string
	// AssetsDir holds kube-apiserver and etcd; empty means
	// KUBEBUILDER_ASSETS.
	AssetsDir string
	// Restartable keeps the API server's certificates in Dir, and bounds
	// how long it drains watches when stopped, so that StopAPIServer and
	// StartAPIServer serve the same CA on the same port: the kubeconfig of
	// running managers stays valid.
	Restartable bool
	// WithoutCRDs leaves the CRDs out, for a caller that installs them
	// itself (as a user would, from config/default).
	WithoutCRDs bool
	// AuditZoomUsers makes the API server write an audit log of every
	// request about ZoomUsers (see ControlPlane.AuditEvents), so that a
	// test can prove what the manager was answered, e.g. a 409.
	AuditZoomUsers bool
	// QPS and Burst of the admin client; 0 means 500 and 1000, since
	// tests and benchmarks create many objects from several goroutines.
	QPS   float32
	Burst int
}

// Control-plane timeouts are generous: the machine may be busy with other
// runs, and a slow start is not what any caller measures.
const (
	startTimeout = 2 * time.Minute
	stopTimeout  = time.Minute
)

// ControlPlane is a running kube-apiserver and etcd with the CRDs installed,
// as a cluster admin sees it.
type ControlPlane struct {
	Env *envtest.Environment
	// Admin is a system:masters client, for the caller's own reads and writes.
	Admin       client.Client
	AdminConfig *rest.Config
	// Kubeconfig is a file holding the admin's credentials (absolute path).
	Kubeconfig string
	repoRoot   string
	auditLog   string // empty unless Options.AuditZoomUsers
}

// Start starts a control plane; the caller stops it with Stop.
func Start(o Options) (*ControlPlane, error) {
	env := &envtest.Environment{
		BinaryAssetsDirectory:    o.AssetsDir,
		CRDDirectoryPaths:        []string{orDefault(o.CRDDir, filepath.Join(o.RepoRoot, "config", "crd", "bases"))},
		ErrorIfCRDPathMissing:    true,
		ControlPlaneStartTimeout: startTimeout,
		ControlPlaneStopTimeout:  stopTimeout,
	}
	api := &envtest.APIServer{}
	env.ControlPlane.APIServer = api
	if o.WithoutCRDs {
		env.CRDDirectoryPaths, env.ErrorIfCRDPathMissing = nil, false
	}
	if o.Restartable {
		api.CertDir = filepath.Join(o.Dir, "apiserver")
		if err := os.MkdirAll(api.CertDir, 0o700); err != nil {
			return nil, err
		}
		// Without a bound on draining watches, stopping kube-apiserver
		// while a manager watches it outlasts the stop timeout.
		api.Configure().Set("shutdown-watch-termination-grace-period", "1s")
	}
	var auditLog string
	if o.AuditZoomUsers {
		var err error
		if auditLog, err = configureAudit(api, o.Dir); err != nil {
			return nil, err
		}
	}
	if _, err := env.Start(); err != nil {
		_ = env.Stop() // a half-started control plane may still hold processes
		return nil, fmt.Errorf("starting the control plane: %w", err)
	}
	cp := &ControlPlane{Env: env, repoRoot: o.RepoRoot, auditLog: auditLog}
	if err := cp.admin(o); err != nil {
		_ = env.Stop()
		return nil, err
	}
	return cp, nil
}

func (cp *ControlPlane) admin(o Options) error {
	user, err := cp.Env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("adding the admin user: %w", err)
	}
	if cp.Kubeconfig, err = writeKubeconfig(user, orDefault(o.Kubeconfig, filepath.Join(o.Dir, "kubeconfig"))); err != nil {
		return err
	}
	cp.AdminConfig = rest.CopyConfig(user.Config())
	cp.AdminConfig.QPS, cp.AdminConfig.Burst = orDefault(o.QPS, 500), orDefault(o.Burst, 1000)
	cp.Admin, err = client.New(cp.AdminConfig, client.Options{Scheme: Scheme()})
	return err
}

func writeKubeconfig(user *envtest.AuthenticatedUser, path string) (string, error) {
	data, err := user.KubeConfig()
	if err != nil {
		return "", fmt.Errorf("kubeconfig: %w", err)
	}
	if path, err = filepath.Abs(path); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	// It holds a client key with rights over the cluster.
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", fmt.Errorf("writing kubeconfig: %w", err)
	}
	return path, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Stop stops kube-apiserver and etcd.
func (cp *ControlPlane) Stop() error { return cp.Env.Stop() }

// URL is where the API server serves.
func (cp *ControlPlane) URL() string {
	return cp.Env.ControlPlane.APIServer.SecureServing.URL("https", "/").String()
}

// StopAPIServer stops kube-apiserver; etcd keeps running.
func (cp *ControlPlane) StopAPIServer() error { return cp.Env.ControlPlane.APIServer.Stop() }

// StartAPIServer starts kube-apiserver again on the same etcd and fails
// unless it serves at the URL it had, so that managers' kubeconfigs still fit.
func (cp *ControlPlane) StartAPIServer(wantURL string) error {
	if err := cp.Env.ControlPlane.APIServer.Start(); err != nil {
		return fmt.Errorf("starting kube-apiserver again: %w", err)
	}
	if got := cp.URL(); got != wantURL {
		return fmt.Errorf("kube-apiserver came back at %s, not %s", got, wantURL)
	}
	return nil
}

// ManagerIdentity binds ManagerUser to the generated ClusterRole
// (config/rbac/role.yaml) and nothing else, and returns its config and a
// kubeconfig file for it in dir. A manager run as this user proves that the
// role grants what the code needs.
func (cp *ControlPlane) ManagerIdentity(ctx context.Context, dir string) (*rest.Config, string, error) {
	role, err := cp.GeneratedRole()
	if err != nil {
		return nil, "", err
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: ManagerUser},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: ManagerUser}},
	}
	if err := CreateAll(ctx, cp.Admin, role, binding); err != nil {
		return nil, "", err
	}
	user, err := cp.Env.AddUser(envtest.User{Name: ManagerUser}, nil)
	if err != nil {
		return nil, "", err
	}
	kubeconfig, err := writeKubeconfig(user, filepath.Join(dir, "manager.kubeconfig"))
	if err != nil {
		return nil, "", err
	}
	cfg := rest.CopyConfig(user.Config())
	cfg.QPS, cfg.Burst = 200, 400 // many reconciles at once: no client-side throttling
	return cfg, kubeconfig, nil
}

// GeneratedRole is config/rbac/role.yaml as controller-gen wrote it.
func (cp *ControlPlane) GeneratedRole() (*rbacv1.ClusterRole, error) {
	data, err := os.ReadFile(filepath.Join(cp.repoRoot, "config", "rbac", "role.yaml"))
	if err != nil {
		return nil, err
	}
	var role rbacv1.ClusterRole
	return &role, yaml.Unmarshal(data, &role)
}
