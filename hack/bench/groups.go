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
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// groupTimeout bounds the group phase: a few member calls per 30 users.
const groupTimeout = 5 * time.Minute

// groupStats is the group phase: one ZoomGroup per namespace selecting
// every ZoomUser of it, measured from creation until all are members.
type groupStats struct {
	converged bool
	t         time.Duration
	members   int // members of the groups at the end
	addCalls  int // POST /groups/{groupId}/members
	minCalls  int // ceil(users/30) per namespace: no client can do with fewer
	calls     callStats
}

// groupPhase runs after the steady state, once every user is Ready: the
// operator adds n members in about n/30 calls, not n.
func (b *bench) groupPhase(ctx context.Context, r *result, c client.Client, fake *fakeZoom) error {
	fake.ResetCounters()
	start := time.Now()
	perNamespace := map[string]int{}
	for i := range r.n {
		perNamespace[benchNamespace(i, b.cfg.namespaces)]++
	}
	g := &groupStats{}
	for ns, users := range perNamespace {
		zg := &zoomv1.ZoomGroup{
			ObjectMeta: metav1.ObjectMeta{Name: "everyone", Namespace: ns},
			Spec: zoomv1.ZoomGroupSpec{
				Name: "Everyone in " + ns,
				// Every bulk ZoomUser of the namespace: the single ones
				// of --interactive are not part of N.
				MemberSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
					{Key: interactiveLabel, Operator: metav1.LabelSelectorOpDoesNotExist},
				}},
			},
		}
		if err := c.Create(ctx, zg); err != nil {
			return fmt.Errorf("creating ZoomGroup %s/everyone: %w", ns, err)
		}
		g.minCalls += (users + zoom.MaxMembersPerCall - 1) / zoom.MaxMembersPerCall
	}
	b.say("N=%d %s: %d ZoomGroup(s) selecting every user; waiting for %d members", r.n, r.mode, len(perNamespace), r.n)
	for deadline := start.Add(groupTimeout); time.Now().Before(deadline); time.Sleep(time.Second) {
		members, ready, err := groupMembers(ctx, c)
		if err != nil {
			return err
		}
		g.members = members
		if ready == len(perNamespace) && members == r.n {
			g.converged, g.t = true, time.Since(start)
			break
		}
	}
	g.calls = countCalls(fake.Requests())
	g.addCalls = g.calls.byEndpoint[zoomfake.EndpointAddGroupMembers]
	r.groups = g
	b.say("N=%d %s: groups: %d members in %s with %d add calls (at least %d); converged %v",
		r.n, r.mode, g.members, seconds(g.t), g.addCalls, g.minCalls, g.converged)
	return nil
}

// groupMembers sums the members of the ZoomGroups and counts the Ready ones.
func groupMembers(ctx context.Context, c client.Client) (members, ready int, err error) {
	var list zoomv1.ZoomGroupList
	if err := c.List(ctx, &list); err != nil {
		return 0, 0, err
	}
	for _, zg := range list.Items {
		members += int(zg.Status.MemberCount)
		if c := meta.FindStatusCondition(zg.Status.Conditions, zoomv1.ConditionReady); c != nil &&
			c.Status == metav1.ConditionTrue && c.ObservedGeneration == zg.Generation {
			ready++
		}
	}
	return members, ready, nil
}
