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

package groups

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

func zoomUser(name, team string, edit ...func(*zoomv1.ZoomUser)) zoomv1.ZoomUser {
	zu := zoomv1.ZoomUser{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "team-a", Generation: 2, Labels: map[string]string{"team": team}},
		Status: zoomv1.ZoomUserStatus{
			ID: "id-" + name, State: "active", ObservedGeneration: 2,
			Conditions: []metav1.Condition{{Type: zoomv1.ConditionReady, Status: metav1.ConditionTrue, Reason: zoomv1.ReasonSynced}},
		},
	}
	for _, e := range edit {
		e(&zu)
	}
	return zu
}

func zoomGroup(name string, edit ...func(*zoomv1.ZoomGroup)) zoomv1.ZoomGroup {
	zg := zoomv1.ZoomGroup{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "team-a"},
		Spec: zoomv1.ZoomGroupSpec{
			Name:           name,
			MemberSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": name}},
		},
	}
	for _, e := range edit {
		e(&zg)
	}
	return zg
}

func sameAccount(*zoomv1.ZoomUser) string { return acct }

func TestSelect(t *testing.T) {
	users := []zoomv1.ZoomUser{
		zoomUser("ada", "platform"),
		zoomUser("grace", "data"),
		zoomUser("linus", "platform", func(zu *zoomv1.ZoomUser) { zu.Namespace = "team-b" }),
		zoomUser("edited", "platform", func(zu *zoomv1.ZoomUser) { zu.Generation = 3 }),
		zoomUser("leaving", "platform", func(zu *zoomv1.ZoomUser) { zu.DeletionTimestamp = &metav1.Time{Time: time.Unix(1, 0)} }),
		zoomUser("invited", "platform", func(zu *zoomv1.ZoomUser) { zu.Status.State = "pending" }),
	}
	tests := map[string]struct {
		group zoomv1.ZoomGroup
		want  []Candidate
	}{
		"by label, in the group's namespace only": {
			group: zoomGroup("platform"),
			want: []Candidate{
				ready("ada"),
				ready("edited"), // mid-edit: still a member
				with(ready("invited"), func(c *Candidate) { c.State = "pending" }),
				with(ready("leaving"), func(c *Candidate) { c.Ready = false }),
			},
		},
		"by name, with a missing one": {
			group: zoomGroup("named", func(zg *zoomv1.ZoomGroup) { zg.Spec.MemberSelector, zg.Spec.Members = nil, []string{"grace", "ghost"} }),
			want:  []Candidate{{Name: "ghost"}, ready("grace")},
		},
		"both, without repeats": {
			group: zoomGroup("data", func(zg *zoomv1.ZoomGroup) { zg.Spec.Members = []string{"grace", "ada"} }),
			want:  []Candidate{ready("ada"), ready("grace")},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Select(&tc.group, users, sameAccount)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Select (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSelectRejectsABadSelector(t *testing.T) {
	zg := zoomGroup("bad", func(zg *zoomv1.ZoomGroup) {
		zg.Spec.MemberSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "team", Operator: "Near"}}}
	})
	if _, err := Select(&zg, nil, sameAccount); err == nil {
		t.Error("Select accepted an invalid selector")
	}
}

func TestGroupsFor(t *testing.T) {
	groups := []zoomv1.ZoomGroup{
		zoomGroup("platform"),
		zoomGroup("data", func(zg *zoomv1.ZoomGroup) { zg.Status.AddedMembers = []string{"id-ada"} }),
		zoomGroup("named", func(zg *zoomv1.ZoomGroup) { zg.Spec.MemberSelector, zg.Spec.Members = nil, []string{"ada"} }),
		zoomGroup("other", func(zg *zoomv1.ZoomGroup) { zg.Namespace = "team-b"; zg.Spec.Members = []string{"ada"} }),
		zoomGroup("unrelated"),
	}
	key := func(name string) types.NamespacedName { return types.NamespacedName{Namespace: "team-a", Name: name} }
	tests := map[string]struct {
		user zoomv1.ZoomUser
		want []types.NamespacedName
	}{
		// Ada moved from data to platform: data must drop her, platform take her.
		"relabelled user: the group it joins and the group it left": {
			user: zoomUser("ada", "platform"),
			want: []types.NamespacedName{key("platform"), key("data"), key("named")},
		},
		"a user no group cares about": {
			user: zoomUser("zed", "nobody"),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, GroupsFor(&tc.user, groups)); diff != "" {
				t.Errorf("GroupsFor (-want +got):\n%s", diff)
			}
		})
	}
}
