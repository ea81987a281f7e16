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
	"slices"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// interactiveLabel marks the single ZoomUsers a person would apply during
// the bulk create; the tracker times them apart from the bulk.
const interactiveLabel = "bench.zoomoperator.dev/interactive"

// singleReadyTimeout bounds the wait for the last single ZoomUsers once the
// bulk is Ready.
const singleReadyTimeout = 2 * time.Minute

// interactiveStats is how long single ZoomUsers, applied one by one while
// the bulk converged, took to become Ready.
type interactiveStats struct {
	applied  []time.Duration // when each was sent, from the first bulk create
	latency  []time.Duration // sent to Ready; negative: not Ready in time
	duringBy int             // how many were sent while the bulk was not yet all Ready
}

// singleUser is the i-th single ZoomUser; it looks like a bulk user, so
// only its timing differs.
func singleUser(i, namespaces int) *zoomv1.ZoomUser {
	return &zoomv1.ZoomUser{
		ObjectMeta: metav1.ObjectMeta{
			Name: fmt.Sprintf("single-%02d", i), Namespace: benchNamespace(i, namespaces),
			Labels: map[string]string{interactiveLabel: "true"},
		},
		Spec: zoomv1.ZoomUserSpec{
			Email:     fmt.Sprintf("single-%02d@bench.example.com", i),
			Type:      zoomv1.UserTypeBasic,
			Action:    zoomv1.ActionSSOCreate,
			FirstName: "Single",
			LastName:  fmt.Sprintf("User %02d", i),
		},
	}
}

// singles applies k single ZoomUsers one by one, the first `after` the bulk
// started and then one every `every`, as a person would while the bulk
// converges, and remembers when each was sent.
type singles struct {
	k      int
	sent   []time.Time
	bulkOK []bool // the bulk was all Ready when it was sent
	done   chan error
}

func applySingles(ctx context.Context, c client.Client, cfg config, start time.Time, tracker *readyTracker) *singles {
	s := &singles{k: cfg.interactive, sent: make([]time.Time, cfg.interactive), bulkOK: make([]bool, cfg.interactive), done: make(chan error, 1)}
	go func() {
		s.done <- s.apply(ctx, c, cfg, start, tracker)
	}()
	return s
}

func (s *singles) apply(ctx context.Context, c client.Client, cfg config, start time.Time, tracker *readyTracker) error {
	next := start.Add(cfg.interactiveStart)
	for i := range s.k {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Until(next)):
		}
		s.bulkOK[i] = !tracker.allReadyAt().IsZero()
		s.sent[i] = time.Now()
		if err := createWithRetry(ctx, c, singleUser(i, cfg.namespaces)); err != nil {
			return err
		}
		next = next.Add(cfg.interactiveEvery)
	}
	return nil
}

// finish waits until every single ZoomUser was applied (on its schedule)
// and then until all are Ready or timeout passed, and measures them.
func (s *singles) finish(ctx context.Context, start time.Time, tracker *readyTracker, namespaces int, timeout time.Duration) (*interactiveStats, error) {
	select {
	case err := <-s.done:
		if err != nil {
			return nil, fmt.Errorf("applying single ZoomUsers: %w", err)
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	deadline := time.After(timeout)
	keys := make([]types.NamespacedName, s.k)
	for i := range keys {
		u := singleUser(i, namespaces)
		keys[i] = types.NamespacedName{Namespace: u.Namespace, Name: u.Name}
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
wait:
	for tracker.singlesReady(keys) < s.k {
		select {
		case <-tick.C:
		case <-deadline:
			break wait
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	st := &interactiveStats{}
	for i, key := range keys {
		st.applied = append(st.applied, s.sent[i].Sub(start))
		lat := time.Duration(-1)
		if at, ok := tracker.singleReadyAt(key); ok {
			lat = at.Sub(s.sent[i])
		}
		st.latency = append(st.latency, lat)
		if !s.bulkOK[i] {
			st.duringBy++
		}
	}
	return st, nil
}

// notReady counts the single ZoomUsers that did not become Ready in time.
func (st *interactiveStats) notReady() int {
	n := 0
	for _, l := range st.latency {
		if l < 0 {
			n++
		}
	}
	return n
}

// percentile is the nearest-rank p-th percentile (0 < p ≤ 1) of the times
// to Ready; one not Ready in time counts as longer than any, so that it
// cannot flatter the figure, and makes the percentile unknown (ok false)
// when it falls on it.
func (st *interactiveStats) percentile(p float64) (time.Duration, bool) {
	if len(st.latency) == 0 {
		return 0, false
	}
	sorted := slices.Clone(st.latency)
	slices.SortFunc(sorted, func(a, b time.Duration) int {
		switch {
		case a < 0 && b < 0:
			return 0
		case a < 0:
			return 1
		case b < 0:
			return -1
		}
		return int(a - b)
	})
	rank := nearestRank(len(sorted), p)
	return sorted[rank], sorted[rank] >= 0
}

// nearestRank is the index of the nearest-rank p-th percentile (0 ≤ p ≤ 1)
// among n > 0 sorted values: 0 the least, 1 the largest.
func nearestRank(n int, p float64) int {
	rank := int(float64(n)*p+0.999999) - 1
	return min(max(rank, 0), n-1)
}

// quantile formats percentile p in seconds.
func (st *interactiveStats) quantile(p float64) string {
	d, ok := st.percentile(p)
	if !ok {
		return "not Ready in time"
	}
	return fixed(d.Seconds(), 1)
}

// describe is one line about the single ZoomUsers, for the console and
// the run details.
func (st *interactiveStats) describe() string {
	var lat []string
	for _, l := range st.latency {
		if l < 0 {
			lat = append(lat, "—")
			continue
		}
		lat = append(lat, fixed(l.Seconds(), 1))
	}
	first, last := st.applied[0], st.applied[len(st.applied)-1]
	return fmt.Sprintf("%d single ZoomUsers sent from %s to %s (%d while the bulk converged, %d not Ready in time): time to Ready p50 %s s, p95 %s s, max %s s; each (s): %s",
		len(st.latency), seconds(first), seconds(last), st.duringBy, st.notReady(), st.quantile(0.5), st.quantile(0.95), st.quantile(1),
		strings.Join(lat, " "))
}

// singleTimes keeps when each single ZoomUser was first seen Ready.
type singleTimes struct {
	mu    sync.Mutex
	ready map[types.NamespacedName]time.Time
}

func (t *singleTimes) note(key types.NamespacedName, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ready == nil {
		t.ready = map[types.NamespacedName]time.Time{}
	}
	if _, seen := t.ready[key]; !seen {
		t.ready[key] = at
	}
}

func (t *singleTimes) at(key types.NamespacedName) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	at, ok := t.ready[key]
	return at, ok
}
