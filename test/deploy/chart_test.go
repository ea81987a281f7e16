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
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/zoom-operator/zoom-operator/internal/release"
)

// chartRelease is the release name under which the chart's objects have the
// names config/default gives them.
const chartRelease = "zoom-operator"

// monitoringOn turns on every optional monitoring object of the chart.
var monitoringOn = map[string]any{
	"serviceMonitor":   map[string]any{"enabled": true},
	"prometheusRule":   map[string]any{"enabled": true},
	"grafanaDashboard": map[string]any{"enabled": true},
}

func releaseInfo(t *testing.T) release.Info {
	t.Helper()
	info, err := release.ReadInfo(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func releaseImage(t *testing.T) string { return releaseInfo(t).Image() }

func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	c, err := release.LoadChart(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// renderChart renders the chart's templates (not its CRDs) as objects.
func renderChart(t *testing.T, c *chart.Chart, namespace string, values map[string]any) []*unstructured.Unstructured {
	t.Helper()
	out, err := release.RenderChart(c, chartRelease, namespace, values)
	if err != nil {
		t.Fatalf("rendering the chart: %v", err)
	}
	names := make([]string, 0, len(out))
	for name := range out {
		names = append(names, name)
	}
	slices.Sort(names)
	var objs []*unstructured.Unstructured
	for _, name := range names {
		objs = append(objs, decodeAll(t, []byte(out[name]))...)
	}
	return objs
}

// chartCRDs decodes the chart's crds/ as Helm installs them.
func chartCRDs(t *testing.T, c *chart.Chart) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	for _, f := range c.CRDObjects() {
		objs = append(objs, decodeAll(t, f.File.Data)...)
	}
	return objs
}

// kustomize renders a directory of config/ with kustomize's Go packages.
func kustomize(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	out, err := release.Kustomize(filepath.Join(repoRoot, dir))
	if err != nil {
		t.Fatalf("kustomize %s: %v", dir, err)
	}
	return decodeAll(t, out)
}

// TestChartLints runs Helm's linter on the chart with its defaults and with
// every monitoring object turned on; warnings fail too.
func TestChartLints(t *testing.T) {
	for name, values := range map[string]map[string]any{"defaults": nil, "monitoring on": monitoringOn} {
		linter := lint.All(filepath.Join(repoRoot, release.ChartDir), values, operatorNamespace, false)
		for _, m := range linter.Messages {
			if m.Severity >= support.WarningSev {
				t.Errorf("helm lint (%s): %s", name, m)
			}
		}
	}
}

// TestChartMatchesConfig fails when the chart and config/ disagree on the
// CRDs or on RBAC: every ServiceAccount, role and binding of config/default
// must be in the chart, under the same name for a release named
// zoom-operator, with the same rules, role references and subjects, and the
// chart must have none that config/default lacks. "make manifests" brings
// the chart in step.
func TestChartMatchesConfig(t *testing.T) {
	c := loadChart(t)
	fromConfig := kustomize(t, "config/default")
	fromChart := append(renderChart(t, c, operatorNamespace, nil), chartCRDs(t, c)...)

	crds := func(objs []*unstructured.Unstructured) map[string]any {
		out := map[string]any{}
		for _, u := range objs {
			if u.GetKind() == "CustomResourceDefinition" {
				out[u.GetName()] = u.Object["spec"]
			}
		}
		return out
	}
	if diff := cmp.Diff(crds(fromConfig), crds(fromChart)); diff != "" {
		t.Errorf("CRDs of config/ and of the chart differ (-config +chart); run make manifests:\n%s", diff)
	}

	rbac := func(objs []*unstructured.Unstructured) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, u := range objs {
			switch u.GetKind() {
			case "ServiceAccount", "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding":
				out[describe(u)] = map[string]any{
					"rules": u.Object["rules"], "aggregationRule": u.Object["aggregationRule"],
					"roleRef": u.Object["roleRef"], "subjects": u.Object["subjects"],
					"aggregationLabels": aggregationLabels(u),
				}
			}
		}
		return out
	}
	configRBAC := rbac(fromConfig)
	if len(configRBAC) == 0 {
		t.Fatal("config/default renders no RBAC")
	}
	if diff := cmp.Diff(configRBAC, rbac(fromChart)); diff != "" {
		t.Errorf("RBAC of config/ and of the chart differ (-config +chart); run make manifests:\n%s", diff)
	}
}

// aggregationLabels are the labels that give a ClusterRole's rules to
// another (e.g. rbac.authorization.k8s.io/aggregate-to-edit).
func aggregationLabels(u *unstructured.Unstructured) map[string]string {
	out := map[string]string{}
	for k, v := range u.GetLabels() {
		if strings.Contains(k, "aggregate-to") {
			out[k] = v
		}
	}
	return out
}

// TestChartDefaults checks the production defaults of the chart and what
// its values switch.
func TestChartDefaults(t *testing.T) {
	c := loadChart(t)
	objs := renderChart(t, c, operatorNamespace, nil)
	var kinds []string
	for _, u := range objs {
		kinds = append(kinds, u.GetKind())
	}
	slices.Sort(kinds)
	kinds = slices.Compact(kinds)
	want := []string{"ClusterRole", "ClusterRoleBinding", "Deployment", "PodDisruptionBudget", "Role", "RoleBinding", "Service", "ServiceAccount"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("kinds the chart renders by default (-want +got):\n%s", diff)
	}

	dep := chartDeployment(t, objs)
	if *dep.Spec.Replicas != 2 {
		t.Errorf("replicas = %d, want 2", *dep.Spec.Replicas)
	}
	m := dep.Spec.Template.Spec.Containers[0]
	if m.Image != releaseImage(t) {
		t.Errorf("image = %q, want %q", m.Image, releaseImage(t))
	}
	for _, arg := range []string{"--leader-elect", "--allowed-zoom-hosts=api.zoom.us,zoom.us", "--metrics-bind-address=:8443"} {
		if !slices.Contains(m.Args, arg) {
			t.Errorf("args %q lack %s", m.Args, arg)
		}
	}
	if slices.ContainsFunc(m.Args, func(a string) bool { return strings.HasPrefix(a, "--watch-namespaces") }) {
		t.Errorf("args %q restrict the namespaces by default", m.Args)
	}
	if got := m.Resources.Limits.Memory().String(); got != "384Mi" {
		t.Errorf("memory limit = %s, want 384Mi", got)
	}
	if got := dep.Spec.Template.Spec.ServiceAccountName; got != "zoom-operator-controller-manager" {
		t.Errorf("serviceAccountName = %q", got)
	}
	pdb := find(t, objs, "PodDisruptionBudget", "zoom-operator-controller-manager")
	if diff := cmp.Diff(dep.Spec.Selector.MatchLabels, pdbSelector(t, pdb)); diff != "" {
		t.Errorf("the PodDisruptionBudget selects other pods than the Deployment (-deployment +pdb):\n%s", diff)
	}

	// Values reach the flags.
	objs = renderChart(t, c, operatorNamespace, map[string]any{
		"manager": map[string]any{"watchNamespaces": "team-a,team-b", "allowedZoomHosts": "zoom.example"},
		"image":   map[string]any{"digest": "sha256:0123"},
	})
	m = chartDeployment(t, objs).Spec.Template.Spec.Containers[0]
	for _, arg := range []string{"--watch-namespaces=team-a,team-b", "--allowed-zoom-hosts=zoom.example"} {
		if !slices.Contains(m.Args, arg) {
			t.Errorf("args %q lack %s", m.Args, arg)
		}
	}
	if want := releaseInfo(t).ImageRepo + "@sha256:0123"; m.Image != want {
		t.Errorf("image with a digest = %q, want %q", m.Image, want)
	}

	// Shards: each replica named after its pod, in its namespace.
	objs = renderChart(t, c, operatorNamespace, map[string]any{
		"manager": map[string]any{"sharding": map[string]any{"enabled": true}},
	})
	m = chartDeployment(t, objs).Spec.Template.Spec.Containers[0]
	for _, arg := range []string{"--shard-id=$(POD_NAME)", "--shard-namespace=$(POD_NAMESPACE)", "--shard-lease-duration=15s", "--shard-renew-deadline=10s"} {
		if !slices.Contains(m.Args, arg) {
			t.Errorf("sharded args %q lack %s", m.Args, arg)
		}
	}
	fields := map[string]string{}
	for _, e := range m.Env {
		if e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			fields[e.Name] = e.ValueFrom.FieldRef.FieldPath
		}
	}
	if diff := cmp.Diff(map[string]string{"POD_NAME": "metadata.name", "POD_NAMESPACE": "metadata.namespace"}, fields); diff != "" {
		t.Errorf("sharded env from the pod's fields (-want +got):\n%s", diff)
	}
	checkShardPolicy(t, objs)
	if _, err := release.RenderChart(c, chartRelease, operatorNamespace, map[string]any{
		"manager": map[string]any{"leaderElect": false, "sharding": map[string]any{"enabled": true}}, "replicaCount": 1,
	}); err == nil || !strings.Contains(err.Error(), "sharding") {
		t.Errorf("shards without leader election rendered; err = %v", err)
	}

	// More than one replica without leader election is refused.
	if _, err := release.RenderChart(c, chartRelease, operatorNamespace, map[string]any{
		"manager": map[string]any{"leaderElect": false},
	}); err == nil || !strings.Contains(err.Error(), "leaderElect") {
		t.Errorf("2 replicas without leader election rendered; err = %v", err)
	}
}

// TestChartMonitoring checks the ServiceMonitor, PrometheusRule and
// dashboard the chart renders when asked: the rules and the dashboard are
// those of config/prometheus, and the monitor selects the metrics Service.
func TestChartMonitoring(t *testing.T) {
	objs := renderChart(t, loadChart(t), operatorNamespace, monitoringOn)
	sm := find(t, objs, "ServiceMonitor", "zoom-operator-controller-manager-metrics-monitor")
	svc := find(t, objs, "Service", "zoom-operator-controller-manager-metrics-service")
	selector, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	for k, v := range selector {
		if svc.GetLabels()[k] != v {
			t.Errorf("the ServiceMonitor selects %s=%s; the metrics Service has %q", k, v, svc.GetLabels()[k])
		}
	}
	port, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	if len(port) != 1 || port[0].(map[string]any)["port"] != "https" {
		t.Errorf("ServiceMonitor endpoints = %v, want the https port", port)
	}

	rulesFile, err := os.ReadFile(filepath.Join(repoRoot, "config", "prometheus", "rules", "zoom-operator.rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := yaml.Unmarshal(rulesFile, &want); err != nil {
		t.Fatal(err)
	}
	rule := find(t, objs, "PrometheusRule", "zoom-operator-alerts")
	if diff := cmp.Diff(want, rule.Object["spec"]); diff != "" {
		t.Errorf("the chart's PrometheusRule differs from config/prometheus's rules (-config +chart):\n%s", diff)
	}
	fromConfig := find(t, kustomize(t, "config/prometheus"), "PrometheusRule", "zoom-operator-alerts")
	if diff := cmp.Diff(want, fromConfig.Object["spec"]); diff != "" {
		t.Errorf("config/prometheus's PrometheusRule differs from its rules file (-file +resource); run make manifests:\n%s", diff)
	}

	dash := find(t, objs, "ConfigMap", "zoom-operator-dashboard")
	data, _, _ := unstructured.NestedString(dash.Object, "data", "zoom-operator.json")
	var board struct{ UID string }
	if err := json.Unmarshal([]byte(data), &board); err != nil || board.UID != "zoom-operator" {
		t.Errorf("the dashboard ConfigMap holds no dashboard (uid %q): %v", board.UID, err)
	}
}

// TestVersionsAgree checks that the Makefile's VERSION is the chart's
// version and appVersion, the tag of the image the chart and install.yaml
// run, and a section of CHANGELOG.md.
func TestVersionsAgree(t *testing.T) {
	info := releaseInfo(t)
	c := loadChart(t)
	got := map[string]string{
		"chart version":    c.Metadata.Version,
		"chart appVersion": c.Metadata.AppVersion,
		"chart image":      chartDeployment(t, renderChart(t, c, operatorNamespace, nil)).Spec.Template.Spec.Containers[0].Image,
	}
	install, err := release.InstallYAML(repoRoot, info.Image())
	if err != nil {
		t.Fatal(err)
	}
	got["install.yaml image"] = deploymentIn(t, decodeAll(t, install)).Spec.Template.Spec.Containers[0].Image
	want := map[string]string{
		"chart version": info.Version, "chart appVersion": info.Version,
		"chart image": info.Image(), "install.yaml image": info.Image(),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("versions (-Makefile +elsewhere):\n%s", diff)
	}

	// IMG=... replaces the image, and only it.
	other, err := release.InstallYAML(repoRoot, "registry.example/zoom:1")
	if err != nil {
		t.Fatal(err)
	}
	if img := deploymentIn(t, decodeAll(t, other)).Spec.Template.Spec.Containers[0].Image; img != "registry.example/zoom:1" {
		t.Errorf("install.yaml with IMG=registry.example/zoom:1 runs %q", img)
	}

	changelog, err := os.ReadFile(filepath.Join(repoRoot, "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(changelog), "\n## "+info.Version+" ") && !strings.Contains(string(changelog), "\n## ["+info.Version+"]") {
		t.Errorf("CHANGELOG.md has no section for %s", info.Version)
	}
}

// TestChartIsAcceptedByTheAPIServer installs the chart's CRDs and objects
// as a server-side dry run in a namespace that enforces the restricted Pod
// Security Standard, and asks whether the manager's pod would be admitted.
func TestChartIsAcceptedByTheAPIServer(t *testing.T) {
	cl := needCluster(t)
	const ns = "zoom-operator-chart"
	ctx := context.Background()
	cl.create(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest",
	}}})
	c := loadChart(t)
	objs := append(chartCRDs(t, c), renderChart(t, c, ns, nil)...)
	// A dry run creates nothing, so the ServiceAccount the pod runs as is
	// created for real first.
	for _, u := range objs {
		if u.GetKind() == "ServiceAccount" {
			cl.create(t, u.DeepCopy())
		}
	}
	for _, u := range objs {
		err := cl.client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u.DeepCopy()),
			client.DryRunAll, client.FieldOwner("helm"), client.ForceOwnership)
		if err != nil {
			t.Errorf("server-side dry run of %s: %v", describe(u), err)
		}
	}

	dep := chartDeployment(t, objs)
	pod := &corev1.Pod{ObjectMeta: dep.Spec.Template.ObjectMeta, Spec: dep.Spec.Template.Spec}
	pod.Name, pod.Namespace = "chart-manager-admission-check", ns
	if err := cl.client.Create(ctx, pod, client.DryRunAll); err != nil {
		t.Errorf("the chart's manager pod is not admitted in a restricted namespace: %v", err)
	}
}

func chartDeployment(t *testing.T, objs []*unstructured.Unstructured) *appsv1.Deployment {
	t.Helper()
	return deploymentIn(t, objs)
}

// deploymentIn returns the one Deployment among objs.
func deploymentIn(t *testing.T, objs []*unstructured.Unstructured) *appsv1.Deployment {
	t.Helper()
	var found []*unstructured.Unstructured
	for _, u := range objs {
		if u.GetKind() == "Deployment" {
			found = append(found, u)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d Deployments, want 1", len(found))
	}
	var dep appsv1.Deployment
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(found[0].Object, &dep); err != nil {
		t.Fatal(err)
	}
	return &dep
}

func pdbSelector(t *testing.T, pdb *unstructured.Unstructured) map[string]string {
	t.Helper()
	sel, _, err := unstructured.NestedStringMap(pdb.Object, "spec", "selector", "matchLabels")
	if err != nil {
		t.Fatal(err)
	}
	return sel
}

// checkShardPolicy compares the chart's shard label policy with
// config/policy's, which a test runs against a real API server: the same
// rules, for the release's own ServiceAccount.
func checkShardPolicy(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "config/policy/shard_labels.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := yaml.Unmarshal([]byte(strings.Split(string(raw), "\n---\n")[0]), &want); err != nil {
		t.Fatal(err)
	}
	got := find(t, objs, "ValidatingAdmissionPolicy", "zoom-operator-shard-labels")
	wantSpec, _, _ := unstructured.NestedMap(want, "spec")
	gotSpec, _, _ := unstructured.NestedMap(got.Object, "spec")
	if diff := cmp.Diff(wantSpec, gotSpec); diff != "" {
		t.Errorf("the chart's shard label policy differs from config/policy's (-config +chart):\n%s", diff)
	}
	find(t, objs, "ValidatingAdmissionPolicyBinding", "zoom-operator-shard-labels")
}
