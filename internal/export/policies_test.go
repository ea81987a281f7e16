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
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

func TestParseManagementPolicies(t *testing.T) {
	for name, tc := range map[string]struct {
		in      string
		want    zoomv1.ManagementPolicies
		wantErr string
	}{
		"not given":          {in: ""},
		"only commas":        {in: " , "},
		"observe":            {in: "Observe", want: zoomv1.ManagementPolicies{"Observe"}},
		"observe and update": {in: "Observe, Update", want: zoomv1.ManagementPolicies{"Observe", "Update"}},
		"all four":           {in: "Delete,Observe,Create,Update", want: zoomv1.ManagementPolicies{"Delete", "Observe", "Create", "Update"}},
		"star":               {in: "*", want: zoomv1.ManagementPolicies{"*"}},
		"without observe":    {in: "Create,Update", wantErr: "must include Observe"},
		"star and more":      {in: "*,Observe", wantErr: `"*" already means every policy`},
		"lower case":         {in: "observe", wantErr: `unknown management policy "observe"`},
		"unknown":            {in: "Observe,LateInitialize", wantErr: `unknown management policy "LateInitialize"`},
		"twice":              {in: "Observe,Observe", wantErr: `"Observe" given twice`},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ParseManagementPolicies(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("policies (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBuildPoliciesAndGroups: the policies reach every spec, in their own
// copy, and only group members are kept.
func TestBuildPoliciesAndGroups(t *testing.T) {
	users := []zoom.User{
		{Email: "Ada@Example.com", Type: zoom.TypeLicensed, Status: zoom.StatusActive},
		{Email: "bob@example.com", Type: zoom.TypeBasic, Status: zoom.StatusInactive},
		{Email: "carl@example.com", Type: zoom.TypeBasic, Status: zoom.StatusActive},
	}
	opts := defaultOptions()
	opts.ManagementPolicies = zoomv1.ManagementPolicies{zoomv1.ManagementObserve}
	opts.GroupMembers = map[string]bool{"ada@example.com": true, "bob@example.com": true}
	manifests, err := Build(users, opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range manifests {
		got = append(got, m.Spec.Email)
		if diff := cmp.Diff(zoomv1.ManagementPolicies{"Observe"}, m.Spec.ManagementPolicies); diff != "" {
			t.Errorf("%s: policies (-want +got):\n%s", m.Spec.Email, diff)
		}
	}
	if diff := cmp.Diff([]string{"Ada@Example.com", "bob@example.com"}, got); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	manifests[0].Spec.ManagementPolicies[0] = zoomv1.ManagementAll
	if manifests[1].Spec.ManagementPolicies[0] != zoomv1.ManagementObserve || opts.ManagementPolicies[0] != zoomv1.ManagementObserve {
		t.Error("manifests share their policies")
	}

	var out bytes.Buffer
	if err := WriteYAML(&out, manifests[1:]); err != nil {
		t.Fatal(err)
	}
	if want := "  managementPolicies:\n  - Observe\n"; !strings.Contains(out.String(), want) {
		t.Errorf("YAML lacks %q:\n%s", want, out.String())
	}
}

// TestBuildLeavesPoliciesOut: without policies the field is absent, so the
// API's default (every policy) applies and an older CRD takes the object.
func TestBuildLeavesPoliciesOut(t *testing.T) {
	manifests, err := Build([]zoom.User{{Email: "ada@example.com", Type: zoom.TypeBasic}}, defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteYAML(&out, manifests); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "managementPolicies") {
		t.Errorf("YAML names managementPolicies:\n%s", out.String())
	}
}
