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
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

func TestReadManifests(t *testing.T) {
	ada := zoomUser("ada", "  email: ada@example.com\n")
	for name, tc := range map[string]struct {
		files   map[string]string
		want    []string // namespace/name
		skipped int
		err     string
	}{
		"plain directory: yaml, yml and json files, no subdirectory": {
			files: map[string]string{
				"a.yaml": ada, "b.yml": zoomUser("bob", "  email: bob@example.com\n"),
				"c.json":        `{"apiVersion":"zoom.zoomoperator.dev/v1alpha1","kind":"ZoomUser","metadata":{"name":"cy","namespace":"x"},"spec":{"email":"cy@example.com"}}`,
				"README.md":     "not yaml: at all: [",
				"sub/d.yaml":    zoomUser("dan", "  email: dan@example.com\n"),
				"e.yaml":        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n",
				"f.yaml":        "apiVersion: zoom.zoomoperator.dev/v1alpha1\nkind: ZoomGroup\nmetadata:\n  name: g\n",
				"g.yaml":        "# nothing but a comment\n",
				"h.yaml":        "",
				"kustomize.txt": "resources: [x]",
			},
			want:    []string{"/ada", "/bob", "x/cy"},
			skipped: 2,
		},
		"kustomization: outer namespace wins, each file once": {
			files: map[string]string{
				"kustomization.yaml":        "namespace: outer\nresources:\n- base\n- base/a.yaml\n",
				"base/kustomization.yml":    "namespace: inner\nresources: [a.yaml, ../base]\n",
				"base/a.yaml":               ada,
				"base/ignored-by-kustomize": zoomUser("no", "  email: no@example.com\n"),
			},
			want: []string{"outer/ada"},
		},
		"remote resource": {
			files: map[string]string{"kustomization.yaml": "resources:\n- https://example.com/users.yaml\n"},
			err:   "remote resource https://example.com/users.yaml: only local files and directories are read",
		},
		"missing resource": {
			files: map[string]string{"kustomization.yaml": "resources:\n- gone.yaml\n"},
			err:   "gone.yaml: no such file or directory",
		},
		"other apiVersion of ZoomUser": {
			files: map[string]string{"a.yaml": strings.Replace(ada, "v1alpha1", "v1beta9", 1)},
			err:   "a.yaml: document 1: ZoomUser of apiVersion zoom.zoomoperator.dev/v1beta9: this plugin knows zoom.zoomoperator.dev/v1alpha1",
		},
	} {
		t.Run(name, func(t *testing.T) {
			users, skipped, err := readManifests([]string{writeFiles(t, tc.files)}, nil)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range users {
				got = append(got, u.Namespace+"/"+u.Name)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			if skipped != tc.skipped {
				t.Errorf("skipped %d, want %d", skipped, tc.skipped)
			}
		})
	}
}

func TestReadManifestsAppliesTheCRDDefaults(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.yaml": zoomUser("ada", "  email: ada@example.com\n")})
	users, _, err := readManifests([]string{dir}, nil)
	if err != nil || len(users) != 1 {
		t.Fatalf("%v, %d users", err, len(users))
	}
	want := zoomv1.ZoomUserSpec{
		Email: "ada@example.com", Type: zoomv1.UserTypeBasic, Action: zoomv1.ActionCreate, State: zoomv1.UserStateActive,
		DeletionPolicy:     zoomv1.DeletionPolicyDisassociate,
		AccountRef:         zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: "default"},
		ManagementPolicies: zoomv1.ManagementPolicies{zoomv1.ManagementAll},
	}
	if diff := cmp.Diff(want, users[0].Spec); diff != "" {
		t.Errorf("spec (-want +got):\n%s", diff)
	}
}
