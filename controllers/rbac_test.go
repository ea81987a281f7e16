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

package controllers

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The generated role must be exactly what the code needs. The suite's manager
// runs with only this role, which proves it is enough; this test proves it
// is no more: every rule below is used by the code named beside it.
func TestGeneratedRoleIsLeastPrivilege(t *testing.T) {
	role, err := suite.cp.GeneratedRole()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, rule := range role.Rules {
		verbs := append([]string(nil), rule.Verbs...)
		sort.Strings(verbs)
		for _, group := range rule.APIGroups {
			for _, res := range rule.Resources {
				got[group+"/"+res] = strings.Join(verbs, ",")
			}
		}
	}
	want := map[string]string{
		"/secrets":                                         "get,list,watch", // credentials, passwords; metadata watch for rotation
		"/namespaces":                                      "get,list,watch", // allowedNamespaces selector; label changes re-check users
		"events.k8s.io/events":                             "create,patch",
		"zoom.zoomoperator.dev/zoomusers":                  "get,list,patch,watch", // finalizer and create-marker patches
		"zoom.zoomoperator.dev/zoomusers/status":           "get,patch",
		"zoom.zoomoperator.dev/zoomgroups":                 "get,list,patch,watch", // finalizer patches
		"zoom.zoomoperator.dev/zoomgroups/status":          "get,patch",
		"zoom.zoomoperator.dev/zoomaccounts":               "get,list,watch",
		"zoom.zoomoperator.dev/clusterzoomaccounts":        "get,list,watch",
		"zoom.zoomoperator.dev/zoomaccounts/status":        "get,patch",
		"zoom.zoomoperator.dev/clusterzoomaccounts/status": "get,patch",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("generated role (-want +got):\n%s", diff)
	}
	for _, rule := range role.Rules {
		for _, res := range rule.Resources {
			if res != "secrets" {
				continue
			}
			for _, v := range rule.Verbs {
				if v != "get" && v != "list" && v != "watch" {
					t.Errorf("the role may %s Secrets", v)
				}
			}
		}
	}
}
