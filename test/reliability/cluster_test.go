package reliability

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// Where the operator's own account lives, as config/samples/accounts has it.
const (
	operatorNamespace = "zoom-operator-system"
	credentialsSecret = "zoom-s2s"
	defaultAccount    = "default"
)

// Control-plane timeouts are generous: the machine may be busy with other
// test runs, and a slow start is not what these tests are about.
const (
	controlPlaneStartTimeout = 2 * time.Minute
	controlPlaneStopTimeout  = time.Minute
)

var scheme = newScheme()

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(zoomv1.AddToScheme(s))
	return s
}

// cluster is one test's control plane with the CRDs installed, a kubeconfig
// file for an admin user that the managers use, and a client for the test.
// Each test has its own, so that no object, Lease or restart of one test
// reaches another.
type cluster struct {
	t          *testing.T
	dir        string // the test's files: certificates, kubeconfig, logs
	env        *envtest.Environment
	client     client.Client
	kubeconfig string
	managers   []*manager // every manager started, for the logs on failure
	started    int        // managers started so far, to name their logs
}

// newCluster starts kube-apiserver and etcd, or skips the test when the
// envtest binaries are not configured. The API server keeps its certificates
// in a directory of the test's own, so that a restart (stopAPIServer, then
// startAPIServer) serves the same CA on the same port and the kubeconfig
// stays valid.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set; run with KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh)")
	}
	dir := t.TempDir()
	certDir := filepath.Join(dir, "apiserver")
	if err := os.Mkdir(certDir, 0o700); err != nil {
		t.Fatal(err)
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:        []string{filepath.Join(repoRoot, "config", "crd", "bases")},
		ErrorIfCRDPathMissing:    true,
		ControlPlaneStartTimeout: controlPlaneStartTimeout,
		ControlPlaneStopTimeout:  controlPlaneStopTimeout,
		ControlPlane:             envtest.ControlPlane{APIServer: &envtest.APIServer{CertDir: certDir}},
	}
	// Without a bound on draining watches, stopping kube-apiserver while a
	// manager watches it outlasts the one-minute stop timeout.
	env.ControlPlane.APIServer.Configure().Set("shutdown-watch-termination-grace-period", "1s")
	start := time.Now()
	if _, err := env.Start(); err != nil {
		_ = env.Stop() // a half-started control plane may still hold processes
		t.Fatalf("starting the control plane: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping the control plane: %v", err)
		}
	})
	t.Logf("control plane up in %s", time.Since(start).Round(time.Millisecond))

	admin, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatalf("adding the admin user: %v", err)
	}
	data, err := admin.KubeConfig()
	if err != nil {
		t.Fatalf("admin kubeconfig: %v", err)
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := admin.Config()
	// The tests create hundreds of objects from several goroutines.
	cfg.QPS, cfg.Burst = 500, 1000
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	cl := &cluster{t: t, dir: dir, env: env, client: c, kubeconfig: kubeconfig}
	t.Cleanup(cl.logManagersOnFailure)
	return cl
}

// stopAPIServer stops kube-apiserver; etcd keeps running. It returns the
// URL the server had, for startAPIServer to check.
func (c *cluster) stopAPIServer() string {
	c.t.Helper()
	api := c.env.ControlPlane.APIServer
	url := api.SecureServing.URL("https", "/").String()
	start := time.Now()
	if err := api.Stop(); err != nil {
		c.t.Fatalf("stopping kube-apiserver: %v", err)
	}
	c.t.Logf("kube-apiserver stopped in %s", time.Since(start).Round(time.Millisecond))
	return url
}

// startAPIServer starts kube-apiserver again on the same etcd, and checks
// that it serves at url as before: same port and, since the certificates
// stayed in the test's directory, the same CA, so that the kubeconfig of
// the running managers still fits.
func (c *cluster) startAPIServer(url string) {
	c.t.Helper()
	api := c.env.ControlPlane.APIServer
	if err := api.Start(); err != nil {
		c.t.Fatalf("starting kube-apiserver again: %v", err)
	}
	if again := api.SecureServing.URL("https", "/").String(); again != url {
		c.t.Fatalf("kube-apiserver came back at %s, not %s: the managers' kubeconfig no longer fits", again, url)
	}
}

// createNamespace creates a namespace for the test's ZoomUsers.
func (c *cluster) createNamespace(ctx context.Context, name string) {
	c.t.Helper()
	c.mustCreate(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
}

// createAccount creates the credentials Secret and the ClusterZoomAccount
// "default" pointing at z, which the ZoomUsers use.
func (c *cluster) createAccount(ctx context.Context, z *zoomServer) {
	c.t.Helper()
	c.createNamespace(ctx, operatorNamespace)
	c.mustCreate(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: credentialsSecret, Namespace: operatorNamespace},
		Data: map[string][]byte{
			zoomv1.SecretKeyAccountID:    []byte(fakeAccountID),
			zoomv1.SecretKeyClientID:     []byte(fakeClientID),
			zoomv1.SecretKeyClientSecret: []byte(fakeClientSecret),
		},
	})
	c.mustCreate(ctx, &zoomv1.ClusterZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: defaultAccount},
		Spec: zoomv1.ClusterZoomAccountSpec{
			CredentialsSecretRef: zoomv1.SecretReference{Name: credentialsSecret, Namespace: operatorNamespace},
			AccountSettings: zoomv1.AccountSettings{
				Plan:     zoomv1.PlanPro,
				APIURL:   z.url + "/v2",
				TokenURL: z.url + "/oauth/token",
			},
		},
	})
}

func (c *cluster) mustCreate(ctx context.Context, obj client.Object) {
	c.t.Helper()
	if err := c.client.Create(ctx, obj); err != nil {
		c.t.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
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
