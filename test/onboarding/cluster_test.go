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

package onboarding

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

const (
	// managerStopGrace is how long the manager may take to stop.
	managerStopGrace = 15 * time.Second
	// logTailLines is how much of the manager's log a failed test prints.
	logTailLines = 80
	// commandTimeout bounds each run of kubectl-zoom and kubectl.
	commandTimeout = 3 * time.Minute
)

// cluster is a control plane with the CRDs installed and the manager
// binary running against it as a cluster admin.
type cluster struct {
	t       *testing.T
	dir     string
	cp      *testenv.ControlPlane
	client  client.Client
	manager *testenv.Manager
	kubectl string
	// pprofAddr serves the manager's profiles (--pprof-bind-address).
	pprofAddr string
}

// freeLoopbackAddr is a loopback address with a port free a moment ago.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

// heapProfile fetches the manager's heap profile, as a person profiling
// the manager would with go tool pprof.
func (c *cluster) heapProfile(t *testing.T) []byte {
	t.Helper()
	resp, err := http.Get("http://" + c.pprofAddr + "/debug/pprof/heap")
	if err != nil {
		t.Fatalf("fetching the heap profile: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("heap profile: HTTP %d, %v", resp.StatusCode, err)
	}
	return data
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		skipOrFail(t, "KUBEBUILDER_ASSETS is not set; run with KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh)")
	}
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		skipOrFail(t, "kubectl is not on PATH")
	}
	dir := t.TempDir()
	start := time.Now()
	cp, err := testenv.Start(testenv.Options{RepoRoot: repoRoot, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cp.Stop(); err != nil {
			t.Errorf("stopping the control plane: %v", err)
		}
	})
	c := &cluster{t: t, dir: dir, cp: cp, client: cp.Admin, kubectl: kubectl, pprofAddr: freeLoopbackAddr(t)}
	c.manager, err = testenv.StartManager(testenv.ManagerOptions{
		Name:       "manager",
		Binary:     managerBin,
		Kubeconfig: cp.Kubeconfig,
		FakeZoom:   true,
		Args:       []string{"--max-concurrent-reconciles=16", "--pprof-bind-address=" + c.pprofAddr},
		LogFile:    filepath.Join(dir, "manager.log"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.manager.Stop(managerStopGrace) })
	t.Cleanup(c.logManagerOnFailure)
	t.Logf("control plane and manager up in %s", time.Since(start).Round(time.Millisecond))
	return c
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

func (c *cluster) logManagerOnFailure() {
	if c.t.Failed() {
		c.t.Logf("last %d lines of the manager's log (%s):\n%s", logTailLines, c.manager.LogFile, c.manager.LogTail(logTailLines))
	}
}

// createAccount creates a ClusterZoomAccount named name that may adopt
// existing users, with its credentials Secret, pointing at z.
func (c *cluster) createAccount(ctx context.Context, t *testing.T, name string, z *testenv.Zoom) {
	t.Helper()
	target := z.Target()
	settings := target.Settings()
	settings.Plan = zoomv1.PlanPro
	settings.AdoptExistingUsers = true
	secret := target.Secret(testenv.OperatorNamespace, name+"-s2s")
	account := &zoomv1.ClusterZoomAccount{}
	account.Name = name
	account.Spec = zoomv1.ClusterZoomAccountSpec{
		CredentialsSecretRef: zoomv1.SecretReference{Name: secret.Name, Namespace: testenv.OperatorNamespace},
		AccountSettings:      settings,
	}
	if err := testenv.CreateAll(ctx, c.client, secret, account); err != nil {
		t.Fatal(err)
	}
}

// appliers is how many kubectl processes apply an export at once: one
// applies objects one after another, which on a small machine takes longer
// than the adoption it feeds.
const appliers = 4

// apply runs kubectl apply --server-side on the export, as a person would,
// split over appliers processes.
func (c *cluster) apply(t *testing.T, file string) {
	t.Helper()
	parts, err := splitStream(file, appliers)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	errs := make(chan error, len(parts))
	for i, part := range parts {
		go func() { errs <- c.kubectlApply(part, filepath.Join(c.dir, fmt.Sprintf("kubectl-cache-%d", i))) }()
	}
	for range parts {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("kubectl apply: %s in %s", file, time.Since(start).Round(time.Millisecond))
}

func (c *cluster) kubectlApply(file, cacheDir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.kubectl, "--kubeconfig", c.cp.Kubeconfig, "--cache-dir", cacheDir,
		"apply", "--server-side", "-f", file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("kubectl apply -f %s: %w\n%s", file, err, stderr.String())
	}
	return nil
}

// splitStream splits a YAML stream into n files of about as many documents
// each, beside it.
func splitStream(file string, n int) ([]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var docs []string
	for doc := range strings.SplitSeq(string(data), "---\n") {
		if strings.TrimSpace(doc) != "" {
			docs = append(docs, "---\n"+doc)
		}
	}
	var files []string
	per := (len(docs) + n - 1) / n
	for i := 0; i < len(docs); i += per {
		part := fmt.Sprintf("%s.%d", file, len(files))
		if err := os.WriteFile(part, []byte(strings.Join(docs[i:min(i+per, len(docs))], "")), 0o600); err != nil {
			return nil, err
		}
		files = append(files, part)
	}
	return files, nil
}

// waitAllReady waits until every ZoomUser of the namespace is Ready at its
// current generation, and fails naming the reasons of those that are not.
func (c *cluster) waitAllReady(ctx context.Context, t *testing.T, namespace string, want int, timeout time.Duration) []zoomv1.ZoomUser {
	t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	for {
		var list zoomv1.ZoomUserList
		if err := c.client.List(ctx, &list, client.InNamespace(namespace)); err != nil {
			t.Fatal(err)
		}
		notReady := map[string]int{}
		for i := range list.Items {
			if reason, ok := ready(&list.Items[i]); !ok {
				notReady[reason]++
			}
		}
		if len(list.Items) == want && len(notReady) == 0 {
			t.Logf("%d ZoomUsers Ready in %s", want, time.Since(start).Round(time.Millisecond))
			return list.Items
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %d of %d ZoomUsers exist; not Ready, by reason: %v", timeout, len(list.Items), want, notReady)
		}
		time.Sleep(time.Second)
	}
}

// ready reports whether zu is Ready at its generation, or why not.
func ready(zu *zoomv1.ZoomUser) (string, bool) {
	cond := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReady)
	switch {
	case cond == nil:
		return "no Ready condition", false
	case cond.ObservedGeneration != zu.Generation:
		return fmt.Sprintf("Ready of an older generation (%s)", cond.Reason), false
	case cond.Status != "True":
		return cond.Reason, false
	}
	return "", true
}
