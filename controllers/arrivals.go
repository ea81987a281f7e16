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
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// A bulk apply and a person's single change both arrive as events of new or
// changed ZoomUsers, and the work queue serves events of one priority in
// arrival order. While the account's budget lets through a few dozen users a
// second, the workers wait on it, so thousands of a bulk's events stay
// queued, and a person's new ZoomUser would wait behind all of them. Changes
// arriving faster than a person makes them are therefore queued as a bulk,
// at low priority: up to interactiveBurst in a row, and interactiveRate a
// second after that, keep the default priority and go first. The pace is
// counted per namespace, so that one team's bulk does not lower another
// team's single change, and across namespaces too (clusterBurst, then
// clusterRate a second), so that a bulk spread thinly over many namespaces
// is still seen as one.
const (
	interactiveBurst = 20
	interactiveRate  = 1.0
	clusterBurst     = 100
	clusterRate      = 5.0
	// pruneEvery is how many changes pass between two sweeps of the
	// allowances that are full again (a new one is the same), so that the
	// map holds only namespaces with recent bulks.
	pruneEvery = 1024
)

// changeArrivals tells a person's changes from a bulk's by their pace: it
// owns each namespace's allowance of changes queued at the default priority.
type changeArrivals struct {
	mu         sync.Mutex
	allowances map[string]*rate.Limiter
	cluster    *rate.Limiter
	seen       int              // changes since the last sweep
	now        func() time.Time // the clock; tests replace it
	// queuedLow, when set, learns of each object queued at low priority,
	// so that its first attempt also takes the budget's low class: a
	// bulk's first attempts must not fill the budget's horizon ahead of a
	// person's change any more than its retries do.
	queuedLow func(key types.NamespacedName, generation int64)
}

func newChangeArrivals() *changeArrivals {
	return &changeArrivals{allowances: map[string]*rate.Limiter{}, now: time.Now,
		cluster: rate.NewLimiter(rate.Limit(clusterRate), clusterBurst)}
}

// priority is the work queue priority of a change in namespace arriving at
// now: the default while the namespace's changes come at a person's pace,
// low beyond it.
func (a *changeArrivals) priority(namespace string, now time.Time) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.prune(now)
	lim, ok := a.allowances[namespace]
	if !ok {
		lim = rate.NewLimiter(rate.Limit(interactiveRate), interactiveBurst)
		a.allowances[namespace] = lim
	}
	if lim.AllowN(now, 1) && a.cluster.AllowN(now, 1) {
		return 0
	}
	return handler.LowPriority
}

func (a *changeArrivals) prune(now time.Time) {
	if a.seen++; a.seen < pruneEvery {
		return
	}
	a.seen = 0
	for ns, lim := range a.allowances {
		if lim.TokensAt(now) >= interactiveBurst {
			delete(a.allowances, ns)
		}
	}
}

// handler enqueues the ZoomUser of a create or spec change at the priority
// its pace gives it; objects the informer lists at start are low, as
// controller-runtime does.
func (a *changeArrivals) handler() handler.EventHandler {
	type queue = workqueue.TypedRateLimitingInterface[reconcile.Request]
	add := func(q queue, obj client.Object, initial bool) {
		req := reconcile.Request{NamespacedName: client.ObjectKeyFromObject(obj)}
		pq, ok := q.(priorityqueue.PriorityQueue[reconcile.Request])
		if !ok {
			q.Add(req)
			return
		}
		p := handler.LowPriority
		if !initial {
			p = a.priority(req.Namespace, a.now())
		}
		if p == handler.LowPriority && a.queuedLow != nil {
			a.queuedLow(req.NamespacedName, obj.GetGeneration())
		}
		pq.AddWithOpts(priorityqueue.AddOpts{Priority: &p}, req)
	}
	return handler.Funcs{
		CreateFunc: func(_ context.Context, e event.CreateEvent, q queue) { add(q, e.Object, e.IsInInitialList) },
		UpdateFunc: func(_ context.Context, e event.UpdateEvent, q queue) { add(q, e.ObjectNew, false) },
	}
}
