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

// Package zoomcache keeps, per Zoom account, a snapshot of its users filled
// by listing them a page at a time (up to zoom.MaxPageSize a page), so that
// a resync of N users costs about N/page-size list calls instead of N single
// GETs. Cache.Users puts it in front of the userapi boundary as a
// write-through decorator.
package zoomcache

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// Lister lists every user of one status, page by page.
type Lister interface {
	ListAllUsers(ctx context.Context, status string) ([]zoom.User, error)
}

// CountingLister is a Lister that also says how many list calls a listing
// took, which is how the cache learns the real cost when Zoom serves pages
// smaller than asked for. *zoom.Client is one. Another Lister is charged one
// call per zoom.MaxPageSize users.
type CountingLister interface {
	Lister
	ListAllUsersCounted(ctx context.Context, status string) ([]zoom.User, int, error)
}

var _ CountingLister = (*zoom.Client)(nil)

// statuses are the lists that together hold every user of an account.
var statuses = []string{zoom.StatusActive, zoom.StatusInactive, zoom.StatusPending}

// Answer is what the snapshot says about one email.
type Answer int

const (
	// Unknown: the cache cannot answer (disabled, or a pending entry
	// without an id); the caller asks Zoom directly.
	Unknown Answer = iota
	// Found: the user was in the snapshot (or written through since).
	Found
	// Absent: the user was not in a snapshot fresh enough to trust; it may
	// have been created since by someone else, which a create's 409 reveals.
	Absent
)

// Cache is one account's snapshot. Its methods are safe for concurrent use.
type Cache struct {
	ttl time.Duration
	now func() time.Time
	// worthIt says whether listing beats single GETs for this account; it
	// is asked once per refresh with the pages the last listing took.
	worthIt func(listCalls int) bool

	refresh sync.Mutex // one refresh at a time; the others wait for it

	mu        sync.Mutex
	users     map[string]zoom.User // by lower-cased email
	fetchedAt time.Time
	enabled   bool
	listCalls int
}

// New makes a cache whose snapshot lives for ttl. worthIt may be nil (always list).
func New(ttl time.Duration, now func() time.Time, worthIt func(listCalls int) bool) *Cache {
	if now == nil {
		now = time.Now
	}
	if worthIt == nil {
		worthIt = func(int) bool { return true }
	}
	return &Cache{ttl: ttl, now: now, worthIt: worthIt, listCalls: len(statuses)}
}

// Lookup answers for email from a snapshot younger than ttl, listing the
// account first when the snapshot is older.
func (c *Cache) Lookup(ctx context.Context, l Lister, email string) (zoom.User, Answer, error) {
	if err := c.ensureFresh(ctx, l); err != nil {
		return zoom.User{}, Unknown, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.enabled {
		return zoom.User{}, Unknown, nil
	}
	u, ok := c.users[key(email)]
	switch {
	case !ok:
		return zoom.User{}, Absent, nil
	case u.ID == "":
		return zoom.User{}, Unknown, nil // Zoom lists some pending users without an id
	default:
		return u, Found, nil
	}
}

// Put writes a user through after this operator created or changed it, so
// the snapshot does not contradict what the operator itself just did.
func (c *Cache) Put(u zoom.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.users != nil {
		c.users[key(u.Email)] = u
	}
}

// Modify changes the snapshot's entry for email, if there is one.
func (c *Cache) Modify(email string, change func(*zoom.User)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.users[key(email)]; ok {
		change(&u)
		c.users[key(email)] = u
	}
}

// Remove forgets a user that is gone from Zoom.
func (c *Cache) Remove(email string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.users, key(email))
}

func (c *Cache) fresh(now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.fetchedAt.IsZero() && now.Sub(c.fetchedAt) < c.ttl
}

func (c *Cache) ensureFresh(ctx context.Context, l Lister) error {
	if c.fresh(c.now()) {
		return nil
	}
	c.refresh.Lock()
	defer c.refresh.Unlock()
	if c.fresh(c.now()) {
		return nil // another caller refreshed while this one waited
	}
	c.mu.Lock()
	calls := c.listCalls
	c.mu.Unlock()
	if !c.worthIt(calls) {
		// Asking again costs nothing, and an account that is filling up
		// (a bulk apply) must not wait a whole ttl for its snapshot.
		c.mu.Lock()
		c.users, c.enabled, c.fetchedAt = nil, false, time.Time{}
		c.mu.Unlock()
		return nil
	}
	err := c.list(ctx, l)
	if err != nil {
		c.holdAfterFailure(calls)
	}
	return err
}

// failureHold is how long a failed listing is remembered: meanwhile the
// account's users are observed one by one, so that a failing (or hostile)
// server is not listed again by every waiting object.
func (c *Cache) failureHold() time.Duration { return min(c.ttl, 30*time.Second) }

func (c *Cache) holdAfterFailure(calls int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.users, c.listCalls, c.enabled = nil, calls, false
	c.fetchedAt = c.now().Add(c.failureHold() - c.ttl)
}

func (c *Cache) list(ctx context.Context, l Lister) error {
	users := map[string]zoom.User{}
	calls := 0
	for _, status := range statuses {
		page, n, err := listCounted(ctx, l, status)
		if err != nil {
			return err
		}
		calls += n
		for _, u := range page {
			if u.Status == "" {
				u.Status = status
			}
			users[key(u.Email)] = u
		}
	}
	c.store(users, calls, true)
	return nil
}

// listCounted lists one status and returns the calls it took.
func listCounted(ctx context.Context, l Lister, status string) ([]zoom.User, int, error) {
	if cl, ok := l.(CountingLister); ok {
		return cl.ListAllUsersCounted(ctx, status)
	}
	users, err := l.ListAllUsers(ctx, status)
	return users, max(1, (len(users)+zoom.MaxPageSize-1)/zoom.MaxPageSize), err
}

func (c *Cache) store(users map[string]zoom.User, calls int, enabled bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.users, c.listCalls, c.enabled, c.fetchedAt = users, calls, enabled, c.now()
}

func key(email string) string { return strings.ToLower(email) }
