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
	"cmp"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// Select returns the Candidates of a group: the ZoomUsers of its namespace
// that memberSelector picks or members names, one per name, sorted by name.
// A name in members without a ZoomUser is a Candidate with Found false.
// users are the ZoomUsers of the group's namespace (others are ignored);
// accountOf names the account a ZoomUser uses, in the terms of Input.Account.
func Select(zg *zoomv1.ZoomGroup, users []zoomv1.ZoomUser, accountOf func(*zoomv1.ZoomUser) string) ([]Candidate, error) {
	selector, err := selectorOf(zg)
	if err != nil {
		return nil, err
	}
	byName := map[string]Candidate{}
	for i := range users {
		zu := &users[i]
		if zu.Namespace != zg.Namespace {
			continue
		}
		if selector.Matches(labels.Set(zu.Labels)) || slices.Contains(zg.Spec.Members, zu.Name) {
			byName[zu.Name] = candidateOf(zu, accountOf(zu))
		}
	}
	for _, name := range zg.Spec.Members {
		if _, ok := byName[name]; !ok {
			byName[name] = Candidate{Name: name}
		}
	}
	out := make([]Candidate, 0, len(byName))
	for _, c := range byName {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Candidate) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// selectorOf turns memberSelector into a Selector; no selector selects
// nothing, so that a group of named members does not take in every user.
func selectorOf(zg *zoomv1.ZoomGroup) (labels.Selector, error) {
	if zg.Spec.MemberSelector == nil {
		return labels.Nothing(), nil
	}
	s, err := metav1.LabelSelectorAsSelector(zg.Spec.MemberSelector)
	if err != nil {
		return nil, fmt.Errorf("spec.memberSelector: %w", err)
	}
	return s, nil
}

// candidateOf describes a ZoomUser for the Plan. A user counts as ready when
// it is bound, not being deleted, and its Ready condition is True, whatever
// generation that was written for: an edit of the user's names must not
// take it out of its groups while the edit is being applied.
func candidateOf(zu *zoomv1.ZoomUser, account string) Candidate {
	return Candidate{
		Name:    zu.Name,
		Found:   true,
		ZoomID:  zu.Status.ID,
		Ready:   zu.DeletionTimestamp == nil && meta.IsStatusConditionTrue(zu.Status.Conditions, zoomv1.ConditionReady),
		State:   zu.Status.State,
		Account: account,
		Frozen:  Frozen(zu),
	}
}

// Frozen reports whether the operator must leave zu's group memberships as
// they are: its managementPolicies exclude Update, so nothing about its
// Zoom user is the operator's to change.
func Frozen(zu *zoomv1.ZoomUser) bool {
	return !zu.Spec.ManagementPolicies.Allow(zoomv1.ManagementUpdate)
}

// GroupsFor returns the ZoomGroups a change of zu concerns, for a watch of
// ZoomUsers: those that select it now (by label or by name) and those that
// count it among the members they added, which a relabelled or deleted user
// has just left. Both sides of a move are thus reconciled at once. groups
// may hold every ZoomGroup of zu's namespace; a group with an invalid
// selector is left out.
func GroupsFor(zu *zoomv1.ZoomUser, groups []zoomv1.ZoomGroup) []types.NamespacedName {
	var out []types.NamespacedName
	for i := range groups {
		zg := &groups[i]
		if zg.Namespace != zu.Namespace {
			continue
		}
		if concerns(zg, zu) {
			out = append(out, types.NamespacedName{Namespace: zg.Namespace, Name: zg.Name})
		}
	}
	return out
}

func concerns(zg *zoomv1.ZoomGroup, zu *zoomv1.ZoomUser) bool {
	if slices.Contains(zg.Spec.Members, zu.Name) {
		return true
	}
	if zu.Status.ID != "" && slices.Contains(zg.Status.AddedMembers, zu.Status.ID) {
		return true
	}
	s, err := selectorOf(zg)
	return err == nil && s.Matches(labels.Set(zu.Labels))
}
