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
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// installObjects is what config/default must render, as "Kind name".
var installObjects = []string{
	"ClusterRole zoom-operator-manager-role",
	"ClusterRole zoom-operator-metrics-auth-role",
	"ClusterRole zoom-operator-metrics-reader",
	"ClusterRole zoom-operator-zoom-viewer-role",
	"ClusterRole zoom-operator-zoomaccount-editor-role",
	"ClusterRole zoom-operator-zoomuser-editor-role",
	"ClusterRoleBinding zoom-operator-manager-rolebinding",
	"ClusterRoleBinding zoom-operator-metrics-auth-rolebinding",
	"CustomResourceDefinition clusterzoomaccounts.zoom.zoomoperator.dev",
	"CustomResourceDefinition zoomaccounts.zoom.zoomoperator.dev",
	"CustomResourceDefinition zoomgroups.zoom.zoomoperator.dev",
	"CustomResourceDefinition zoomusers.zoom.zoomoperator.dev",
	"Deployment zoom-operator-system/zoom-operator-controller-manager",
	"Namespace zoom-operator-system",
	"PodDisruptionBudget zoom-operator-system/zoom-operator-controller-manager",
	"Role zoom-operator-system/zoom-operator-leader-election-role",
	"RoleBinding zoom-operator-system/zoom-operator-leader-election-rolebinding",
	"Service zoom-operator-system/zoom-operator-controller-manager-metrics-service",
	"ServiceAccount zoom-operator-system/zoom-operator-controller-manager",
}

// TestDefaultRendersTheInstall checks the inventory of config/default and
// the manager's Deployment, without a cluster.
func TestDefaultRendersTheInstall(t *testing.T) {
	objs := decodeAll(t, render(t, "config/default"))
	var got []string
	for _, u := range objs {
		got = append(got, describe(u))
	}
	slices.Sort(got)
	if diff := cmp.Diff(installObjects, got); diff != "" {
		t.Errorf("objects rendered from config/default (-want +got):\n%s", diff)
	}

	dep := managerDeployment(t, objs)
	pod := dep.Spec.Template.Spec
	if *dep.Spec.Replicas != 2 {
		t.Errorf("replicas = %d, want 2 (a leader and a standby)", *dep.Spec.Replicas)
	}
	if pod.ServiceAccountName != "zoom-operator-controller-manager" {
		t.Errorf("serviceAccountName = %q, want the prefixed controller-manager", pod.ServiceAccountName)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("containers = %d, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	// The Makefile's deploy and build-installer put $(IMG) in place of
	// exactly this image, the release's own.
	if want := releaseImage(t); c.Image != want {
		t.Errorf("image = %q, want %s (the Makefile replaces it with $(IMG))", c.Image, want)
	}
	for _, arg := range []string{"--leader-elect", "--metrics-bind-address=:8443", "--health-probe-bind-address=:8081"} {
		if !slices.Contains(c.Args, arg) {
			t.Errorf("args %q lack %s", c.Args, arg)
		}
	}
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{{"liveness", c.LivenessProbe, "/healthz"}, {"readiness", c.ReadinessProbe, "/readyz"}} {
		if p.probe == nil || p.probe.HTTPGet == nil || p.probe.HTTPGet.Path != p.path || !probesPort(c, p.probe, 8081) {
			t.Errorf("%s probe = %+v, want GET %s on 8081", p.name, p.probe, p.path)
		}
	}
	res := map[string]string{
		"requests.cpu": c.Resources.Requests.Cpu().String(), "requests.memory": c.Resources.Requests.Memory().String(),
		"limits.cpu": c.Resources.Limits.Cpu().String(), "limits.memory": c.Resources.Limits.Memory().String(),
	}
	wantRes := map[string]string{"requests.cpu": "50m", "requests.memory": "128Mi", "limits.cpu": "1", "limits.memory": "384Mi"}
	if diff := cmp.Diff(wantRes, res); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("the manager's root filesystem is not read-only: %+v", sc)
	}

	ns := find(t, objs, "Namespace", operatorNamespace)
	if got := ns.GetLabels()["pod-security.kubernetes.io/enforce"]; got != "restricted" {
		t.Errorf("namespace label pod-security.kubernetes.io/enforce = %q, want restricted", got)
	}
}

// probesPort tells whether a probe targets port, by number or by the name of
// one of the container's ports.
func probesPort(c corev1.Container, p *corev1.Probe, port int32) bool {
	target := p.HTTPGet.Port
	if target.IntVal == port {
		return true
	}
	for _, cp := range c.Ports {
		if cp.Name != "" && cp.Name == target.StrVal && cp.ContainerPort == port {
			return true
		}
	}
	return false
}

// TestDefaultIsAcceptedByTheAPIServer applies the rendered install the way
// `make deploy` does, as a server-side dry run: every object must pass the
// API server's validation and admission (including Pod Security), and the
// manager's pod must be admitted in its restricted namespace.
func TestDefaultIsAcceptedByTheAPIServer(t *testing.T) {
	c := needCluster(t)
	rendered := render(t, "config/default")
	objs := decodeAll(t, rendered)

	// A dry run creates nothing, so what the rest needs is applied for
	// real first: the namespace, the CRDs and the ServiceAccount the pod
	// runs as.
	var prereqs []byte
	for _, u := range objs {
		switch u.GetKind() {
		case "Namespace", "CustomResourceDefinition", "ServiceAccount":
			data, err := u.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			prereqs = append(append(prereqs, data...), '\n')
		}
	}
	if stdout, stderr, err := c.kubectl(t, prereqs, "apply", "--server-side", "-f", "-"); err != nil {
		t.Fatalf("applying the namespace, CRDs and ServiceAccount: %v\n%s%s", err, stdout, stderr)
	}

	stdout, stderr, err := c.kubectl(t, rendered, "apply", "--server-side", "--dry-run=server", "-f", "-")
	if err != nil {
		t.Fatalf("server-side dry run of config/default: %v\n%s%s", err, stdout, stderr)
	}
	if strings.Contains(stderr, "Warning") {
		t.Errorf("the API server warned about config/default:\n%s", stderr)
	}
	accepted := lines(stdout)
	if len(accepted) != len(objs) {
		t.Errorf("kubectl reported %d objects, want %d:\n%s", len(accepted), len(objs), stdout)
	}
	for _, u := range objs {
		if !slices.ContainsFunc(accepted, func(l string) bool { return acceptedLine(l, u) }) {
			t.Errorf("%s was not reported applied (server dry run):\n%s", describe(u), stdout)
		}
	}

	// Pod Security enforces on pods, not on Deployments: ask for the pod
	// that the Deployment would create.
	dep := managerDeployment(t, objs)
	pod := &corev1.Pod{
		ObjectMeta: dep.Spec.Template.ObjectMeta,
		Spec:       dep.Spec.Template.Spec,
	}
	pod.Name, pod.Namespace = "manager-admission-check", dep.Namespace
	if err := c.client.Create(context.Background(), pod, client.DryRunAll); err != nil {
		t.Errorf("the manager's pod is not admitted in %s: %v", dep.Namespace, err)
	}
}

// acceptedLine tells whether a line of kubectl's output reports u applied,
// e.g. "deployment.apps/zoom-operator-controller-manager serverside-applied (server dry run)".
func acceptedLine(line string, u *unstructured.Unstructured) bool {
	resource, rest, ok := strings.Cut(line, "/")
	if !ok || !strings.HasSuffix(rest, " (server dry run)") {
		return false
	}
	kind, _, _ := strings.Cut(resource, ".")
	name, _, _ := strings.Cut(rest, " ")
	return kind == strings.ToLower(u.GetKind()) && name == u.GetName()
}

func find(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, u := range objs {
		if u.GetKind() == kind && u.GetName() == name {
			return u
		}
	}
	t.Fatalf("no %s %s in the render", kind, name)
	return nil
}

func managerDeployment(t *testing.T, objs []*unstructured.Unstructured) *appsv1.Deployment {
	t.Helper()
	u := find(t, objs, "Deployment", "zoom-operator-controller-manager")
	var dep appsv1.Deployment
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &dep); err != nil {
		t.Fatal(err)
	}
	return &dep
}
