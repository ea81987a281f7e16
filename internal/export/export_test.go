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

package export

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/desired"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// startZoom serves a fake Zoom over HTTP and returns it with a client of
// the kind the operator uses.
func startZoom(t *testing.T, opts zoomfake.Options) (*zoomfake.Server, *zoom.Client) {
	t.Helper()
	fake := zoomfake.New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	client := zoom.New(zoom.Config{
		APIURL:   srv.URL + "/v2",
		TokenURL: srv.URL + "/oauth/token",
		Budget:   zoom.NewBudget(zoom.BudgetOptions{Plan: zoom.PlanBusiness}),
	})
	return fake, client
}

func defaultOptions() *Options {
	return &Options{
		AccountKind: zoomv1.AccountKindCluster, AccountName: "default",
		Action: zoomv1.ActionCreate, DeletionPolicy: zoomv1.DeletionPolicyOrphan,
	}
}

// awkwardUsers cover every state and type, names Zoom derived or not, and
// emails that cannot be names as they are.
var awkwardUsers = []zoomfake.User{
	{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", DisplayName: "Ada Lovelace", Type: zoom.TypeLicensed},
	{Email: "Grace.Hopper@Example.COM", FirstName: "Grace", LastName: "Hopper", DisplayName: "Amazing Grace", Type: zoom.TypeBasic, Status: zoom.StatusInactive},
	{Email: "bob+zoom@example.com", Type: zoom.TypeBasic, Status: zoom.StatusPending},
	{Email: "a.b@c.example.org", FirstName: "A", Type: zoom.TypeBasic},
	{Email: "a@b.c.example.org", LastName: "B", Type: zoom.TypeUnassigned},
	{Email: "-sso_only-@example.net", DisplayName: "Kiosk", Type: zoom.TypeNone},
}

func exportAll(t *testing.T, client *zoom.Client, opts *Options) (Listing, []Manifest, string) {
	t.Helper()
	var progress bytes.Buffer
	listing, err := List(context.Background(), client, Statuses, &progress)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	manifests, err := Build(listing.Users, opts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return listing, manifests, progress.String()
}

func TestExportYAML(t *testing.T) {
	fake, client := startZoom(t, zoomfake.Options{})
	for _, u := range awkwardUsers {
		fake.AddUser(u)
	}
	opts := defaultOptions()
	opts.Namespace = "team-a"
	_, manifests, _ := exportAll(t, client, opts)
	var out bytes.Buffer
	if err := WriteYAML(&out, manifests); err != nil {
		t.Fatal(err)
	}
	// A few users in full: the hash suffixes are those of the emails.
	for _, want := range []string{`---
apiVersion: zoom.zoomoperator.dev/v1alpha1
kind: ZoomUser
metadata:
  name: ada.example.com
  namespace: team-a
spec:
  accountRef:
    kind: ClusterZoomAccount
    name: default
  action: create
  deletionPolicy: Orphan
  email: ada@example.com
  firstName: Ada
  lastName: Lovelace
  state: Active
  type: Licensed
`, `---
apiVersion: zoom.zoomoperator.dev/v1alpha1
kind: ZoomUser
metadata:
  name: grace.hopper.example.com
  namespace: team-a
spec:
  accountRef:
    kind: ClusterZoomAccount
    name: default
  action: create
  deletionPolicy: Orphan
  displayName: Amazing Grace
  email: Grace.Hopper@Example.COM
  firstName: Grace
  lastName: Hopper
  state: Inactive
  type: Basic
`, `---
apiVersion: zoom.zoomoperator.dev/v1alpha1
kind: ZoomUser
metadata:
  name: sso-only.example.net-` + hashOf("-sso_only-@example.net") + `
  namespace: team-a
spec:
  accountRef:
    kind: ClusterZoomAccount
    name: default
  action: ssoCreate
  deletionPolicy: Orphan
  displayName: Kiosk
  email: -sso_only-@example.net
  state: Active
  type: None
`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("export lacks\n%s\nin\n%s", want, out.String())
		}
	}
	gotNames := map[string]string{}
	for _, m := range manifests {
		gotNames[m.Spec.Email] = m.Metadata.Name
	}
	wantNames := map[string]string{
		"ada@example.com":          "ada.example.com",
		"Grace.Hopper@Example.COM": "grace.hopper.example.com",
		"bob+zoom@example.com":     "bob-zoom.example.com-" + hashOf("bob+zoom@example.com"),
		"a.b@c.example.org":        "a.b.c.example.org-" + hashOf("a.b@c.example.org"),
		"a@b.c.example.org":        "a.b.c.example.org-" + hashOf("a@b.c.example.org"),
		"-sso_only-@example.net":   "sso-only.example.net-" + hashOf("-sso_only-@example.net"),
	}
	if diff := cmp.Diff(wantNames, gotNames); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func hashOf(email string) string {
	return strings.TrimPrefix(hashed("", email), "-")
}

// TestExportNeedsNoWrite is the promise of an export: read back as
// ZoomUsers, every object matches its Zoom user, so adopting it changes
// nothing in Zoom.
func TestExportNeedsNoWrite(t *testing.T) {
	fake, client := startZoom(t, zoomfake.Options{})
	for _, u := range awkwardUsers {
		fake.AddUser(u)
	}
	listing, manifests, _ := exportAll(t, client, defaultOptions())
	var out bytes.Buffer
	if err := WriteYAML(&out, manifests); err != nil {
		t.Fatal(err)
	}
	objects := parseZoomUsers(t, out.String())
	if len(objects) != len(awkwardUsers) {
		t.Fatalf("parsed %d ZoomUsers, want %d", len(objects), len(awkwardUsers))
	}
	remote := map[string]zoom.User{}
	for _, u := range listing.Users {
		remote[strings.ToLower(u.Email)] = u
	}
	names := map[string]bool{}
	for _, zu := range objects {
		if errs := validation.IsDNS1123Subdomain(zu.Name); len(errs) > 0 {
			t.Errorf("name %q: %v", zu.Name, errs)
		}
		if names[zu.Name] {
			t.Errorf("name %q used twice", zu.Name)
		}
		names[zu.Name] = true
		u, ok := remote[strings.ToLower(zu.Spec.Email)]
		if !ok {
			t.Errorf("%s: no such Zoom user", zu.Spec.Email)
			continue
		}
		if patch, fields := desired.Drift(&zu.Spec, &u); len(fields) > 0 {
			t.Errorf("%s: drift in %v: %+v", zu.Spec.Email, fields, patch)
		}
		if desired.TypeWaits(&zu.Spec, &u) {
			t.Errorf("%s: type %s waits for activation", zu.Spec.Email, zu.Spec.Type)
		}
		if wantActive := u.Status != zoom.StatusInactive; desired.Active(&zu.Spec) != wantActive {
			t.Errorf("%s: spec wants active=%v, Zoom user is %s", zu.Spec.Email, desired.Active(&zu.Spec), u.Status)
		}
		if desired.ZoomType(zu.Spec.Type) != u.Type {
			t.Errorf("%s: type %s, Zoom has %d", zu.Spec.Email, zu.Spec.Type, u.Type)
		}
	}
	if n := fake.Count(zoomfake.EndpointUpdateUser); n != 0 {
		t.Errorf("export made %d updates", n)
	}
}

func parseZoomUsers(t *testing.T, stream string) []zoomv1.ZoomUser {
	t.Helper()
	var out []zoomv1.ZoomUser
	for doc := range strings.SplitSeq(stream, "---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var zu zoomv1.ZoomUser
		if err := yaml.UnmarshalStrict([]byte(doc), &zu); err != nil {
			t.Fatalf("not a ZoomUser: %v\n%s", err, doc)
		}
		if zu.Kind != "ZoomUser" || zu.APIVersion != zoomv1.GroupVersion.String() {
			t.Errorf("kind %s/%s", zu.APIVersion, zu.Kind)
		}
		out = append(out, zu)
	}
	return out
}

// TestListPagesEveryStatus lists more users than fit a page: one call per
// page of each status, and every user once.
func TestListPagesEveryStatus(t *testing.T) {
	const pageSize = 300
	fake, client := startZoom(t, zoomfake.Options{PageSizeCap: pageSize})
	counts := map[string]int{zoom.StatusActive: 1050, zoom.StatusInactive: 30, zoom.StatusPending: 301}
	for _, status := range Statuses {
		for i := range counts[status] {
			fake.AddUser(zoomfake.User{Email: fmt.Sprintf("%s%04d@example.com", status, i), Type: zoom.TypeBasic, Status: status})
		}
	}
	listing, manifests, progress := exportAll(t, client, defaultOptions())
	wantCalls := 0
	for _, status := range Statuses {
		wantCalls += (counts[status] + pageSize - 1) / pageSize
	}
	if listing.Calls != wantCalls || fake.Count(zoomfake.EndpointListUsers) != wantCalls {
		t.Errorf("calls: listing says %d, Zoom saw %d, want %d", listing.Calls, fake.Count(zoomfake.EndpointListUsers), wantCalls)
	}
	if diff := cmp.Diff(counts, listing.ByStatus); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if want := "listed 1381 users (active 1050, inactive 30, pending 301)\n"; !strings.HasSuffix(progress, want) {
		t.Errorf("progress %q does not end with %q", progress, want)
	}
	seen := map[string]bool{}
	for _, m := range manifests {
		if seen[m.Spec.Email] {
			t.Errorf("%s exported twice", m.Spec.Email)
		}
		seen[m.Spec.Email] = true
	}
	if len(seen) != 1381 {
		t.Errorf("exported %d users, want 1381", len(seen))
	}
}

func TestListOnlyAskedStatuses(t *testing.T) {
	fake, client := startZoom(t, zoomfake.Options{})
	for _, u := range awkwardUsers {
		fake.AddUser(u)
	}
	listing, err := List(context.Background(), client, []string{zoom.StatusInactive}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range listing.Users {
		got = append(got, u.Email)
	}
	if diff := cmp.Diff([]string{"Grace.Hopper@Example.COM"}, got); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
}

func TestKeep(t *testing.T) {
	users := []zoom.User{{Email: "Ada@Example.com"}, {Email: "bob@example.org"}, {Email: "carl@sub.example.com"}}
	for name, tc := range map[string]struct {
		domains []string
		emails  map[string]bool
		want    []string
	}{
		"everyone":          {want: []string{"Ada@Example.com", "bob@example.org", "carl@sub.example.com"}},
		"domain, any case":  {domains: []string{"example.com"}, want: []string{"Ada@Example.com"}},
		"two domains":       {domains: []string{"example.org", "sub.example.com"}, want: []string{"bob@example.org", "carl@sub.example.com"}},
		"emails, any case":  {emails: map[string]bool{"ada@example.com": true, "nobody@example.com": true}, want: []string{"Ada@Example.com"}},
		"emails and domain": {domains: []string{"example.org"}, emails: map[string]bool{"ada@example.com": true, "bob@example.org": true}, want: []string{"bob@example.org"}},
		"empty email list":  {emails: map[string]bool{}},
		"domain of no user": {domains: []string{"example.net"}},
	} {
		t.Run(name, func(t *testing.T) {
			opts := Options{Domains: tc.domains, Emails: tc.emails}
			var got []string
			for i := range users {
				if opts.Keep(&users[i]) {
					got = append(got, users[i].Email)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildRefusesUnknownType(t *testing.T) {
	_, err := Build([]zoom.User{{Email: "x@example.com", Type: 3}}, defaultOptions())
	if err == nil || !strings.Contains(err.Error(), "type 3") {
		t.Errorf("err = %v, want one naming type 3", err)
	}
}

func TestWriteDir(t *testing.T) {
	fake, client := startZoom(t, zoomfake.Options{})
	for _, u := range awkwardUsers {
		fake.AddUser(u)
	}
	_, manifests, _ := exportAll(t, client, defaultOptions())
	dir := filepath.Join(t.TempDir(), "users")
	if err := WriteDir(dir, manifests); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k Kustomization
	if err := yaml.UnmarshalStrict(data, &k); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range manifests {
		want = append(want, m.Metadata.Name+".yaml")
	}
	if diff := cmp.Diff(Kustomization{APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization", Resources: want}, k); diff != "" {
		t.Errorf("kustomization (-want +got):\n%s", diff)
	}
	for _, m := range manifests {
		data, err := os.ReadFile(filepath.Join(dir, m.Metadata.Name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		got := parseZoomUsers(t, string(data))
		if len(got) != 1 || got[0].Name != m.Metadata.Name || !cmp.Equal(got[0].Spec, m.Spec) {
			t.Errorf("%s.yaml holds %+v, want %+v", m.Metadata.Name, got, m)
		}
	}
}

// TestListStartsOverAfterAPause: a throttled or failed listing is listed
// again after the pause Zoom asks for; a refusal is not.
func TestListStartsOverAfterAPause(t *testing.T) {
	for name, tc := range map[string]struct {
		fault   zoomfake.Fault
		waits   int
		wantErr string
	}{
		"per-second 429": {fault: zoomfake.Fault{Endpoint: zoomfake.EndpointListUsers, Times: 1, Status: 429, Code: 429,
			Message: "You have reached the maximum per-second rate limit for this API. Try again later.",
			Headers: map[string]string{"X-RateLimit-Type": "QPS"}}, waits: 1},
		"two 5xx":       {fault: zoomfake.Fault{Endpoint: zoomfake.EndpointListUsers, Times: 2, Status: 503}, waits: 2},
		"lasting 5xx":   {fault: zoomfake.Fault{Endpoint: zoomfake.EndpointListUsers, Status: 503}, waits: maxAttempts - 1, wantErr: "listing active users"},
		"refusal (400)": {fault: zoomfake.Fault{Endpoint: zoomfake.EndpointListUsers, Status: 400, Code: 300, Message: "bad request"}, wantErr: "bad request"},
	} {
		t.Run(name, func(t *testing.T) {
			fake, client := startZoom(t, zoomfake.Options{})
			fake.AddUser(zoomfake.User{Email: "ada@example.com", Type: zoom.TypeBasic})
			fake.InjectFault(tc.fault)
			var waits []time.Duration
			record := func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			}
			var progress bytes.Buffer
			listing, err := listWith(context.Background(), client, []string{zoom.StatusActive}, &progress, record)
			if tc.wantErr == "" && (err != nil || len(listing.Users) != 1) {
				t.Fatalf("err %v, %d users; want ada", err, len(listing.Users))
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
			if len(waits) != tc.waits {
				t.Errorf("waited %d times (%v), want %d; progress:\n%s", len(waits), waits, tc.waits, progress.String())
			}
			if want := tc.waits + 1; tc.wantErr == "" && fake.Count(zoomfake.EndpointListUsers) != want {
				t.Errorf("%d list calls, want %d", fake.Count(zoomfake.EndpointListUsers), want)
			}
		})
	}
}
