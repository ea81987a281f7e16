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
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Plan is a Zoom account plan; it sets the account's per-second rate limits.
type Plan string

// Plans with distinct rate limits. Plans above Business share its limits.
const (
	PlanFree     Plan = "Free"
	PlanPro      Plan = "Pro"
	PlanBusiness Plan = "Business"
)

// ParsePlan maps a plan name, in any letter case, to a Plan. An unknown name
// means Pro: the middle row is a safer guess than either end of the table.
func ParsePlan(s string) Plan {
	for _, p := range []Plan{PlanFree, PlanPro, PlanBusiness} {
		if strings.EqualFold(s, string(p)) {
			return p
		}
	}
	return PlanPro
}

// Category is a Zoom rate limit label. Heavy is left out: no call made by this
// client is Heavy.
type Category string

// Rate limit categories of the endpoints this client calls.
const (
	CategoryLight  Category = "Light"
	CategoryMedium Category = "Medium"
)

// categories lists every budgeted category, in a stable order.
var categories = []Category{CategoryLight, CategoryMedium}

// planRates are Zoom's per-second limits, per plan and category.
var planRates = map[Plan]map[Category]float64{
	PlanFree:     {CategoryLight: 4, CategoryMedium: 2},
	PlanPro:      {CategoryLight: 30, CategoryMedium: 20},
	PlanBusiness: {CategoryLight: 80, CategoryMedium: 60},
}

// How calls are paced. Zoom does not say whether its per-second limits count
// calls per clock second or over any one second, so the pacing must hold
// under both: no window of one second, wherever it starts, may see more than
// the limit. A token bucket of burst 1 spaces calls at least 1/rate apart,
// so any one-second window holds at most rate calls; a larger burst would let
// a saved-up bucket plus a second's refill put burst+rate calls into one
// window (the 429s this replaced). The bucket hands out turns, which a
// caller can give back; the send log below checks the moment each call
// actually leaves. The rate is paceFraction of the limit, so that
// a limit+1th call lands more than a second after the first of the window
// even when network jitter brings calls closer together on arrival:
// at 5 % under, limit+1 calls span 1/0.95 s, some 50 ms of slack.
const paceFraction = 0.95

// A turn from the bucket is a promise, not a send: a worker starved of CPU
// (a container's CPU quota, a GC pause, a busy node) sends its call late, and
// late calls go out together, so that a second sees more calls than the
// bucket's spacing ever promised. The send log is the last check before a
// call leaves: it holds a call until no sendWindow would contain more than
// the plan's limit of sends, counted at the moment of sending.
// The window is a little over a second so that calls arriving closer
// together than they were sent still fit Zoom's second.
const sendWindow = time.Second + 30*time.Millisecond

// The policy for a per-second 429. Zoom's limit is shared by every app on
// the account, so a 429 means others may be spending part of it. A lone 429
// is most often one call that arrived early, so it cuts the rate mildly, to
// mildCut of what it was; only 429s repeated within throttleCoolDown of the
// last cut show that others really take a share, and halve it (deepCut).
// After throttleCoolDown without a further 429 the rate rises by
// recoverFraction of nominal every recoverInterval. A lone 429 thus costs
// about a fifth of the rate for ten seconds: two seconds of calls.
const (
	mildCut          = 0.8
	deepCut          = 0.5
	throttleCoolDown = 10 * time.Second
	recoverInterval  = 5 * time.Second
	recoverFraction  = 0.25
	// shrinkGap: 429s within this long of a cut are answers to the same
	// overfull second and do not cut the rate again.
	shrinkGap = time.Second
	// The rate never drops below the larger of floorFraction of nominal and
	// floorRate per second (times Scale), so the operator keeps working.
	floorFraction = 0.1
	floorRate     = 1.0
)

// BudgetOptions configures NewBudget.
type BudgetOptions struct {
	// Plan is the account's plan; anything but Free, Pro or Business (in
	// any letter case) means Pro.
	Plan Plan
	// Scale multiplies every rate; zero or less means 1. Benchmarks and
	// tests shrink Zoom's limits with it.
	Scale float64
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Account names the Zoom account in the zoom_rate_budget_* metrics:
	// the id of an account that authenticated, never anything secret. When set,
	// NewBudget registers the budget for those metrics, replacing any budget
	// registered before under the same name; see UnregisterBudget.
	Account string
}

// Budget paces the calls made for one Zoom account with a token bucket per
// rate limit category, and lowers its rates when Zoom answers with a
// per-second 429. A nil *Budget imposes no limit. It is safe for concurrent
// use. Recovery is computed from the clock whenever the budget is used, so a
// budget runs no goroutine; only its metrics need UnregisterBudget when the
// account goes away.
type Budget struct {
	account string
	now     func() time.Time

	// mu orders rate changes against reservations.
	mu      sync.Mutex
	buckets map[Category]*bucket
}

// bucket is the state of one category.
type bucket struct {
	lim     *rate.Limiter
	nominal float64
	floor   float64
	// limit is the current allowance in calls per second: nominal, or less
	// after 429s. lim paces at paceFraction of it.
	limit float64
	// nextStep is when the rate may next rise; meaningful while limit is
	// below nominal.
	nextStep time.Time
	// shrunk is when the rate was last cut.
	shrunk time.Time
	// sent holds when the calls of the last sendWindow were sent, oldest
	// first; at most sendsPerWindow of them.
	sent []time.Time
	// held counts the calls the send log held back.
	held int64
}

// NewBudget returns a full budget sized for opts.Plan.
func NewBudget(opts BudgetOptions) *Budget {
	scale := opts.Scale
	if scale <= 0 {
		scale = 1
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	b := &Budget{account: opts.Account, now: now, buckets: map[Category]*bucket{}}
	for c, r := range planRates[ParsePlan(string(opts.Plan))] {
		b.buckets[c] = newBucket(r*scale, floorRate*scale)
	}
	if b.account != "" {
		budgetMetrics.register(b)
	}
	return b
}

func newBucket(nominal, minFloor float64) *bucket {
	return &bucket{
		lim:     rate.NewLimiter(rate.Limit(nominal*paceFraction), 1),
		nominal: nominal,
		floor:   min(nominal, max(nominal*floorFraction, minFloor)),
		limit:   nominal,
	}
}

// Wait blocks until a call of category c may be made, or ctx ends. A
// category without a budget (Heavy, or a nil Budget) never waits. When ctx
// has a deadline that comes before the call's turn, Wait returns at once
// with an error wrapping context.DeadlineExceeded.
func (b *Budget) Wait(ctx context.Context, c Category) error {
	return b.WaitAtMost(ctx, c, 0)
}

// WaitAtMost is Wait, except that a turn further off than maxWait (when
// positive) is given back and reported as a *WaitError at once, so that the
// caller can do other work meanwhile. A context marked WithLowPriority
// reserves only lowPriorityShare of maxWait ahead until one of its calls has
// been granted a turn.
func (b *Budget) WaitAtMost(ctx context.Context, c Category, maxWait time.Duration) error {
	if b == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	lp := lowPriorityOf(ctx)
	r, delay, err := b.turn(ctx, c, maxWait, b.now())
	if err != nil {
		return err
	}
	if delay <= 0 {
		lp.granted()
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < delay {
		r.CancelAt(b.now())
		return fmt.Errorf("%s rate budget: next call in %v, past the deadline: %w", c, delay, context.DeadlineExceeded)
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		lp.granted()
		return nil
	case <-ctx.Done():
		// Hand the token back, so that a caller giving up does not slow
		// down the others.
		r.CancelAt(b.now())
		return ctx.Err()
	}
}

// turn reserves the caller's turn at now, as far ahead as its priority in
// ctx allows, and returns how long it must wait for it; a turn further off
// is a *WaitError. WaitAtMost is turn plus a timer; tests call turn with a
// fake clock.
func (b *Budget) turn(ctx context.Context, c Category, maxWait time.Duration, now time.Time) (*rate.Reservation, time.Duration, error) {
	r, delay, ok := b.reserveWithin(c, now, lowPriorityOf(ctx).horizon(maxWait))
	if !ok {
		return nil, delay, &WaitError{Delay: delay, Reason: fmt.Sprintf("the account's %s request budget is spent", c)}
	}
	return r, delay, nil
}

// reserve takes a token of category c at now and returns how long the caller
// must wait before using it, with the reservation to cancel if it gives up.
// Wait is reserve plus a timer; tests call reserve with a fake clock.
func (b *Budget) reserve(c Category, now time.Time) (*rate.Reservation, time.Duration) {
	r, delay, _ := b.reserveWithin(c, now, 0)
	return r, delay
}

// reserveWithin is reserve, except that a turn further off than horizon
// (when positive) is not taken: ok is false and delay says how far off the
// turn was. The check and the hand-back happen under the lock that orders
// reservations, so the token given back is the last one reserved and is
// restored whole.
func (b *Budget) reserveWithin(c Category, now time.Time, horizon time.Duration) (_ *rate.Reservation, delay time.Duration, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.buckets[c]
	if k == nil {
		return nil, 0, true
	}
	k.recover(now)
	r := k.lim.ReserveN(now, 1)
	delay = r.DelayFrom(now)
	if horizon > 0 && delay > horizon {
		r.CancelAt(now)
		return nil, delay, false
	}
	return r, delay, true
}

// Send holds a call of category c, whose turn WaitAtMost has granted, until
// sending it now keeps every sendWindow at or under the plan's limit,
// and logs it as sent. Calls sent on their turns are never held; after late
// sends the hold lasts until enough of them have left the window, under
// about a second. The send is logged when it is made, not when a hold ends,
// so that a caller that wakes late from its hold cannot bunch with the next:
// held callers that wake together race, and the losers wait again. The
// budget's clock must move (a fake one that stands still holds the call
// until ctx ends).
func (b *Budget) Send(ctx context.Context, c Category) error {
	if b == nil {
		return nil
	}
	for held := false; ; held = true {
		hold := b.logSend(c, b.now(), !held)
		if hold <= 0 {
			return nil
		}
		timer := time.NewTimer(hold)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		}
	}
}

// logSend logs a send of category c at now and returns zero, or, when the
// send log is full, returns how long until its oldest send leaves the window
// and logs nothing; a first hold of a call is counted for the metrics.
func (b *Budget) logSend(c Category, now time.Time, first bool) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.buckets[c]
	if k == nil {
		return 0
	}
	k.recover(now)
	hold := k.logSend(now)
	if hold > 0 && first {
		k.held++
	}
	return hold
}

// Held returns how many calls of category c Send has held back.
func (b *Budget) Held(c Category) int64 {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if k := b.buckets[c]; k != nil {
		return k.held
	}
	return 0
}

func (k *bucket) logSend(now time.Time) time.Duration {
	gone := 0
	for gone < len(k.sent) && !k.sent[gone].After(now.Add(-sendWindow)) {
		gone++
	}
	k.sent = append(k.sent[:0], k.sent[gone:]...)
	if n := k.sendsPerWindow(); len(k.sent) >= n {
		return k.sent[len(k.sent)-n].Add(sendWindow).Sub(now)
	}
	k.sent = append(k.sent, now)
	return 0
}

// sendsPerWindow is how many sends a sendWindow may hold: the plan's limit
// in whole calls, which is what Zoom counts. A limit cut after 429s is the
// bucket's to keep, on average; the send log only guards Zoom's ceiling, so
// calls sent on their turns are never held (at paceFraction of a whole limit
// N, floor(0.95 × 1.03 × N) + 1 ≤ N of them fit into the window).
func (k *bucket) sendsPerWindow() int {
	return max(1, int(k.nominal))
}

// Throttled records that Zoom answered a call of category c with a
// per-second 429 at now: the category's rate is cut, mildly for a lone 429
// and by half when 429s repeat within the cool-down, never below its floor,
// and recovers step by step once no 429 has been seen for a while. Daily
// 429s must not be reported here; waiting out a second cannot fix them.
func (b *Budget) Throttled(c Category, now time.Time) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.buckets[c]
	if k == nil {
		return
	}
	k.recover(now)
	k.nextStep = now.Add(throttleCoolDown)
	cut := mildCut
	if !k.shrunk.IsZero() {
		since := now.Sub(k.shrunk)
		if since < shrinkGap {
			return
		}
		if since < throttleCoolDown {
			cut = deepCut
		}
	}
	k.shrunk = now
	k.setLimit(now, max(k.floor, k.limit*cut))
	k.drain(now)
}

// Limit returns the current rate of category c in calls per second, 0 for a
// category without a budget.
func (b *Budget) Limit(c Category) float64 {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.buckets[c]
	if k == nil {
		return 0
	}
	k.recover(b.now())
	return k.limit
}

// Tokens returns the tokens of category c available now. It is negative
// while callers are queued for tokens not yet earned.
func (b *Budget) Tokens(c Category) float64 {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.buckets[c]
	if k == nil {
		return 0
	}
	now := b.now()
	k.recover(now)
	return k.lim.TokensAt(now)
}

// recover raises the rate by one step for every recoverInterval that has
// fully passed since the cool-down ended. Tokens earned since a step fell
// due are counted at the old rate, which errs on the slow side.
func (k *bucket) recover(now time.Time) {
	limit := k.limit
	for limit < k.nominal && !now.Before(k.nextStep) {
		limit = min(k.nominal, limit+k.nominal*recoverFraction)
		k.nextStep = k.nextStep.Add(recoverInterval)
	}
	if limit != k.limit {
		k.setLimit(now, limit)
	}
}

func (k *bucket) setLimit(now time.Time, limit float64) {
	k.limit = limit
	k.lim.SetLimitAt(now, rate.Limit(limit*paceFraction))
}

// drain spends the saved-up tokens: after a 429 the account's current second
// is already full, so a burst now would only earn more 429s.
func (k *bucket) drain(now time.Time) {
	if n := int(k.lim.TokensAt(now)); n > 0 {
		k.lim.ReserveN(now, n)
	}
}

// mediumEndpoints are the calls Zoom labels Medium in its API reference
// ("Rate Limit Label" of each operation in the Users, Groups and Roles APIs):
// listings, and the calls that add several members at once. Every other call
// this client makes is labelled Light: create, get and delete of users and
// groups, removing one group member, and unassigning one role member.
var mediumEndpoints = map[string]bool{
	"GET /users":                     true, // List users
	"GET /groups":                    true, // List groups
	"GET /groups/{groupId}/members":  true, // List group members
	"POST /groups/{groupId}/members": true, // Add group members
	"GET /roles":                     true, // List roles
	"POST /roles/{roleId}/members":   true, // Assign a role
}

// categoryOf returns the rate limit category Zoom files an endpoint under.
func categoryOf(endpoint string) Category {
	if mediumEndpoints[endpoint] {
		return CategoryMedium
	}
	return CategoryLight
}

// noteRateLimit counts a 429 in err and, when the limit hit was per-second,
// slows the budget's category down. The budget's own clock is used because
// its recovery is measured on that clock.
func (c *Client) noteRateLimit(err error, cat Category) {
	if b := c.budget(); c.observeRateLimit(err) && b != nil {
		b.Throttled(cat, b.now())
	}
}
