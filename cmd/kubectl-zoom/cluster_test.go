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
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// The plugin against a real kube-apiserver, as people with different
// permissions: the credentials come from account objects and their
// Secrets, read with the kubeconfig's own RBAC.

func startControlPlane(t *testing.T) *testenv.ControlPlane {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		why := "KUBEBUILDER_ASSETS is not set; run with KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh)"
		if os.Getenv("CI") == "true" {
			t.Fatal(why + " (CI=true: a missing tool fails the test rather than skipping it)")
		}
		t.Skip(why)
	}
	cp, err := testenv.Start(testenv.Options{RepoRoot: filepath.Join("..", ".."), Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	return cp
}

// kubeconfigFor adds a user to the control plane, binds it to a Role of
// these rules in namespace, and returns a kubeconfig file for it.
func kubeconfigFor(t *testing.T, cp *testenv.ControlPlane, name, namespace string, rules ...rbacv1.PolicyRule) string {
	t.Helper()
	ctx := context.Background()
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}, Rules: rules}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}},
	}
	if err := testenv.CreateAll(ctx, cp.Admin, role, binding); err != nil {
		t.Fatal(err)
	}
	user, err := cp.Env.AddUser(envtest.User{Name: name}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".kubeconfig")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func rule(group, resource string, verbs ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: []string{group}, Resources: []string{resource}, Verbs: verbs}
}

// attacker is a server that records whatever reaches it.
func attacker(t *testing.T) (url string, requests *atomic.Int32) {
	requests = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "no", http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	// 127.0.0.1 is allowed in these tests; the same server under the name
	// localhost is not.
	return strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), requests
}

func TestAccountsThroughKubeconfig(t *testing.T) {
	cp := startControlPlane(t)
	ctx := context.Background()
	fake, env := startZoom(t)
	target := testenv.Target{
		Credentials: testenv.Credentials{AccountID: env[envAccountID], ClientID: env[envClientID], ClientSecret: env[envClientSecret]},
		APIURL:      env[envAPIURL], TokenURL: env[envTokenURL],
	}
	evilURL, evilRequests := attacker(t)
	const ns = "team-a"
	adopting := target.Settings()
	adopting.AdoptExistingUsers = true
	objs := append(testenv.DefaultClusterTenant(target.Settings(), target), testenv.NamespacedTenant(ns, "zoom", adopting, target)...)
	objs = append(objs, &zoomv1.ZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "evil", Namespace: ns},
		Spec: zoomv1.ZoomAccountSpec{
			CredentialsSecretRef: zoomv1.LocalSecretReference{Name: testenv.CredentialsSecret},
			AccountSettings:      zoomv1.AccountSettings{APIURL: evilURL + "/v2", TokenURL: evilURL + "/oauth/token"},
		},
	})
	objs = append(objs, &zoomv1.ClusterZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "restricted"},
		Spec: zoomv1.ClusterZoomAccountSpec{
			CredentialsSecretRef: zoomv1.SecretReference{Name: testenv.CredentialsSecret, Namespace: testenv.OperatorNamespace},
			AccountSettings:      target.Settings(),
			AllowedNamespaces: zoomv1.AllowedNamespaces{From: zoomv1.NamespacesFromSelector,
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"zoom": "yes"}}},
		},
	})
	if err := testenv.CreateAll(ctx, cp.Admin, objs...); err != nil {
		t.Fatal(err)
	}
	admin := []string{"--kubeconfig", cp.Kubeconfig, "--allowed-zoom-hosts", "127.0.0.1"}

	t.Run("export from a ClusterZoomAccount", func(t *testing.T) {
		code, stdout, stderr := runShowingNoSecret(t, nil, append([]string{"export", "--from-account", "ClusterZoomAccount/default"}, admin...)...)
		if code != exitOK {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		if !strings.Contains(stdout, "  accountRef:\n    kind: ClusterZoomAccount\n    name: default\n") || len(emailsOf(t, stdout)) != 3 {
			t.Errorf("export:\n%s", stdout)
		}
	})
	t.Run("export from a ZoomAccount points the objects at it", func(t *testing.T) {
		code, stdout, stderr := runShowingNoSecret(t, nil, append([]string{"export", "--from-account", "ZoomAccount/zoom", "-n", ns}, admin...)...)
		if code != exitOK {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		if !strings.Contains(stdout, "  namespace: team-a\n") || !strings.Contains(stdout, "  accountRef:\n    kind: ZoomAccount\n    name: zoom\n") {
			t.Errorf("export:\n%s", stdout)
		}
	})
	t.Run("--from-account wins over ZOOM_* variables", func(t *testing.T) {
		env := map[string]string{envAccountID: "other", envClientID: "other", envClientSecret: "wr0ng-value"}
		code, _, stderr := runShowingNoSecret(t, env, append([]string{"export", "--from-account", "ClusterZoomAccount/default"}, admin...)...)
		if code != exitOK || !strings.Contains(stderr, "using --from-account ClusterZoomAccount/default; the ZOOM_* variables are ignored\n") {
			t.Errorf("exit %d, stderr:\n%s", code, stderr)
		}
	})

	// A tenant who may write ZoomAccounts points one at a host of their
	// own, next to the real Secret: the plugin must not send it anything.
	tokensBefore := fake.Count(zoomfake.EndpointToken)
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"apiURL outside the allowed hosts": {
			append([]string{"export", "--from-account", "ZoomAccount/evil", "-n", ns}, admin...),
			"ZoomAccount/team-a/evil points outside the allowed Zoom hosts, so its credentials were not read: host localhost:"},
		"Zoom's own hosts only, by default": {
			[]string{"export", "--from-account", "ClusterZoomAccount/default", "--kubeconfig", cp.Kubeconfig},
			"is not in --allowed-zoom-hosts (api.zoom.us,zoom.us)"},
	} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runShowingNoSecret(t, nil, tc.args...)
			if code != exitError || stdout != "" || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout, stderr, exitError, tc.want)
			}
		})
	}
	if n := evilRequests.Load(); n != 0 {
		t.Errorf("the attacker's server got %d requests", n)
	}
	if n := fake.Count(zoomfake.EndpointToken) - tokensBefore; n != 0 {
		t.Errorf("refused accounts still asked Zoom for %d tokens", n)
	}

	// ZoomUsers in the cluster: ada is bound to her Zoom user and has a
	// new first name, grace exists in Zoom and the account adopts, new is
	// absent, and mallory's account is the attacker's.
	ada := mustUser(t, fake, "ada@example.com")
	users := []*zoomv1.ZoomUser{
		zoomUserObject(ns, "ada", "ada@example.com", "zoom", func(s *zoomv1.ZoomUserSpec) { s.Type, s.FirstName = zoomv1.UserTypeLicensed, "Augusta" }),
		zoomUserObject(ns, "grace", "grace@example.org", "zoom", func(s *zoomv1.ZoomUserSpec) { s.State = zoomv1.UserStateInactive }),
		zoomUserObject(ns, "new", "new@example.com", "zoom", nil),
		zoomUserObject(ns, "mallory", "mallory@example.com", "evil", nil),
	}
	for _, zu := range users {
		if err := cp.Admin.Create(ctx, zu); err != nil {
			t.Fatal(err)
		}
	}
	users[0].Status.ID = ada.ID
	if err := cp.Admin.Status().Update(ctx, users[0]); err != nil {
		t.Fatal(err)
	}

	canReadUsersAndAccounts := []rbacv1.PolicyRule{
		rule(zoomv1.GroupVersion.Group, "zoomusers", "get", "list"),
		rule(zoomv1.GroupVersion.Group, "zoomaccounts", "get"),
	}
	t.Run("plan of a namespace without the permission to read the Secret", func(t *testing.T) {
		kubeconfig := kubeconfigFor(t, cp, "viewer", ns, canReadUsersAndAccounts...)
		code, stdout, stderr := runShowingNoSecret(t, nil, "plan", "-n", ns, "--kubeconfig", kubeconfig, "--allowed-zoom-hosts", "127.0.0.1")
		if code != exitError {
			t.Errorf("exit %d, want %d; stderr:\n%s", code, exitError, stderr)
		}
		want := "team-a/ada (ada@example.com): error: reading Secret team-a/zoom-s2s (the credentials of ZoomAccount/team-a/zoom): " +
			"your kubeconfig's user lacks the permission to get secrets in namespace team-a: " +
			`secrets "zoom-s2s" is forbidden: User "viewer" cannot get resource "secrets" in API group "" in the namespace "team-a"`
		if !strings.Contains(stdout, want) {
			t.Errorf("plan lacks\n%s\ngot\n%s", want, stdout)
		}
		// The hosts are checked before the Secret is read: the refusal
		// names the host, not the missing permission.
		if want := "team-a/mallory (mallory@example.com): error: ZoomAccount/team-a/evil points outside the allowed Zoom hosts"; !strings.Contains(stdout, want) {
			t.Errorf("plan lacks\n%s\ngot\n%s", want, stdout)
		}
	})
	t.Run("plan of a namespace", func(t *testing.T) {
		kubeconfig := kubeconfigFor(t, cp, "planner", ns, append(canReadUsersAndAccounts, rule("", "secrets", "get"))...)
		code, stdout, stderr := runShowingNoSecret(t, nil, "plan", "-n", ns, "--kubeconfig", kubeconfig, "--allowed-zoom-hosts", "127.0.0.1")
		if code != exitError { // mallory's account is refused
			t.Errorf("exit %d, want %d; stderr:\n%s", code, exitError, stderr)
		}
		want := `team-a/ada (ada@example.com): update
    firstName "Ada" -> "Augusta"
team-a/grace (grace@example.org): adopt: existing Zoom user ` + mustUser(t, fake, "grace@example.org").ID + `
team-a/mallory (mallory@example.com): error: ZoomAccount/team-a/evil points outside the allowed Zoom hosts, so its credentials were not read: host localhost:`
		if !strings.HasPrefix(stdout, want) {
			t.Errorf("plan does not start with\n%s\ngot\n%s", want, stdout)
		}
		if want := "Plan: 1 to create, 1 to adopt, 1 to update, 0 refused, 0 not corrected, 0 unchanged; 1 error.\n"; !strings.HasSuffix(stdout, want) {
			t.Errorf("plan does not end with %q:\n%s", want, stdout)
		}
	})
	t.Run("plan of manifests takes the status of the objects in the cluster", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"ada.yaml": zoomUser("ada",
			"  email: ada@example.com\n  type: Licensed\n  firstName: Ada\n  lastName: Lovelace\n  accountRef: {kind: ZoomAccount, name: zoom}\n")})
		code, stdout, stderr := runShowingNoSecret(t, nil, append([]string{"plan", "-f", dir, "-n", ns}, admin...)...)
		if code != exitOK {
			t.Errorf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, exitOK, stdout, stderr)
		}
		if !strings.Contains(stderr, "1 of the manifests exist in the cluster; the plan uses their status\n") {
			t.Errorf("stderr:\n%s", stderr)
		}
	})
	// A pull request that adds a second object for an email an object in
	// the cluster already holds: the operator would stall it (Conflict).
	t.Run("plan of manifests sees the emails the cluster's objects hold", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"ada2.yaml": zoomUser("ada2",
			"  email: ADA@example.com\n  accountRef: {kind: ZoomAccount, name: zoom}\n")})
		code, stdout, stderr := runShowingNoSecret(t, nil, append([]string{"plan", "-f", dir, "-n", ns}, admin...)...)
		if code != exitChanges {
			t.Errorf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, exitChanges, stdout, stderr)
		}
		if want := "team-a/ada2 (ADA@example.com): refused: email ADA@example.com in this Zoom account is already managed by ZoomUser team-a/ada\n"; !strings.Contains(stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, stdout)
		}
	})
	t.Run("a namespace outside a ClusterZoomAccount's allowedNamespaces is refused", func(t *testing.T) {
		manifests := zoomUser("outsider", "  email: new@example.com\n  accountRef: {kind: ClusterZoomAccount, name: restricted}\n") + "---\n" +
			zoomUser("insider", "  email: new@example.com\n  accountRef: {kind: ClusterZoomAccount, name: default}\n")
		dir := writeFiles(t, map[string]string{"users.yaml": manifests})
		code, stdout, stderr := runShowingNoSecret(t, nil, append([]string{"plan", "-f", dir, "-n", ns}, admin...)...)
		if code != exitChanges {
			t.Errorf("exit %d, want %d; stderr:\n%s", code, exitChanges, stderr)
		}
		// The refused one claims nothing: the other creates the user.
		want := `team-a/outsider (new@example.com): refused: namespace team-a is not allowed to use ClusterZoomAccount/restricted (allowedNamespaces)
team-a/insider (new@example.com): create: action create, type Basic; Zoom emails an invitation, the user is pending until accepted
`
		if !strings.HasPrefix(stdout, want) {
			t.Errorf("plan does not start with\n%s\ngot\n%s", want, stdout)
		}
	})
	if n := evilRequests.Load(); n != 0 {
		t.Errorf("the attacker's server got %d requests", n)
	}
}

func zoomUserObject(namespace, name, email, account string, mutate func(*zoomv1.ZoomUserSpec)) *zoomv1.ZoomUser {
	zu := &zoomv1.ZoomUser{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: zoomv1.ZoomUserSpec{Email: email,
			AccountRef: zoomv1.AccountReference{Kind: zoomv1.AccountKindNamespaced, Name: account}},
	}
	if mutate != nil {
		mutate(&zu.Spec)
	}
	return zu
}

// runShowingNoSecret runs the plugin and fails the test if its output
// holds the value of a credentials Secret or a ZOOM_CLIENT_SECRET.
func runShowingNoSecret(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	code, stdout, stderr = runWith(env, args...)
	for _, secret := range []string{"s3cr3t-value", "wr0ng-value"} {
		if strings.Contains(stdout+stderr, secret) {
			t.Errorf("kubectl zoom %s shows a secret:\n%s\n%s", strings.Join(args, " "), stdout, stderr)
		}
	}
	return code, stdout, stderr
}
