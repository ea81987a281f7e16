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

package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// TestKillBetweenZoomCreateAndStatusWrite kills the manager while Zoom has
// created a user but not yet answered 201: the user exists in Zoom, and the
// only trace of it on the object is the create-requested annotation written
// before the POST. The restarted manager must claim that user as its own
// (not adopt it, not create a second one) and record its id.
func TestKillBetweenZoomCreateAndStatusWrite(t *testing.T) {
	c := newCluster(t)
	z := newZoom(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c.createAccount(ctx, z)
	const ns = "crash"
	c.createNamespace(ctx, ns)

	first := c.startManager()
	killed := make(chan string, 1)
	var once sync.Once
	z.onCreate(func(email string) {
		once.Do(func() {
			// Zoom stored the user; its 201 goes out only after the
			// manager is gone, so no one ever reads it.
			first.Kill()
			killed <- email
		})
	})
	const n = 5
	if err := c.createUsers(ctx, ns, userNames(0, n), n, 0); err != nil {
		t.Fatal(err)
	}
	var victim string
	select {
	case victim = <-killed:
	case <-time.After(time.Minute):
		t.Fatal("the manager never created a Zoom user")
	}
	z.onCreate(nil)
	victimName := strings.TrimSuffix(victim, "@example.com")
	t.Logf("killed %s inside Zoom's create of %s", first.Name, victim)

	// The scenario really happened: Zoom has the user, the object has the
	// recorded request and no id.
	inZoom, ok := z.User(victim)
	if !ok {
		t.Fatalf("the fake has no user %s after its create", victim)
	}
	var before zoomv1.ZoomUser
	if err := c.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: victimName}, &before); err != nil {
		t.Fatal(err)
	}
	if before.Status.ID != "" {
		t.Fatalf("ZoomUser %s has status.id %q although the manager died before Zoom's answer", victimName, before.Status.ID)
	}
	if before.Status.CreateRequestedAt == nil {
		t.Fatalf("ZoomUser %s lacks status.createRequestedAt although Zoom was asked to create it", victimName)
	}

	second := c.startManager()
	users := c.waitConverged(ctx, ns, n, time.Minute)
	// No second create: the victim's one POST was the one that Zoom
	// answered while the manager died, and every other email got one too.
	checkOneZoomUserEach(t, z, users, 1)
	for _, zu := range users {
		if zu.Name == victimName && zu.Status.ID != inZoom.ID {
			t.Errorf("ZoomUser %s: status.id %q, want the id %q Zoom gave before the kill", victimName, zu.Status.ID, inZoom.ID)
		}
	}
	t.Logf("POST /users for %s: %d", victim, z.createStatsByEmail()[victim].posts)
	if second.Exited() {
		t.Errorf("%s exited: %v", second.Name, second.Err())
	}
}

// Size of TestRandomKillsWhileUsersConverge. 500 users with three kills
// converge in about 20s on a two-core machine, so `make test` runs it whole;
// `make test-soak` raises both through RELIABILITY_USERS and RELIABILITY_KILLS.
const (
	randomKillUsers = 500
	randomKills     = 3
)

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

// TestRandomKillsWhileUsersConverge SIGKILLs the manager at randomly chosen
// moments while hundreds of ZoomUsers converge, restarting it each time. A
// kill either lands inside one of Zoom's creates (its 201 is lost) or a
// random moment after one. Every ZoomUser must end up Ready with the id of
// the single Zoom user of its email, none adopted; a lost create may be
// retried once and answered 409, never more. RELIABILITY_SEED replays a run.
func TestRandomKillsWhileUsersConverge(t *testing.T) {
	n := envInt(t, "RELIABILITY_USERS", randomKillUsers)
	killCount := envInt(t, "RELIABILITY_KILLS", randomKills)
	c := newCluster(t)
	z := newZoom(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute+time.Duration(n)*100*time.Millisecond)
	defer cancel()
	c.createAccount(ctx, z)
	const ns = "random-kills"
	c.createNamespace(ctx, ns)

	seed := randomSeed(t)
	kills := planKills(rand.New(rand.NewPCG(seed, seed)), n, killCount)
	t.Logf("%d ZoomUsers; seed %d (RELIABILITY_SEED=%d replays it); kills: %v", n, seed, seed, kills)

	// One kill at a time: a kill is armed once the manager killed before
	// it was replaced, so that every kill hits a running manager and at
	// most one manager runs.
	var (
		mu      sync.Mutex // guards current, next and armed
		current = c.startManager()
		next    int // index in kills of the next kill
		armed   = true
		created atomic.Int64
		// restart receives one value per kill; buffered so that a kill
		// inside Zoom's handler never waits for the restart.
		restart = make(chan killAt, len(kills))
	)
	killNow := func(k killAt) {
		mu.Lock()
		defer mu.Unlock()
		current.Kill()
		restart <- k
	}
	z.onCreate(func(string) {
		made := int(created.Add(1))
		mu.Lock()
		if !armed || next == len(kills) || made < kills[next].afterCreates {
			mu.Unlock()
			return
		}
		k := kills[next]
		k.afterCreates = made
		next++
		armed = false
		mu.Unlock()
		if k.delay == 0 {
			killNow(k) // inside the create: its 201 is lost
			return
		}
		go func() {
			time.Sleep(k.delay)
			killNow(k)
		}()
	})
	creating := make(chan error, 1)
	go func() { creating <- c.createUsers(ctx, ns, userNames(0, n), 8, 0) }()

	start := time.Now()
	replace := func(k killAt) {
		mu.Lock()
		defer mu.Unlock()
		t.Logf("%s killed %s after %d Zoom creates", current.Name, k.how(), k.afterCreates)
		current = c.startManager()
		armed = true
	}
	for range kills {
		select {
		case k := <-restart:
			replace(k)
		case <-time.After(2 * time.Minute):
			t.Fatalf("only some kills happened in 2m: the fake saw %d creates", created.Load())
		}
	}
	if err := <-creating; err != nil {
		t.Fatal(err)
	}
	users := c.waitConverged(ctx, ns, n, 3*time.Minute+time.Duration(n)*50*time.Millisecond)
	t.Logf("converged %s after the first ZoomUser was created; emails by number of POST /users: %v",
		time.Since(start).Round(time.Millisecond), postsHistogram(z))
	z.onCreate(nil)
	checkOneZoomUserEach(t, z, users, 2)
	mu.Lock()
	defer mu.Unlock()
	if current.Exited() {
		t.Errorf("%s exited on its own: %v", current.Name, current.Err())
	}
}

// killAt is one planned kill: once the fake has created afterCreates users
// (and the previous kill's manager was replaced), inside that create
// (delay 0) or delay after it.
type killAt struct {
	afterCreates int
	delay        time.Duration
}

func (k killAt) how() string {
	if k.delay == 0 {
		return "inside a Zoom create"
	}
	return fmt.Sprintf("%s after a Zoom create", k.delay)
}

func (k killAt) String() string { return fmt.Sprintf("%d:%s", k.afterCreates, k.how()) }

// planKills spreads count kills over the middle of convergence: one in each
// equal slice of the creates between 10% and 90% of n, so that each restart
// has time to make progress before the next kill. Half of them, by chance,
// land inside a create.
func planKills(rng *rand.Rand, n, count int) []killAt {
	lo, hi := n/10, n*9/10
	width := (hi - lo) / count
	kills := make([]killAt, count)
	for i := range kills {
		kills[i].afterCreates = lo + i*width + 1 + rng.IntN(width)
		if rng.IntN(2) == 1 {
			kills[i].delay = time.Duration(1+rng.IntN(500)) * time.Millisecond
		}
	}
	slices.SortFunc(kills, func(a, b killAt) int { return a.afterCreates - b.afterCreates })
	return kills
}

// randomSeed is RELIABILITY_SEED when set, else a fresh seed.
func randomSeed(t *testing.T) uint64 {
	t.Helper()
	if s := os.Getenv("RELIABILITY_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("RELIABILITY_SEED=%q: %v", s, err)
		}
		return seed
	}
	return rand.Uint64()
}
