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

package zoom

import (
	"context"
	"sync/atomic"
	"time"
)

// Two classes of callers share an account's budget. A caller retrying
// after the budget sent it away (a paced wait) is low priority: it may take
// a turn at most lowPriorityShare of maxWait ahead. Every other caller may
// take one up to maxWait ahead. While thousands of retries keep the budget
// busy they fill only the near part of the reserved horizon, so a first
// attempt (a person's new or changed object) still finds a turn within
// about that share of maxWait instead of being sent away with them; the
// budget stays as busy as before, so throughput is unchanged.
const lowPriorityShare = 0.5

type lowPriorityKey struct{}

// lowPriority marks a low priority context. Once one of its calls has been
// granted a turn, the retry is under way and its further calls take turns
// like any other: sending it away then would waste the calls it has made.
type lowPriority struct{ started atomic.Bool }

// WithLowPriority marks the calls made with ctx as a retry after a paced
// wait: until the first of them gets its turn, they may reserve the
// account's budget only lowPriorityShare of the usual maxWait ahead, and a
// turn further off is reported as a *WaitError.
func WithLowPriority(ctx context.Context) context.Context {
	return context.WithValue(ctx, lowPriorityKey{}, &lowPriority{})
}

// IsLowPriority reports whether ctx was marked WithLowPriority.
func IsLowPriority(ctx context.Context) bool { return lowPriorityOf(ctx) != nil }

func lowPriorityOf(ctx context.Context) *lowPriority {
	lp, _ := ctx.Value(lowPriorityKey{}).(*lowPriority)
	return lp
}

// horizon is how far ahead a caller may reserve a turn; zero means without
// limit. A nil *lowPriority is a high priority caller.
func (lp *lowPriority) horizon(maxWait time.Duration) time.Duration {
	if lp == nil || maxWait <= 0 || lp.started.Load() {
		return maxWait
	}
	return time.Duration(float64(maxWait) * lowPriorityShare)
}

// granted records that a call got its turn.
func (lp *lowPriority) granted() {
	if lp != nil {
		lp.started.Store(true)
	}
}
