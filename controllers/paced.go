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
	"sync"

	"k8s.io/apimachinery/pkg/types"
)

// pacedWaits remembers which ZoomUsers the account's budget last sent away
// (a paced wait), or the work queue took in at low priority as part of a
// bulk (see changeArrivals), and at which generation, so that their next
// reconcile is known to be a retry or a bulk's: it runs at low priority, in the work queue and for
// the budget (zoom.WithLowPriority), behind the first attempts of new and
// changed objects. A person's edit makes a new generation, which is a first
// attempt again. An entry lives from a paced wait until the object's next
// reconcile ends without one, or the object is gone, so there is at most one
// per ZoomUser. It is memory only: after a restart an object's first
// reconcile is a first attempt again (the informer's initial list still
// puts it low in the queue).
type pacedWaits struct {
	mu         sync.Mutex
	generation map[types.NamespacedName]int64
}

// retrying reports whether a reconcile of key at generation retries after
// a paced wait of the same generation.
func (p *pacedWaits) retrying(key types.NamespacedName, generation int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	g, ok := p.generation[key]
	return ok && g == generation
}

// settle records how a reconcile of key at generation ended: paced keeps the
// object a retry, anything else forgets it.
func (p *pacedWaits) settle(key types.NamespacedName, generation int64, paced bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !paced {
		delete(p.generation, key)
		return
	}
	if p.generation == nil {
		p.generation = map[types.NamespacedName]int64{}
	}
	p.generation[key] = generation
}

// forget drops a deleted object.
func (p *pacedWaits) forget(key types.NamespacedName) { p.settle(key, 0, false) }
