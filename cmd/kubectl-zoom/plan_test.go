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

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// writeFiles writes files (path -> content) under a new directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func zoomUser(name, spec string) string {
	return fmt.Sprintf("apiVersion: zoom.zoomoperator.dev/v1alpha1\nkind: ZoomUser\nmetadata:\n  name: %s\nspec:\n%s", name, spec)
}

// gitopsRepo is a kustomization with a nested one, other kinds and every
// case a plan from files can show against startZoom's users: ada matches
// Zoom, grace is inactive in Zoom but wanted active, bob is a pending
// invitation, new is absent, watched is absent and may not be created.
func gitopsRepo(t *testing.T) string {
	return writeFiles(t, map[string]string{
		"kustomization.yaml":      "namespace: team-a\nresources:\n- ada.yaml\n- more\n",
		"ada.yaml":                zoomUser("ada", "  email: ada@example.com\n  type: Licensed\n  firstName: Ada\n  lastName: Lovelace\n"),
		"more/kustomization.yaml": "resources:\n- users.yaml\n",
		"more/users.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: unrelated\n---\n" +
			zoomUser("grace", "  email: grace@example.org\n") + "---\n# a comment only\n---\n" +
			zoomUser("bob", "  email: bob@example.com\n  firstName: Robert\n") + "---\n" +
			zoomUser("new", "  email: new@example.com\n  type: Licensed\n  action: ssoCreate\n") + "---\n" +
			zoomUser("watched", "  email: watched@example.com\n  managementPolicies: [Observe]\n"),
		"more/ignored.yaml": zoomUser("ignored", "  email: ignored@example.com\n"),
	})
}

func TestPlanFromFiles(t *testing.T) {
	fake, env := startZoom(t)
	repo := gitopsRepo(t)
	adaID := mustUser(t, fake, "ada@example.com").ID
	graceID := mustUser(t, fake, "grace@example.org").ID
	bobID := mustUser(t, fake, "bob@example.com").ID

	code, stdout, stderr := runWith(env, "plan", "-f", repo, "--adopt-existing-users")
	if code != exitChanges {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitChanges, stderr)
	}
	want := `team-a/ada (ada@example.com): adopt: existing Zoom user ` + adaID + `
team-a/grace (grace@example.org): adopt: existing Zoom user ` + graceID + `
    state "inactive" -> "active"
team-a/bob (bob@example.com): adopt: existing Zoom user ` + bobID + `
    note: pending invitation; left alone until the person accepts it
team-a/new (new@example.com): create: action ssoCreate, type Licensed
team-a/watched (watched@example.com): not corrected: missing; not created: managementPolicies exclude Create

Plan: 1 to create, 3 to adopt, 0 to update, 0 refused, 1 not corrected, 0 unchanged; 1 pending invitation.
`
	if diff := cmp.Diff(want, stdout); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	for _, line := range []string{
		"read 5 ZoomUsers from the manifests (1 objects of other kinds left out)\n",
		"ZOOM_* variables: looking up 5 users one by one\n",
	} {
		if !strings.Contains(stderr, line) {
			t.Errorf("stderr lacks %q:\n%s", line, stderr)
		}
	}
	if n := fake.Count(zoomfake.EndpointCreateUser) + fake.Count(zoomfake.EndpointUpdateUser) + fake.Count(zoomfake.EndpointUpdateStatus); n != 0 {
		t.Errorf("a plan made %d writes to Zoom", n)
	}
}

func mustUser(t *testing.T, fake *zoomfake.Server, email string) zoomfake.User {
	t.Helper()
	u, ok := fake.User(email)
	if !ok {
		t.Fatalf("fake Zoom has no %s", email)
	}
	return u
}

func TestPlanRefusesAdoptionByDefault(t *testing.T) {
	_, env := startZoom(t)
	code, stdout, stderr := runWith(env, "plan", "-f", gitopsRepo(t))
	if code != exitChanges {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if want := "team-a/ada (ada@example.com): refused: exists; account does not allow adoption (adoptExistingUsers: false)\n"; !strings.Contains(stdout, want) {
		t.Errorf("plan lacks %q:\n%s", want, stdout)
	}
	if want := "Plan: 1 to create, 0 to adopt, 0 to update, 3 refused, 1 not corrected, 0 unchanged.\n"; !strings.HasSuffix(stdout, want) {
		t.Errorf("plan does not end with %q:\n%s", want, stdout)
	}
}

// boundManifest is a ZoomUser as kubectl get -o yaml shows it: bound to a
// Zoom user by status.id.
func boundManifest(name, spec, id string) string {
	return zoomUser(name, spec) + "status:\n  id: " + id + "\n"
}

func TestPlanExitCodes(t *testing.T) {
	fake, env := startZoom(t)
	adaID := mustUser(t, fake, "ada@example.com").ID
	matches := boundManifest("ada", "  email: ada@example.com\n  type: Licensed\n  firstName: Ada\n  lastName: Lovelace\n", adaID)
	for name, tc := range map[string]struct {
		env      map[string]string
		manifest string
		args     []string
		code     int
		stdout   string // a line the plan holds
		stderr   string
	}{
		"bound and matching: nothing to do": {env: env, manifest: matches, code: exitOK,
			stdout: "Plan: 0 to create, 0 to adopt, 0 to update, 0 refused, 0 not corrected, 1 unchanged.\n"},
		"unchanged shown on request": {env: env, manifest: matches, args: []string{"--show-unchanged"}, code: exitOK,
			stdout: "ada (ada@example.com): unchanged\n"},
		"suspended: nothing to do": {env: env, manifest: zoomUser("x", "  email: x@example.com\n  suspend: true\n"), code: exitOK,
			stdout: "1 unchanged.\n"},
		"bound with drift: update": {env: env, code: exitChanges,
			manifest: boundManifest("ada", "  email: ada@example.com\n  type: Basic\n  firstName: Augusta\n", adaID),
			stdout:   "ada (ada@example.com): update\n    firstName \"Ada\" -> \"Augusta\"\n    type \"Licensed\" -> \"Basic\"\n"},
		"bound with drift, no Update: not corrected": {env: env, code: exitChanges,
			manifest: boundManifest("ada", "  email: ada@example.com\n  type: Licensed\n  firstName: Augusta\n  managementPolicies: [Observe, Create]\n", adaID),
			stdout:   "ada (ada@example.com): not corrected: drift left uncorrected (managementPolicies exclude Update)\n    firstName \"Ada\" -> \"Augusta\"\n"},
		"nothing to plan": {env: env, manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", code: exitOK,
			stdout: "Plan: 0 to create, 0 to adopt, 0 to update, 0 refused, 0 not corrected, 0 unchanged.\n"},
		"misspelt field": {env: env, manifest: zoomUser("x", "  email: x@example.com\n  fristName: X\n"), code: exitError,
			stderr: `document 1: error unmarshaling JSON: while decoding JSON: json: unknown field "fristName"`},
		"wrong secret": {env: withEnv(env, envClientSecret, "wr0ng-value"), manifest: matches, code: exitError,
			stdout: "ada (ada@example.com): error: authenticating with Zoom as ZOOM_* variables: "},
		"unknown flag is an error, not a plan": {env: env, manifest: matches, args: []string{"--bogus"}, code: exitError,
			stderr: "unknown flag: --bogus"},
		"two objects claim one email: the first name wins": {env: env, code: exitChanges,
			manifest: zoomUser("b", "  email: twin@example.com\n") + "---\n" + zoomUser("a", "  email: TWIN@example.com\n"),
			stdout:   "b (twin@example.com): refused: email twin@example.com in this Zoom account is already managed by ZoomUser a\na (TWIN@example.com): create: "},
		"neither credentials nor a kubeconfig": {env: nil, manifest: matches, args: []string{"--kubeconfig", "/nonexistent/kubeconfig"}, code: exitError,
			stderr: "kubeconfig: stat /nonexistent/kubeconfig: no such file or directory (without --from-account or ZOOM_* variables, plan reads each ZoomUser's accountRef through the kubeconfig)"},
		"stray argument":            {env: env, manifest: matches, args: []string{"users/"}, code: exitError, stderr: "manifests go after -f"},
		"all namespaces with files": {env: env, manifest: matches, args: []string{"-A"}, code: exitError, stderr: "--all-namespaces plans the ZoomUsers of the cluster"},
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(writeFiles(t, map[string]string{"users.yaml": tc.manifest}), "users.yaml")
			code, stdout, stderr := runWith(tc.env, append([]string{"plan", "-f", file}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stdout lacks %q or stderr lacks %q; stdout:\n%s\nstderr:\n%s", tc.stdout, tc.stderr, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, "wr0ng-value") || strings.Contains(stdout+stderr, "s3cr3t-value") {
				t.Errorf("output shows a secret")
			}
		})
	}
}

func withEnv(env map[string]string, key, value string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	out[key] = value
	return out
}

// More users than are looked up one by one: one listing of the account
// (one call for each status), and the same plan.
func TestPlanListsLargerAccounts(t *testing.T) {
	fake, env := startZoom(t)
	adaID := mustUser(t, fake, "ada@example.com").ID
	docs := []string{boundManifest("ada", "  email: ADA@example.com\n  type: Licensed\n  firstName: Augusta\n", adaID)}
	for i := range lookupByEmailMax {
		docs = append(docs, zoomUser(fmt.Sprintf("u%d", i), fmt.Sprintf("  email: u%d@example.com\n", i)))
	}
	file := filepath.Join(writeFiles(t, map[string]string{"users.yaml": strings.Join(docs, "---\n")}), "users.yaml")
	fake.ResetCounters()
	code, stdout, stderr := runWith(env, "plan", "-f", file)
	if code != exitChanges {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if want := "ada (ADA@example.com): update\n    firstName \"Ada\" -> \"Augusta\"\n"; !strings.HasPrefix(stdout, want) {
		t.Errorf("plan does not start with %q:\n%s", want, stdout)
	}
	if want := "Plan: 5 to create, 0 to adopt, 1 to update, 0 refused, 0 not corrected, 0 unchanged.\n"; !strings.HasSuffix(stdout, want) {
		t.Errorf("plan does not end with %q:\n%s", want, stdout)
	}
	if got := map[string]int{"list": fake.Count(zoomfake.EndpointListUsers), "get": fake.Count(zoomfake.EndpointGetUser)}; !cmp.Equal(got, map[string]int{"list": 3, "get": 0}) {
		t.Errorf("calls %v, want one listing of each of the three statuses and no GET", got)
	}
	if !strings.Contains(stderr, "ZOOM_* variables: listing the account for 6 users\n") {
		t.Errorf("stderr lacks the listing:\n%s", stderr)
	}
}

// Zoom lists some pending invitations without an id: a bound invitation is
// then asked for by itself, not taken for another user to adopt.
func TestPlanListingAsksForAnInvitationListedWithoutAnID(t *testing.T) {
	fake, env := startZoom(t)
	inv := fake.AddUser(zoomfake.User{Email: "inv@example.com", Type: zoom.TypeBasic, Status: zoom.StatusPending, Action: "create"})
	docs := []string{boundManifest("inv", "  email: inv@example.com\n", inv.ID)}
	for i := range lookupByEmailMax {
		docs = append(docs, zoomUser(fmt.Sprintf("u%d", i), fmt.Sprintf("  email: u%d@example.com\n", i)))
	}
	file := filepath.Join(writeFiles(t, map[string]string{"users.yaml": strings.Join(docs, "---\n")}), "users.yaml")
	fake.ResetCounters()
	_, stdout, stderr := runWith(env, "plan", "-f", file)
	if want := "inv (inv@example.com): unchanged: pending invitation"; !strings.Contains(stdout, want) {
		t.Errorf("plan lacks %q:\n%s\nstderr:\n%s", want, stdout, stderr)
	}
	if n := fake.Count(zoomfake.EndpointGetUser); n != 1 {
		t.Errorf("GET calls = %d, want 1: the invitation listed without an id", n)
	}
}

func TestPlanReadsStdin(t *testing.T) {
	_, env := startZoom(t)
	var out, errOut strings.Builder
	code := run(t.Context(), []string{"plan", "-f", "-"}, func(k string) string { return env[k] },
		strings.NewReader(zoomUser("new", "  email: new@example.com\n")), &out, &errOut)
	if code != exitChanges || !strings.Contains(out.String(), "new (new@example.com): create: action create, type Basic; Zoom emails an invitation") {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
}

func TestPlanHelp(t *testing.T) {
	code, stdout, stderr := runWith(nil, "plan", "--help")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"Exit status", "Examples:", "-f, --filename", "--from-account", "--allowed-zoom-hosts", "--adopt-existing-users", "kustomization.yaml", "not corrected"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	code, stdout, _ = runWith(nil, "--help")
	if code != exitOK || !strings.Contains(stdout, "  plan ") {
		t.Errorf("top-level usage lacks plan:\n%s", stdout)
	}
}
