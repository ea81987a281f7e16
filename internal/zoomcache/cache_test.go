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

package zoomcache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// fakeLister serves fixed users per status and counts list calls.
type fakeLister struct {
	mu    sync.Mutex
	users map[string][]zoom.User
	calls map[string]int
	err   error
}

func (f *fakeLister) ListAllUsers(_ context.Context, status string) ([]zoom.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[status]++
	return f.users[status], f.err
}

func (f *fakeLister) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newFixture() (*fakeLister, *clock) {
	return &fakeLister{calls: map[string]int{}, users: map[string][]zoom.User{
		zoom.StatusActive:   {{ID: "a1", Email: "Ada@Example.com", Status: zoom.StatusActive}},
		zoom.StatusInactive: {{ID: "i1", Email: "ina@example.com"}},
		zoom.StatusPending:  {{Email: "pen@example.com"}, {ID: "p2", Email: "pen2@example.com"}},
	}}, &clock{t: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
}

func TestLookupAnswers(t *testing.T) {
	l, clk := newFixture()
	c := New(10*time.Minute, clk.now, nil)
	for email, want := range map[string]struct {
		answer Answer
		id     string
		status string
	}{
		"ada@example.com":    {Found, "a1", zoom.StatusActive},
		"ina@example.com":    {Found, "i1", zoom.StatusInactive}, // status filled from the list asked
		"pen@example.com":    {Unknown, "", ""},                  // pending without id
		"pen2@example.com":   {Found, "p2", zoom.StatusPending},
		"nobody@example.com": {Absent, "", ""},
	} {
		u, answer, err := c.Lookup(context.Background(), l, email)
		if err != nil || answer != want.answer || u.ID != want.id || u.Status != want.status {
			t.Errorf("%s: got %+v %v %v, want %+v", email, u, answer, err, want)
		}
	}
	if diff := cmp.Diff(map[string]int{"active": 1, "inactive": 1, "pending": 1}, l.calls); diff != "" {
		t.Errorf("list calls (-want +got):\n%s", diff)
	}
}

func TestSnapshotIsReusedUntilTTL(t *testing.T) {
	l, clk := newFixture()
	c := New(10*time.Minute, clk.now, nil)
	for i := 0; i < 5; i++ {
		if _, _, err := c.Lookup(context.Background(), l, "ada@example.com"); err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(time.Minute)
	}
	if n := l.total(); n != 3 {
		t.Fatalf("list calls within the TTL = %d, want 3", n)
	}
	clk.t = clk.t.Add(6 * time.Minute)
	if _, _, err := c.Lookup(context.Background(), l, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	if n := l.total(); n != 6 {
		t.Errorf("list calls after the TTL = %d, want 6", n)
	}
}

func TestConcurrentLookupsListOnce(t *testing.T) {
	l, clk := newFixture()
	c := New(time.Minute, clk.now, nil)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, _ = c.Lookup(context.Background(), l, fmt.Sprintf("u%d@example.com", i))
		}()
	}
	wg.Wait()
	if n := l.total(); n != 3 {
		t.Errorf("list calls = %d, want 3 (one snapshot)", n)
	}
}

func TestWriteThroughAndRemove(t *testing.T) {
	l, clk := newFixture()
	c := New(time.Minute, clk.now, nil)
	ctx := context.Background()
	if _, a, _ := c.Lookup(ctx, l, "new@example.com"); a != Absent {
		t.Fatalf("answer = %v, want Absent", a)
	}
	c.Put(zoom.User{ID: "n1", Email: "NEW@example.com", Status: zoom.StatusActive})
	if u, a, _ := c.Lookup(ctx, l, "new@example.com"); a != Found || u.ID != "n1" {
		t.Errorf("after Put: %+v %v", u, a)
	}
	c.Remove("ada@example.com")
	if _, a, _ := c.Lookup(ctx, l, "ada@example.com"); a != Absent {
		t.Errorf("after Remove: %v, want Absent", a)
	}
}

func TestNotWorthListing(t *testing.T) {
	l, clk := newFixture()
	var asked []int
	worth := false
	c := New(time.Minute, clk.now, func(calls int) bool {
		asked = append(asked, calls)
		return worth
	})
	if _, a, err := c.Lookup(context.Background(), l, "ada@example.com"); a != Unknown || err != nil {
		t.Errorf("answer = %v, %v; want Unknown", a, err)
	}
	c.Put(zoom.User{ID: "x", Email: "x@example.com"}) // ignored while disabled
	if _, a, _ := c.Lookup(context.Background(), l, "x@example.com"); a != Unknown {
		t.Errorf("disabled cache answered %v", a)
	}
	if l.total() != 0 || len(asked) != 2 || asked[0] != 3 {
		t.Errorf("list calls %d, worthIt asked %v; want 0 calls, asked at each lookup with 3", l.total(), asked)
	}
	// The account fills up (a bulk apply): the next lookup lists at once,
	// without waiting out the ttl.
	worth = true
	if _, a, err := c.Lookup(context.Background(), l, "ada@example.com"); a != Found || err != nil || l.total() != 3 {
		t.Errorf("after the account filled up: %v, %v with %d list calls; want Found after one listing", a, err, l.total())
	}
}

func TestListErrorIsReturnedAndRetried(t *testing.T) {
	l, clk := newFixture()
	l.err = errors.New("zoom down")
	c := New(time.Minute, clk.now, nil)
	if _, _, err := c.Lookup(context.Background(), l, "ada@example.com"); err == nil {
		t.Fatal("want the list error")
	}
	l.err = nil
	calls := l.total()
	if _, a, err := c.Lookup(context.Background(), l, "ada@example.com"); err != nil || a != Unknown || l.total() != calls {
		t.Errorf("right after a failure: %v %v with %d new list calls; want Unknown and none", a, err, l.total()-calls)
	}
	clk.t = clk.t.Add(c.failureHold())
	if _, a, err := c.Lookup(context.Background(), l, "ada@example.com"); err != nil || a != Found {
		t.Errorf("after recovery: %v %v", a, err)
	}
}
