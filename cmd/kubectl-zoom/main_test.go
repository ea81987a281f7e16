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
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// startZoom serves a fake Zoom with three users and returns the ZOOM_*
// environment that reaches it.
func startZoom(t *testing.T) (*zoomfake.Server, map[string]string) {
	t.Helper()
	fake := zoomfake.New(zoomfake.Options{AccountID: "acct", ClientID: "id", ClientSecret: "s3cr3t-value"})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	fake.AddUser(zoomfake.User{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", DisplayName: "Ada Lovelace", Type: zoom.TypeLicensed})
	fake.AddUser(zoomfake.User{Email: "grace@example.org", Type: zoom.TypeBasic, Status: zoom.StatusInactive})
	fake.AddUser(zoomfake.User{Email: "bob@example.com", Type: zoom.TypeBasic, Status: zoom.StatusPending})
	return fake, map[string]string{
		envAccountID: "acct", envClientID: "id", envClientSecret: "s3cr3t-value",
		envAPIURL: srv.URL + "/v2", envTokenURL: srv.URL + "/oauth/token", envPlan: "business",
	}
}

func runWith(env map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func emailsOf(t *testing.T, stream string) []string {
	t.Helper()
	var emails []string
	for _, zu := range zoomUsersOf(t, stream) {
		emails = append(emails, zu.Spec.Email)
	}
	return emails
}

func zoomUsersOf(t *testing.T, stream string) []zoomv1.ZoomUser {
	t.Helper()
	var out []zoomv1.ZoomUser
	for doc := range strings.SplitSeq(stream, "---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var zu zoomv1.ZoomUser
		if err := yaml.UnmarshalStrict([]byte(doc), &zu); err != nil {
			t.Fatalf("%v\n%s", err, doc)
		}
		out = append(out, zu)
	}
	return out
}

func TestExportCommand(t *testing.T) {
	_, env := startZoom(t)
	code, stdout, stderr := runWith(env, "export", "--namespace", "team-a", "--deletion-policy", "Deactivate",
		"--account-kind", "ZoomAccount", "--account-name", "zoom", "--action", "ssoCreate")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	want := `---
apiVersion: zoom.zoomoperator.dev/v1alpha1
kind: ZoomUser
metadata:
  name: ada.example.com
  namespace: team-a
spec:
  accountRef:
    kind: ZoomAccount
    name: zoom
  action: ssoCreate
  deletionPolicy: Deactivate
  email: ada@example.com
  firstName: Ada
  lastName: Lovelace
  state: Active
  type: Licensed
`
	if !strings.HasPrefix(stdout, want) {
		t.Errorf("stdout does not start with\n%s\ngot\n%s", want, stdout)
	}
	if diff := cmp.Diff([]string{"ada@example.com", "bob@example.com", "grace@example.org"}, emailsOf(t, stdout)); diff != "" {
		t.Errorf("emails (-want +got):\n%s", diff)
	}
	if !strings.Contains(stderr, "listed 3 users (active 1, inactive 1, pending 1)\n") || !strings.Contains(stderr, "wrote 3 ZoomUsers\n") {
		t.Errorf("stderr lacks the counts:\n%s", stderr)
	}
	if strings.Contains(stdout, "listed") {
		t.Errorf("progress on stdout:\n%s", stdout)
	}
}

func TestExportCommandFilters(t *testing.T) {
	_, env := startZoom(t)
	emailFile := filepath.Join(t.TempDir(), "emails.txt")
	if err := os.WriteFile(emailFile, []byte("# who moves first\nGRACE@example.org\nbob@example.com # invited\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		args []string
		want []string
	}{
		"no pending":       {[]string{"--status", "active,inactive"}, []string{"ada@example.com", "grace@example.org"}},
		"domain":           {[]string{"--domain", "example.com"}, []string{"ada@example.com", "bob@example.com"}},
		"email list":       {[]string{"--emails", "ada@example.com, grace@example.org"}, []string{"ada@example.com", "grace@example.org"}},
		"email file":       {[]string{"--emails", "@" + emailFile}, []string{"bob@example.com", "grace@example.org"}},
		"file and status":  {[]string{"--emails", "@" + emailFile, "--status", "pending"}, []string{"bob@example.com"}},
		"domain of nobody": {[]string{"--domain", "example.net"}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runWith(env, append([]string{"export"}, tc.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			if diff := cmp.Diff(tc.want, emailsOf(t, stdout)); diff != "" {
				t.Errorf("emails (-want +got):\n%s", diff)
			}
			// Only the email file names a user that is not listed.
			wantMissing := map[string]string{"file and status": "not among the users listed (pending): grace@example.org\n"}[name]
			if gotMissing := missingLine(stderr); gotMissing != wantMissing {
				t.Errorf("missing users reported as %q, want %q", gotMissing, wantMissing)
			}
		})
	}
}

func missingLine(stderr string) string {
	for line := range strings.Lines(stderr) {
		if strings.HasPrefix(line, "not among") {
			return line
		}
	}
	return ""
}

func TestExportCommandNamesMissingEmails(t *testing.T) {
	_, env := startZoom(t)
	code, stdout, stderr := runWith(env, "export", "--status", "active", "--emails", "ada@example.com,bob@example.com,nobody@example.com")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if diff := cmp.Diff([]string{"ada@example.com"}, emailsOf(t, stdout)); diff != "" {
		t.Errorf("emails (-want +got):\n%s", diff)
	}
	if want := "not among the users listed (active): bob@example.com, nobody@example.com\n"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
}

func TestExportCommandOutDir(t *testing.T) {
	_, env := startZoom(t)
	dir := filepath.Join(t.TempDir(), "users")
	code, stdout, stderr := runWith(env, "export", "--out-dir", dir)
	if code != exitOK || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ada.example.com.yaml
- bob.example.com.yaml
- grace.example.org.yaml
`
	if diff := cmp.Diff(want, string(data)); diff != "" {
		t.Errorf("kustomization.yaml (-want +got):\n%s", diff)
	}
}

func TestExportCommandRefuses(t *testing.T) {
	_, env := startZoom(t)
	noSecret := map[string]string{}
	for k, v := range env {
		noSecret[k] = v
	}
	delete(noSecret, envClientSecret)
	wrongSecret := map[string]string{}
	for k, v := range env {
		wrongSecret[k] = v
	}
	wrongSecret[envClientSecret] = "wr0ng-value"
	for name, tc := range map[string]struct {
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		"no command":         {env, nil, exitUsage, "Commands:"},
		"unknown command":    {env, []string{"import"}, exitUsage, `unknown command "import"`},
		"missing secret":     {noSecret, []string{"export"}, exitUsage, "set ZOOM_CLIENT_SECRET"},
		"wrong secret":       {wrongSecret, []string{"export"}, exitError, "authenticating with Zoom"},
		"autoCreate":         {env, []string{"export", "--action", "autoCreate"}, exitUsage, `--action "autoCreate": must be one of`},
		"unknown status":     {env, []string{"export", "--status", "active,gone"}, exitUsage, `--status "gone"`},
		"no status":          {env, []string{"export", "--status", ","}, exitUsage, "--status must name"},
		"bad policy":         {env, []string{"export", "--deletion-policy", "orphan"}, exitUsage, "--deletion-policy"},
		"bad kind":           {env, []string{"export", "--account-kind", "Account"}, exitUsage, "--account-kind"},
		"missing email file": {env, []string{"export", "--emails", "@/nonexistent"}, exitUsage, "--emails"},
		"unknown flag":       {env, []string{"export", "--bogus"}, exitUsage, "unknown flag: --bogus"},
		"stray argument":     {env, []string{"export", "users"}, exitUsage, "unexpected arguments"},
		"no credentials":     {nil, []string{"export"}, exitUsage, "no credentials: set ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET, or use --from-account"},
		"account without kind": {env, []string{"export", "--from-account", "default"}, exitUsage,
			`--from-account "default": want ClusterZoomAccount/NAME or ZoomAccount/NAME`},
		"account of unknown kind": {env, []string{"export", "--from-account", "Account/default"}, exitUsage, `--from-account "Account/default"`},
		"hosts with a scheme":     {env, []string{"export", "--allowed-zoom-hosts", "https://zoom.example"}, exitUsage, "--allowed-zoom-hosts: allowed host"},
		"no kubeconfig": {env, []string{"export", "--from-account", "ClusterZoomAccount/default", "--kubeconfig", "/nonexistent/kubeconfig"}, exitError,
			"kubeconfig: stat /nonexistent/kubeconfig"},
		"policies without Observe": {env, []string{"export", "--management-policies", "Create,Update"}, exitUsage,
			"--management-policies: management policies must include Observe"},
		"star and more":  {env, []string{"export", "--management-policies", "*,Delete"}, exitUsage, `--management-policies: management policy "*" already means`},
		"unknown policy": {env, []string{"export", "--management-policies", "observe"}, exitUsage, `unknown management policy "observe"`},
		"unknown group":  {env, []string{"export", "--group", "Sales"}, exitError, `no Zoom group named "Sales"; the account has no groups`},
	} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runWith(tc.env, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			if strings.Contains(stderr, "s3cr3t-value") || strings.Contains(stderr, "wr0ng-value") {
				t.Errorf("stderr shows a secret: %s", stderr)
			}
		})
	}
}

func TestExportHelp(t *testing.T) {
	code, stdout, stderr := runWith(nil, "export", "--help")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"ZOOM_CLIENT_SECRET", "adoptExistingUsers", "Examples:", "--out-dir", "-n, --namespace", "Pending users", "--group", "--management-policies", "group:read:admin"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, stdout)
		}
	}
}

// TestExportCommandGroups exports the members of Zoom groups, found by
// their exact names through the groups API.
func TestExportCommandGroups(t *testing.T) {
	fake, env := startZoom(t)
	fake.AddGroup("Engineering", "ada@example.com", "bob@example.com")
	fake.AddGroup("Ops", "grace@example.org", "ada@example.com")
	fake.AddGroup("Empty")
	for name, tc := range map[string]struct {
		args []string
		want []string
	}{
		"one group":          {[]string{"--group", "Engineering"}, []string{"ada@example.com", "bob@example.com"}},
		"two groups":         {[]string{"--group", "Engineering, Ops"}, []string{"ada@example.com", "bob@example.com", "grace@example.org"}},
		"group and status":   {[]string{"--group", "Ops", "--status", "active"}, []string{"ada@example.com"}},
		"group and domain":   {[]string{"--group", "Ops", "--domain", "example.org"}, []string{"grace@example.org"}},
		"group of no member": {[]string{"--group", "Empty"}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runWith(env, append([]string{"export"}, tc.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			if diff := cmp.Diff(tc.want, emailsOf(t, stdout)); diff != "" {
				t.Errorf("emails (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExportCommandUnknownGroup(t *testing.T) {
	fake, env := startZoom(t)
	fake.AddGroup("Engineering", "ada@example.com")
	fake.AddGroup("Ops")
	code, stdout, stderr := runWith(env, "export", "--group", "Engineering,engineering")
	want := `kubectl zoom export: no Zoom group named "engineering"; the account has 2 groups: "Engineering", "Ops"` + "\n"
	if code != exitError || stderr != want || stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and stderr %q", code, stdout, stderr, exitError, want)
	}
	if n := fake.Count(zoomfake.EndpointListUsers); n != 0 {
		t.Errorf("%d user listings after the group was not found", n)
	}
}

// TestExportCommandManagementPolicies writes the policies into every
// object, and leaves the field out unless asked.
func TestExportCommandManagementPolicies(t *testing.T) {
	_, env := startZoom(t)
	for name, tc := range map[string]struct {
		args []string
		want zoomv1.ManagementPolicies
	}{
		"not given":        {nil, nil},
		"observe":          {[]string{"--management-policies", "Observe"}, zoomv1.ManagementPolicies{"Observe"}},
		"observe, update":  {[]string{"--management-policies", "Observe,Update"}, zoomv1.ManagementPolicies{"Observe", "Update"}},
		"star":             {[]string{"--management-policies", "*"}, zoomv1.ManagementPolicies{"*"}},
		"empty means none": {[]string{"--management-policies", ""}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runWith(env, append([]string{"export"}, tc.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			objects := zoomUsersOf(t, stdout)
			if len(objects) != 3 {
				t.Fatalf("%d objects, want 3", len(objects))
			}
			for _, zu := range objects {
				if diff := cmp.Diff(tc.want, zu.Spec.ManagementPolicies); diff != "" {
					t.Errorf("%s: policies (-want +got):\n%s", zu.Name, diff)
				}
			}
			if tc.want == nil && strings.Contains(stdout, "managementPolicies") {
				t.Errorf("the field is written:\n%s", stdout)
			}
		})
	}
}
