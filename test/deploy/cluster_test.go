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
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// repoRoot is the module root, seen from this package's directory.
var repoRoot = filepath.Join("..", "..")

// operatorNamespace is where config/default puts the manager, and where the
// sample ClusterZoomAccount looks for its Secret.
const operatorNamespace = testenv.OperatorNamespace

const waitTimeout = 60 * time.Second

// cluster is a kube-apiserver (envtest) as a cluster admin sees it. The
// shared one, from needCluster, has the CRDs installed and the manager
// binary running against it.
type cluster struct {
	cp         *testenv.ControlPlane
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
// envtest's binaries the test is skipped, or fails under CI.
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
		skipOrFail(t, "KUBEBUILDER_ASSETS is not set; run with KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh)")
	}
}

// needKubectl returns kubectl's path, or skips the test when it is missing.
func needKubectl(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("kubectl")
	if err != nil {
		skipOrFail(t, "kubectl is not on PATH")
	}
	return path
}

// skipOrFail skips a test whose tools are missing on a developer's machine,
// but fails it in CI (CI=true), where a skip would pass for a test run.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why + " (CI=true: a missing tool fails the test rather than skipping it)")
	}
	t.Skip(why)
}

// managerStopGrace is how long the shared manager may take to stop.
const managerStopGrace = 15 * time.Second

// startCluster starts the shared control plane and the manager binary
// against it, as an admin, with its log in the run's directory (printed
// when TEST_VERBOSE_LOGS is set).
func startCluster() (*cluster, error) {
	dir, err := os.MkdirTemp("", "zoom-operator-deploy-test-")
	if err != nil {
		return nil, err
	}
	var cp *testenv.ControlPlane
	var mgr *testenv.Manager
	// TestMain calls this whether or not the start below went all the way.
	stopShared = func() {
		if mgr != nil {
			mgr.Stop(managerStopGrace)
			if os.Getenv("TEST_VERBOSE_LOGS") != "" {
				fmt.Fprintf(os.Stderr, "manager log:\n%s\n", mgr.LogText())
			}
		}
		if cp != nil {
			_ = cp.Stop()
		}
		_ = os.RemoveAll(dir)
	}
	ctx := context.Background()
	bin := filepath.Join(dir, "manager")
	if err := testenv.BuildManager(ctx, repoRoot, bin); err != nil {
		return nil, err
	}
	c, err := startControlPlane(testenv.Options{RepoRoot: repoRoot, Dir: dir})
	if err != nil {
		return nil, err
	}
	cp = c.cp
	mgr, err = testenv.StartManager(testenv.ManagerOptions{
		Name:       "manager",
		Binary:     bin,
		Kubeconfig: c.kubeconfig,
		FakeZoom:   true,
		Args:       []string{"--resync-interval=10m", "--max-concurrent-reconciles=4"},
		LogFile:    filepath.Join(dir, "manager.log"),
	})
	return c, err
}

// startControlPlane starts a control plane and returns an admin's view of
// it: a client and a kubeconfig file for kubectl.
func startControlPlane(o testenv.Options) (*cluster, error) {
	cp, err := testenv.Start(o)
	if err != nil {
		return nil, err
	}
	return &cluster{cp: cp, client: cp.Admin, kubeconfig: cp.Kubeconfig, cacheDir: filepath.Join(o.Dir, "kube-cache")}, nil
}

var loggingOnce sync.Once

// setupLogging sends the logs of a manager run in this process to stderr,
// quiet unless TEST_VERBOSE_LOGS is set.
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

// fakeZoom is a fake Zoom served over HTTP for the length of the test.
type fakeZoom struct {
	*testenv.Zoom
}

func newFakeZoom(t *testing.T, opts zoomfake.Options) *fakeZoom {
	t.Helper()
	z, err := testenv.StartZoom(testenv.ZoomOptions{Fake: opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(z.Close)
	return &fakeZoom{Zoom: z}
}

// settings points an account at the fake.
func (f *fakeZoom) settings() zoomv1.AccountSettings { return f.Target().Settings() }

// secret holds the fake's credentials under the keys an account reads.
func (f *fakeZoom) secret(namespace, name string) *corev1.Secret {
	return f.Target().Secret(namespace, name)
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
