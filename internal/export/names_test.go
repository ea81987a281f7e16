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
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestNames(t *testing.T) {
	long := strings.Repeat("x", 200) + "@" + strings.Repeat("d", 50) + ".example.com"
	for name, tc := range map[string]struct {
		emails []string
		want   map[string]string
	}{
		"plain email keeps its letters": {
			emails: []string{"Ada.Lovelace@Example.com"},
			want:   map[string]string{"ada.lovelace@example.com": "ada.lovelace.example.com"},
		},
		"replaced characters always carry the hash": {
			emails: []string{"bob+zoom@example.com", "o'neil@example.com"},
			want: map[string]string{
				"bob+zoom@example.com": "bob-zoom.example.com-" + hashOf("bob+zoom@example.com"),
				"o'neil@example.com":   "o-neil.example.com-" + hashOf("o'neil@example.com"),
			},
		},
		"labels a name cannot start or end with": {
			emails: []string{"-x-@example.com", ".a..b.@example.com", "+@example.com"},
			want: map[string]string{
				"-x-@example.com":    "x.example.com-" + hashOf("-x-@example.com"),
				".a..b.@example.com": "a.b.example.com-" + hashOf(".a..b.@example.com"),
				"+@example.com":      "example.com-" + hashOf("+@example.com"),
			},
		},
		"emails that would share a name both carry the hash": {
			emails: []string{"a.b@c.example.com", "a@b.c.example.com", "a-b@example.com", "a_b@example.com"},
			want: map[string]string{
				"a.b@c.example.com": "a.b.c.example.com-" + hashOf("a.b@c.example.com"),
				"a@b.c.example.com": "a.b.c.example.com-" + hashOf("a@b.c.example.com"),
				"a-b@example.com":   "a-b.example.com-" + hashOf("a-b@example.com"),
				"a_b@example.com":   "a-b.example.com-" + hashOf("a_b@example.com"),
			},
		},
		"the same email in two cases is one user": {
			emails: []string{"Ada@example.com", "ada@EXAMPLE.com"},
			want:   map[string]string{"ada@example.com": "ada.example.com"},
		},
		"too long for a name": {
			emails: []string{long},
			want:   map[string]string{long: strings.Replace(long, "@", ".", 1)[:maxNameLen-hashLen-1] + "-" + hashOf(long)},
		},
	} {
		t.Run(name, func(t *testing.T) {
			got := Names(tc.emails)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			for _, n := range got {
				if errs := validation.IsDNS1123Subdomain(n); len(errs) > 0 {
					t.Errorf("%q: %v", n, errs)
				}
			}
		})
	}
}

// TestNamesStable: a name depends on its email and on the emails it
// collides with, never on order or on other users.
func TestNamesStable(t *testing.T) {
	emails := []string{"ada@example.com", "bob+zoom@example.com", "a.b@c.example.com", "a@b.c.example.com", "carl@example.org"}
	first := Names(emails)
	reversed := slices.Clone(emails)
	slices.Reverse(reversed)
	if diff := cmp.Diff(first, Names(reversed)); diff != "" {
		t.Errorf("names depend on order (-first +reversed):\n%s", diff)
	}
	more := Names(append(slices.Clone(emails), "dora@example.com", "eve+1@example.net"))
	for e, n := range first {
		if more[e] != n {
			t.Errorf("%s: %q became %q once more users were exported", e, n, more[e])
		}
	}
	fewer := Names(emails[:1])
	if fewer["ada@example.com"] != first["ada@example.com"] {
		t.Errorf("ada: %q alone, %q with others", fewer["ada@example.com"], first["ada@example.com"])
	}
}
