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
	"strings"
	"text/tabwriter"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// groupRow is one line of the groups table.
type groupRow struct {
	key, name, ready, reason, id string
	members, pending             int32
	// waiting counts the pending members the operator still works on:
	// every reason but InvitePending, which waits on a person.
	waiting int
}

// done: Ready at the object's generation, bound to a Zoom group, with
// every selected user that can be a member one.
func (r groupRow) done() bool {
	return r.id != "" && r.ready == string(metav1.ConditionTrue) && r.waiting == 0
}

// waitForGroups follows the sample ZoomGroups, once the users are Ready,
// until each is Ready, and prints their table: the group of the samples
// shows its two members.
func (s *session) waitForGroups(ctx context.Context) error {
	if len(s.groups) == 0 {
		return nil
	}
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	var last string
	for {
		rows, err := s.groupRows(ctx)
		if err == nil {
			table := renderGroups(rows)
			if table != last {
				s.printTable(table)
				last = table
			}
			if allGroupsDone(rows) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("sample ZoomGroup(s) not Ready:\n%s", last)
		case <-s.manager.Done():
			return fmt.Errorf("manager exited before the sample groups were Ready: %v", s.manager.Err())
		case <-ticker.C:
		}
	}
}

func (s *session) groupRows(ctx context.Context) ([]groupRow, error) {
	rows := make([]groupRow, 0, len(s.groups))
	for _, key := range s.groups {
		var zg zoomv1.ZoomGroup
		err := s.client.Get(ctx, key, &zg)
		switch {
		case apierrors.IsNotFound(err):
			rows = append(rows, groupRow{key: key.String(), reason: "NotFound"})
		case err != nil:
			return nil, err
		default:
			row := groupRow{key: key.String(), name: zg.Spec.Name, id: zg.Status.ID,
				members: zg.Status.MemberCount, pending: zg.Status.PendingCount}
			for _, m := range zg.Status.PendingMembers {
				if m.Reason != zoomv1.PendingInvitePending {
					row.waiting++
				}
			}
			if c := meta.FindStatusCondition(zg.Status.Conditions, zoomv1.ConditionReady); c != nil && c.ObservedGeneration == zg.Generation {
				row.ready, row.reason = string(c.Status), c.Reason
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

func allGroupsDone(rows []groupRow) bool {
	for _, r := range rows {
		if !r.done() {
			return false
		}
	}
	return true
}

func renderGroups(rows []groupRow) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ZOOMGROUP\tGROUP\tMEMBERS\tPENDING\tREADY\tREASON\tID")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n",
			r.key, dash(r.name), r.members, r.pending, dash(r.ready), dash(r.reason), dash(r.id))
	}
	_ = w.Flush()
	return b.String()
}
