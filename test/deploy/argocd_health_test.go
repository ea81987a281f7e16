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
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	lua "github.com/yuin/gopher-lua"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// The Argo CD health checks: one Lua script per kind under config/argocd,
// and the same scripts inline in the argocd-cm patch.
const (
	argoGroup     = "zoom.zoomoperator.dev"
	argoScriptDir = "config/argocd/" + argoGroup
	argoPatch     = "config/argocd/argocd-cm-patch.yaml"
	argoTestdata  = "testdata/argocd"
)

var argoKinds = []string{"ZoomUser", "ZoomAccount", "ClusterZoomAccount", "ZoomGroup"}

// healthStatus is what an Argo CD health script returns.
type healthStatus struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// healthTest is one case of a health_test.yaml, in Argo CD's own format.
type healthTest struct {
	InputPath    string       `json:"inputPath"`
	HealthStatus healthStatus `json:"healthStatus"`
}

// Argo CD's health statuses.
var argoStatuses = []string{"Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"}

func TestArgoCDHealthChecks(t *testing.T) {
	for _, kind := range argoKinds {
		t.Run(kind, func(t *testing.T) {
			script := readScript(t, kind)
			dir := filepath.Join(argoTestdata, kind)
			cases := readHealthTests(t, filepath.Join(dir, "health_test.yaml"))
			checkEveryInputIsUsed(t, dir, cases)
			for _, tc := range cases {
				name := strings.TrimSuffix(filepath.Base(tc.InputPath), ".yaml")
				t.Run(name, func(t *testing.T) {
					obj := readObject(t, filepath.Join(dir, tc.InputPath))
					if got, _ := obj["kind"].(string); got != kind {
						t.Fatalf("%s has kind %q, want %q", tc.InputPath, got, kind)
					}
					got, err := runHealthScript(script, obj)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(tc.HealthStatus, got); diff != "" {
						t.Errorf("health of %s (-want +got):\n%s", tc.InputPath, diff)
					}
				})
			}
		})
	}
}

// TestArgoCDHealthChecksCoverEveryStatus keeps the cases honest: each kind's
// table must reach every status its script is meant to give.
func TestArgoCDHealthChecksCoverEveryStatus(t *testing.T) {
	want := map[string][]string{
		"ZoomUser":           {"Degraded", "Healthy", "Progressing", "Suspended"},
		"ZoomAccount":        {"Degraded", "Healthy", "Progressing"},
		"ClusterZoomAccount": {"Degraded", "Healthy", "Progressing"},
		"ZoomGroup":          {"Degraded", "Healthy", "Progressing", "Suspended"},
	}
	for _, kind := range argoKinds {
		var got []string
		for _, tc := range readHealthTests(t, filepath.Join(argoTestdata, kind, "health_test.yaml")) {
			if !slices.Contains(argoStatuses, tc.HealthStatus.Status) {
				t.Errorf("%s: %s expects %q, which is not an Argo CD health status", kind, tc.InputPath, tc.HealthStatus.Status)
			}
			if !slices.Contains(got, tc.HealthStatus.Status) {
				got = append(got, tc.HealthStatus.Status)
			}
		}
		slices.Sort(got)
		if diff := cmp.Diff(want[kind], got); diff != "" {
			t.Errorf("%s: statuses covered (-want +got):\n%s", kind, diff)
		}
	}
}

// TestArgoCDPatchEmbedsTheScripts checks that the argocd-cm patch carries
// exactly the .lua files, under the keys Argo CD looks up.
func TestArgoCDPatchEmbedsTheScripts(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, argoPatch))
	if err != nil {
		t.Fatal(err)
	}
	var cm corev1.ConfigMap
	if err := yaml.UnmarshalStrict(data, &cm); err != nil {
		t.Fatalf("%s: %v", argoPatch, err)
	}
	if cm.APIVersion != "v1" || cm.Kind != "ConfigMap" || cm.Name != "argocd-cm" {
		t.Errorf("%s is %s %s %s, want v1 ConfigMap argocd-cm", argoPatch, cm.APIVersion, cm.Kind, cm.Name)
	}
	want := map[string]string{}
	for _, kind := range argoKinds {
		want["resource.customizations.health."+argoGroup+"_"+kind] = readScript(t, kind)
	}
	if diff := cmp.Diff(want, cm.Data); diff != "" {
		t.Errorf("%s differs from the scripts in %s; copy each health.lua into it, indented under its key (-scripts +patch):\n%s",
			argoPatch, argoScriptDir, diff)
	}
}

func readScript(t *testing.T, kind string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, argoScriptDir, kind, "health.lua"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func readHealthTests(t *testing.T, path string) []healthTest {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Tests []healthTest `json:"tests"`
	}
	if err := yaml.UnmarshalStrict(data, &file); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(file.Tests) == 0 {
		t.Fatalf("%s has no tests", path)
	}
	return file.Tests
}

// checkEveryInputIsUsed fails on an input file that no case refers to, so a
// case cannot be dropped from the table by accident.
func checkEveryInputIsUsed(t *testing.T, dir string, cases []healthTest) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "testdata", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, tc := range cases {
		used[filepath.Join(dir, tc.InputPath)] = true
	}
	for _, f := range files {
		if !used[f] {
			t.Errorf("%s is not used by any case of %s/health_test.yaml", f, dir)
		}
	}
}

func readObject(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := yaml.Unmarshal(data, &obj); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return obj
}

// runHealthScript runs a health script the way Argo CD does: the object as
// the global obj, in a state with only the base, table, string and math
// libraries, and the returned table read as {status, message}.
func runHealthScript(script string, obj map[string]any) (healthStatus, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
	} {
		l.Push(l.NewFunction(lib.open))
		l.Push(lua.LString(lib.name))
		l.Call(1, 0)
	}
	l.SetGlobal("obj", toLua(l, obj))
	if err := l.DoString(script); err != nil {
		return healthStatus{}, fmt.Errorf("running the health script: %w", err)
	}
	ret, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return healthStatus{}, fmt.Errorf("the health script returned %s, want a table", l.Get(-1).Type())
	}
	status, ok := ret.RawGetString("status").(lua.LString)
	if !ok {
		return healthStatus{}, fmt.Errorf("the health script returned no string status")
	}
	var hs healthStatus
	hs.Status = string(status)
	if msg, ok := ret.RawGetString("message").(lua.LString); ok {
		hs.Message = string(msg)
	}
	return hs, nil
}

// toLua converts decoded JSON (maps, slices, strings, float64 numbers,
// booleans, nil) into Lua values, as Argo CD hands objects to its scripts.
func toLua(l *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(v)
	case string:
		return lua.LString(v)
	case float64:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case int:
		return lua.LNumber(v)
	case map[string]any:
		t := l.NewTable()
		for k, e := range v {
			t.RawSetString(k, toLua(l, e))
		}
		return t
	case []any:
		t := l.NewTable()
		for _, e := range v {
			t.Append(toLua(l, e))
		}
		return t
	default:
		panic(fmt.Sprintf("no Lua value for %T", v))
	}
}
