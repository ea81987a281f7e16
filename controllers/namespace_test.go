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

package controllers

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// Deleting a namespace full of ZoomUsers, with its own ZoomAccount and
// Secret, finishes: the real namespace controller (kube-controller-manager)
// deletes everything at once, and the users' deletions complete with the
// account's client the manager still holds.
func TestNamespaceDeletionFinishes(t *testing.T) {
	t.Parallel()
	startNamespaceController(t)
	tn := newTenant(t, zoomfake.Options{}, false)
	for _, name := range []string{"a", "b", "c"} {
		tn.create(tn.user(name, name+"@example.com"))
	}
	for _, name := range []string{"a", "b", "c"} {
		tn.waitReady(name)
	}
	ns := &corev1.Namespace{}
	ns.Name = tn.ns
	if err := k8s.Delete(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		err := k8s.Get(context.Background(), client.ObjectKey{Name: tn.ns}, ns)
		if apierrors.IsNotFound(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("namespace still there: %+v", ns.Status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if users := tn.fake.Users(); len(users) != 0 {
		t.Errorf("Zoom users left = %+v, want none (policy Disassociate)", users)
	}
}

// startNamespaceController runs kube-controller-manager with only the
// namespace controller, as an admin, until the test ends.
func startNamespaceController(t *testing.T) {
	t.Helper()
	bin := filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kube-controller-manager")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("kube-controller-manager is missing from KUBEBUILDER_ASSETS (hack/envtest-assets.sh builds it): %v", err)
	}
	// An admin, as the real namespace controller is.
	path := suite.cp.Kubeconfig
	cmd := exec.Command(bin, "--kubeconfig="+path, "--controllers=namespace", "--leader-elect=false",
		"--secure-port=0", "--authentication-skip-lookup")
	logs, err := os.Create(filepath.Join(t.TempDir(), "kcm.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			data, _ := os.ReadFile(logs.Name())
			t.Logf("kube-controller-manager log:\n%s", tail(data, 4000))
		}
	})
}

func tail(data []byte, n int) []byte {
	if len(data) > n {
		return data[len(data)-n:]
	}
	return data
}
