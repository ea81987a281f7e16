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
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// pollInterval is short because a local run converges in seconds and the
// table should follow it closely; the local API server can take it.
const pollInterval = 300 * time.Millisecond

// userRow is one line of the progress table.
type userRow struct {
	key, email, state, ready, reason, id string
}

// done is the readiness rule: Ready=True (a pending invitation is Ready with
// reason InvitePending; that reason counts even if the condition said
// otherwise, since it waits on a person, not on the operator) and Zoom's id
// recorded.
func (r userRow) done() bool {
	return r.id != "" && (r.ready == string(metav1.ConditionTrue) || r.reason == zoomv1.ReasonInvitePending)
}

// waitForReady prints the table each time it changes until every sample
// ZoomUser is done. It fails early when the manager exits, since nothing
// would ever change then.
func (s *session) waitForReady(ctx context.Context) error {
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	var last string
	var rows []userRow // the last rows read; kept when a read fails
	for {
		if read, err := s.userRows(ctx); err == nil {
			rows = read
			if table := renderTable(rows); table != last {
				s.printTable(table)
				last = table
			}
			if allDone(rows) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return s.notReady(ctx, rows)
		case <-s.manager.Done():
			return fmt.Errorf("manager exited before the samples were Ready: %v", s.manager.Err())
		case <-ticker.C:
		}
	}
}

// notReady names the ZoomUsers still waiting when time is up, after the
// table once more so that it is the last thing on screen. An interruption
// needs neither.
func (s *session) notReady(ctx context.Context, rows []userRow) error {
	if !errors.Is(context.Cause(ctx), errTimeout) {
		return ctx.Err()
	}
	var waiting []string
	for _, r := range rows {
		if !r.done() {
			waiting = append(waiting, r.key)
		}
	}
	if len(rows) > 0 {
		s.printTable(renderTable(rows))
	}
	return fmt.Errorf("%d of %d sample ZoomUser(s) not Ready: %s", len(waiting), len(s.users), strings.Join(waiting, ", "))
}

// userRows reads each sample ZoomUser; one that is not there (yet) still
// gets a row, so the table always has every sample.
func (s *session) userRows(ctx context.Context) ([]userRow, error) {
	rows := make([]userRow, 0, len(s.users))
	for _, key := range s.users {
		var zu zoomv1.ZoomUser
		err := s.client.Get(ctx, key, &zu)
		switch {
		case apierrors.IsNotFound(err):
			rows = append(rows, userRow{key: key.String(), reason: "NotFound"})
		case err != nil:
			return nil, err
		default:
			rows = append(rows, rowFor(key, &zu))
		}
	}
	return rows, nil
}

func rowFor(key types.NamespacedName, zu *zoomv1.ZoomUser) userRow {
	row := userRow{key: key.String(), email: zu.Spec.Email, state: zu.Status.State, id: zu.Status.ID}
	if c := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReady); c != nil {
		row.ready, row.reason = string(c.Status), c.Reason
	}
	return row
}

func allDone(rows []userRow) bool {
	for _, r := range rows {
		if !r.done() {
			return false
		}
	}
	return true
}

func renderTable(rows []userRow) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tEMAIL\tSTATE\tREADY\tREASON\tID")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n",
			r.key, dash(r.email), dash(r.state), dash(r.ready), dash(r.reason), dash(r.id))
	}
	_ = w.Flush()
	return b.String()
}

func (s *session) printTable(table string) {
	fmt.Fprintf(s.opts.out, "\n[%s]\n%s", s.elapsed(), table)
}

// dash marks an empty cell, so that columns stay readable.
func dash(v string) string {
	if v == "" {
		return "-"
	}
	return v
}
