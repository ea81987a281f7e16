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
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCacheOptions(t *testing.T) {
	for _, tc := range []struct {
		flag string
		want []string // nil: every namespace
	}{
		{"", nil},
		{" , ", nil},
		{"team-a", []string{"team-a"}},
		{"team-a, team-b,team-a,", []string{"team-a", "team-b"}},
	} {
		opts := cacheOptions(tc.flag, nil)
		var got []string
		for ns := range opts.DefaultNamespaces {
			got = append(got, ns)
		}
		if diff := cmp.Diff(tc.want, got, sortStrings); diff != "" {
			t.Errorf("--watch-namespaces=%q: namespaces (-want +got):\n%s", tc.flag, diff)
		}
	}
}

var sortStrings = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	slices.Sort(out)
	return out
})
