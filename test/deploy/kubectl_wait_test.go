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
	"path/filepath"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// TestSamplesBecomeReadyWithKubectlWait is the README's quick start against
// a fake Zoom: the default ClusterZoomAccount and its Secret, then
// `kubectl apply -k config/samples` and `kubectl wait --for=condition=Ready`.
func TestSamplesBecomeReadyWithKubectlWait(t *testing.T) {
	c := needCluster(t)
	needKubectl(t)
	fake := newFakeZoom(t, zoomfake.Options{})

	c.ensureNamespace(t, operatorNamespace)
	c.create(t, fake.secret(operatorNamespace, "zoom-s2s"))
	c.create(t, &zoomv1.ClusterZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "default"},
		Spec: zoomv1.ClusterZoomAccountSpec{
			CredentialsSecretRef: zoomv1.SecretReference{Name: "zoom-s2s", Namespace: operatorNamespace},
			AccountSettings:      fake.settings(),
		},
	})

	var samples []string
	for _, u := range decodeAll(t, render(t, "config/samples")) {
		if u.GetKind() == "ZoomUser" && u.GetNamespace() == "default" {
			samples = append(samples, u.GetName())
		}
	}
	if len(samples) == 0 {
		t.Fatal("config/samples has no ZoomUser in namespace default")
	}

	if stdout, stderr, err := c.kubectl(t, nil, "apply", "-k", filepath.Join(repoRoot, "config", "samples")); err != nil {
		t.Fatalf("kubectl apply -k config/samples: %v\n%s%s", err, stdout, stderr)
	}
	stdout, stderr, err := c.kubectl(t, nil, "wait", "--for=condition=Ready", "zoomuser", "--all", "-n", "default", "--timeout=60s")
	if err != nil {
		t.Fatalf("kubectl wait: %v\n%s%s", err, stdout, stderr)
	}
	met := lines(stdout)
	for _, name := range samples {
		if !slices.Contains(met, "zoomuser.zoom.zoomoperator.dev/"+name+" condition met") {
			t.Errorf("kubectl wait did not report %s Ready:\n%s", name, stdout)
		}
	}
	if len(met) != len(samples) {
		t.Errorf("kubectl wait reported %d ZoomUsers, want the %d samples:\n%s", len(met), len(samples), stdout)
	}

	// Ready must mean that Zoom has the user.
	for _, u := range decodeAll(t, render(t, "config/samples")) {
		if u.GetKind() != "ZoomUser" {
			continue
		}
		email, _, _ := unstructured.NestedString(u.Object, "spec", "email")
		if _, ok := fake.User(email); !ok {
			t.Errorf("ZoomUser %s is Ready but the fake Zoom has no user %s", u.GetName(), email)
		}
	}

	if stdout, stderr, err := c.kubectl(t, nil, "wait", "--for=condition=Ready", "clusterzoomaccount/default", "--timeout=60s"); err != nil {
		t.Errorf("kubectl wait for the ClusterZoomAccount: %v\n%s%s", err, stdout, stderr)
	}
}
