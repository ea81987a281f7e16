package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/controllers"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// repoRoot is the module root, seen from this package's directory.
var repoRoot = filepath.Join("..", "..")

// operatorNamespace is where config/default puts the manager, and where the
// sample ClusterZoomAccount looks for its Secret.
const operatorNamespace = "zoom-operator-system"

const waitTimeout = 60 * time.Second

// cluster is a kube-apiserver (envtest) as a cluster admin sees it. The
// shared one, from needCluster, has the CRDs installed and a manager running
// the controllers in this process.
type cluster struct {
	cfg        *rest.Config
	client     client.Client
	kubeconfig string // a kubeconfig file for kubectl, as a cluster admin
	cacheDir   string // kubectl's discovery cache, private to this run
}

var (
	clusterOnce sync.Once
	shared      *cluster
	sharedErr   error
	stopShared  = func() {}
)

func TestMain(m *testing.M) {
	code := m.Run()
	stopTenancy()
	stopShared()
	os.Exit(code)
}

// needCluster returns the shared cluster, starting it on first use. Without
// envtest's binaries the test is skipped.
func needCluster(t *testing.T) *cluster {
	t.Helper()
	needAssets(t)
	clusterOnce.Do(func() { shared, sharedErr = startCluster() })
	if sharedErr != nil {
		t.Fatalf("starting the control plane: %v", sharedErr)
	}
	return shared
}

// needAssets skips the test when envtest's binaries are not set up.
func needAssets(t *testing.T) {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set; run with KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh)")
	}
}

// needKubectl returns kubectl's path, or skips the test when it is missing.
func needKubectl(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not on PATH")
	}
	return path
}

func startCluster() (*cluster, error) {
	setupLogging()
	dir, err := os.MkdirTemp("", "zoom-operator-deploy-test-")
	if err != nil {
		return nil, err
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(repoRoot, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	ctx, cancel := context.WithCancel(context.Background())
	var managerDone chan struct{}
	// TestMain calls this whether or not the start below went all the way.
	stopShared = func() {
		cancel()
		if managerDone != nil {
			<-managerDone
		}
		_ = env.Stop()
		_ = os.RemoveAll(dir)
	}
	c, err := startControlPlane(env, dir)
	if err != nil {
		return nil, err
	}
	mgr, err := ctrl.NewManager(c.cfg, ctrl.Options{
		Scheme:                 c.client.Scheme(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		return nil, err
	}
	if err := controllers.Setup(mgr, controllers.Options{ResyncInterval: 10 * time.Minute, MaxConcurrentReconciles: 4}); err != nil {
		return nil, err
	}
	managerDone = make(chan struct{})
	go func() {
		defer close(managerDone)
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager stopped:", err)
		}
	}()
	return c, nil
}

// startControlPlane starts env and returns an admin's view of it: a client
// and a kubeconfig file in dir for kubectl.
func startControlPlane(env *envtest.Environment, dir string) (*cluster, error) {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(zoomv1.AddToScheme(scheme))

	cfg, err := env.Start()
	if err != nil {
		return nil, err
	}
	c := &cluster{cfg: cfg, cacheDir: filepath.Join(dir, "kube-cache"), kubeconfig: filepath.Join(dir, "kubeconfig")}
	if c.client, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return nil, err
	}
	admin, err := env.AddUser(envtest.User{Name: "deploy-test-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, err
	}
	kubeconfig, err := admin.KubeConfig()
	if err != nil {
		return nil, err
	}
	return c, os.WriteFile(c.kubeconfig, kubeconfig, 0o600)
}

var loggingOnce sync.Once

// setupLogging sends the manager's logs to stderr, quiet unless
// TEST_VERBOSE_LOGS is set.
func setupLogging() {
	loggingOnce.Do(func() { ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(logLevel()))) })
}

// logLevel keeps the manager quiet unless TEST_VERBOSE_LOGS is set.
func logLevel() zapcore.Level {
	if os.Getenv("TEST_VERBOSE_LOGS") != "" {
		return zapcore.DebugLevel
	}
	return zapcore.ErrorLevel
}

// kubectl runs kubectl against the cluster and returns its stdout and stderr.
func (c *cluster) kubectl(t *testing.T, stdin []byte, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitTimeout)
	defer cancel()
	args = append([]string{"--kubeconfig", c.kubeconfig, "--cache-dir", c.cacheDir}, args...)
	cmd := exec.CommandContext(ctx, needKubectl(t), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.kubeconfig)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// ensureNamespace creates a namespace unless it exists.
func (c *cluster) ensureNamespace(t *testing.T, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := c.client.Create(context.Background(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
}

func (c *cluster) create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := c.client.Create(context.Background(), obj); err != nil {
		t.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
	}
}

// fakeZoom is a fake Zoom server with fixed credentials, served over HTTP
// for the length of the test.
type fakeZoom struct {
	*zoomfake.Server
	opts zoomfake.Options
	url  string
}

func newFakeZoom(t *testing.T, opts zoomfake.Options) *fakeZoom {
	t.Helper()
	opts.AccountID, opts.ClientID, opts.ClientSecret = "acct-deploy", "client-deploy", "s3cret-deploy"
	fake := zoomfake.New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &fakeZoom{Server: fake, opts: opts, url: srv.URL}
}

// settings points an account at the fake.
func (f *fakeZoom) settings() zoomv1.AccountSettings {
	return zoomv1.AccountSettings{APIURL: f.url + "/v2", TokenURL: f.url + "/oauth/token"}
}

// secret holds the fake's credentials under the keys an account reads.
func (f *fakeZoom) secret(namespace, name string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		StringData: map[string]string{
			zoomv1.SecretKeyAccountID:    f.opts.AccountID,
			zoomv1.SecretKeyClientID:     f.opts.ClientID,
			zoomv1.SecretKeyClientSecret: f.opts.ClientSecret,
		},
	}
}

// render runs `kubectl kustomize` on a directory of the repository.
func render(t *testing.T, dir string) []byte {
	t.Helper()
	cmd := exec.Command(needKubectl(t), "kustomize", filepath.Join(repoRoot, dir))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl kustomize %s: %v\n%s", dir, err, stderr.String())
	}
	return out
}

// decodeAll splits a multi-document YAML stream into objects.
func decodeAll(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		var m map[string]any
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("decoding YAML: %v", err)
		}
		if len(m) == 0 {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
}

// describe names an object the way error messages do: Kind namespace/name.
func describe(u *unstructured.Unstructured) string {
	if ns := u.GetNamespace(); ns != "" {
		return u.GetKind() + " " + ns + "/" + u.GetName()
	}
	return u.GetKind() + " " + u.GetName()
}

// lines returns the non-empty lines of s.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
