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
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

func benchNamespace(i, namespaces int) string {
	return fmt.Sprintf("bench-%02d", i%namespaces)
}

func createNamespaces(ctx context.Context, c client.Client, namespaces int) error {
	for i := range namespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: benchNamespace(i, namespaces)}}
		if err := c.Create(ctx, ns); err != nil {
			return fmt.Errorf("creating namespace %s: %w", ns.Name, err)
		}
	}
	return nil
}

// benchUser is the i-th ZoomUser. ssoCreate users are active at once and
// do not count against Zoom's daily invite cap, so the per-second limits
// are the only ones in play.
func benchUser(i, namespaces int) *zoomv1.ZoomUser {
	return &zoomv1.ZoomUser{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("user-%05d", i), Namespace: benchNamespace(i, namespaces)},
		Spec: zoomv1.ZoomUserSpec{
			Email:     fmt.Sprintf("user-%05d@bench.example.com", i),
			Type:      zoomv1.UserTypeBasic,
			Action:    zoomv1.ActionSSOCreate,
			FirstName: "Bench",
			LastName:  fmt.Sprintf("User %05d", i),
		},
	}
}

// createUsers creates the n ZoomUsers user(0) … user(n-1) with the given
// number of goroutines, as fast as the API server takes them. A refusal the
// API server means as "slow down" or a timeout is retried; anything else
// stops the run.
func createUsers(ctx context.Context, c client.Client, n, workers int, user func(i int) *zoomv1.ZoomUser, created *atomic.Int64) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := createWithRetry(ctx, c, user(i)); err != nil {
					cancel(err)
					return
				}
				created.Add(1)
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

func createWithRetry(ctx context.Context, c client.Client, zu *zoomv1.ZoomUser) error {
	backoff := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := c.Create(ctx, zu)
		if err == nil || apierrors.IsAlreadyExists(err) {
			return nil // AlreadyExists: an earlier attempt's answer was lost
		}
		retryable := apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) ||
			apierrors.IsTimeout(err) || apierrors.IsInternalError(err) || apierrors.IsServiceUnavailable(err)
		if !retryable || attempt == 10 {
			return fmt.Errorf("creating ZoomUser %s/%s: %w", zu.Namespace, zu.Name, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// readyTracker follows every ZoomUser through a watch (one informer, so the
// harness reads each change once instead of listing all objects again) and
// notes when all of them, and all of each account's, are Ready.
type readyTracker struct {
	mu       sync.Mutex
	ready    map[types.NamespacedName]string // the Ready bulk ZoomUsers and their accounts
	all      tally
	accounts map[string]*tally
	allDone  chan struct{}

	// singles are timed apart and count towards no tally.
	singles singleTimes
}

// tally counts the Ready ZoomUsers of a set and notes when all of them
// first were Ready at once.
type tally struct {
	want, count int
	at          time.Time
}

// add changes the count by d and reports whether that made all of the set
// Ready for the first time.
func (t *tally) add(d int, now time.Time) bool {
	t.count += d
	if t.count >= t.want && t.at.IsZero() {
		t.at = now
		return true
	}
	return false
}

// isReady is the convergence rule: Ready=True for the current generation,
// with Zoom's id recorded.
func isReady(zu *zoomv1.ZoomUser) bool {
	c := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && zu.Status.ID != "" &&
		zu.Status.ObservedGeneration == zu.Generation
}

// newTracker counts towards wants, the bulk ZoomUsers of each account.
func newTracker(wants map[string]int) *readyTracker {
	t := &readyTracker{ready: map[types.NamespacedName]string{}, accounts: map[string]*tally{}, allDone: make(chan struct{})}
	for name, want := range wants {
		t.accounts[name] = &tally{want: want}
		t.all.want += want
	}
	return t
}

// startTracker starts an informer on ZoomUsers and waits for its first
// listing; wants is how many bulk ZoomUsers each account has. The returned
// stop function ends the watch.
func startTracker(ctx context.Context, cfg *rest.Config, wants map[string]int) (*readyTracker, func(), error) {
	t := newTracker(wants)
	c, err := cache.New(cfg, cache.Options{
		Scheme:           testenv.Scheme(),
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject:         map[client.Object]cache.ByObject{&zoomv1.ZoomUser{}: {}},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("watch cache: %w", err)
	}
	inf, err := c.GetInformer(ctx, &zoomv1.ZoomUser{})
	if err != nil {
		return nil, nil, fmt.Errorf("ZoomUser informer: %w", err)
	}
	if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { t.observe(obj, false) },
		UpdateFunc: func(_, obj any) { t.observe(obj, false) },
		DeleteFunc: func(obj any) { t.observe(obj, true) },
	}); err != nil {
		return nil, nil, fmt.Errorf("ZoomUser informer: %w", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = c.Start(cctx)
	}()
	stop := func() { cancel(); <-done }
	if !c.WaitForCacheSync(ctx) {
		stop()
		return nil, nil, errors.New("ZoomUser watch did not sync")
	}
	return t, stop, nil
}

func (t *readyTracker) observe(obj any, deleted bool) {
	if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	zu, ok := obj.(*zoomv1.ZoomUser)
	if !ok {
		return
	}
	key := types.NamespacedName{Namespace: zu.Namespace, Name: zu.Name}
	now := time.Now()
	if zu.Labels[interactiveLabel] != "" {
		if !deleted && isReady(zu) {
			t.singles.note(key, now)
		}
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, was := t.ready[key]
	is := !deleted && isReady(zu)
	d := 0
	switch {
	case is && !was:
		d = 1
		t.ready[key] = accountOf(zu)
	case was && !is:
		d = -1
		delete(t.ready, key)
	default:
		return
	}
	if acct, ok := t.accounts[accountOf(zu)]; ok {
		acct.add(d, now)
	}
	if t.all.add(d, now) {
		close(t.allDone)
	}
}

// readyCount is how many ZoomUsers are Ready now.
func (t *readyTracker) readyCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.all.count
}

// allReadyAt is when all were first Ready at once; zero until then.
func (t *readyTracker) allReadyAt() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.all.at
}

// accountReady is how many of the account's ZoomUsers are Ready now.
func (t *readyTracker) accountReady(name string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if a, ok := t.accounts[name]; ok {
		return a.count
	}
	return 0
}

// accountReadyAt is when all of the account's ZoomUsers were first Ready at
// once; zero until then.
func (t *readyTracker) accountReadyAt(name string) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	if a, ok := t.accounts[name]; ok {
		return a.at
	}
	return time.Time{}
}

// singleReadyAt is when the single ZoomUser key was first seen Ready.
func (t *readyTracker) singleReadyAt(key types.NamespacedName) (time.Time, bool) {
	return t.singles.at(key)
}

// singlesReady counts the single ZoomUsers among keys seen Ready.
func (t *readyTracker) singlesReady(keys []types.NamespacedName) int {
	n := 0
	for _, k := range keys {
		if _, ok := t.singles.at(k); ok {
			n++
		}
	}
	return n
}
