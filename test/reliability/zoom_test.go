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
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// zoomServer is the fake Zoom served over HTTP on 127.0.0.1. It remembers
// which access tokens were used, so that a test can tell how many manager
// processes talked to Zoom, and lets a test run code between a user's
// creation and its 201 (onCreate).
type zoomServer struct {
	*testenv.Zoom

	afterCreate atomic.Pointer[func(email string)]
	// latency delays every API request (not token requests) that long.
	latency atomic.Int64

	mu      sync.Mutex
	bearers map[string]int // access token -> API requests made with it
}

func newZoom(t *testing.T) *zoomServer {
	t.Helper()
	z := &zoomServer{bearers: map[string]int{}}
	fake, err := testenv.StartZoom(testenv.ZoomOptions{
		Fake: zoomfake.Options{AfterCreate: z.runAfterCreate},
		Wrap: z.countBearers,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	z.Zoom = fake
	return z
}

// onCreate sets the code run after a user is stored and before its 201 is
// written; nil removes it.
func (z *zoomServer) onCreate(f func(email string)) {
	if f == nil {
		z.afterCreate.Store(nil)
		return
	}
	z.afterCreate.Store(&f)
}

func (z *zoomServer) runAfterCreate(email string) {
	if f := z.afterCreate.Load(); f != nil {
		(*f)(email)
	}
}

func (z *zoomServer) countBearers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			z.mu.Lock()
			z.bearers[token]++
			z.mu.Unlock()
			time.Sleep(time.Duration(z.latency.Load()))
		}
		next.ServeHTTP(w, r)
	})
}

// tokensUsed is how many distinct access tokens API requests carried. Each
// manager process obtains one token and caches it, so this counts the
// processes that called Zoom.
func (z *zoomServer) tokensUsed() int {
	z.mu.Lock()
	defer z.mu.Unlock()
	return len(z.bearers)
}

// createStats is what the request log says about POST /users for one email.
type createStats struct {
	posts   int // requests, whatever their answer
	created int // answered 201
}

func (z *zoomServer) createStatsByEmail() map[string]createStats {
	stats := map[string]createStats{}
	for _, r := range z.Requests() {
		if r.Endpoint != zoomfake.EndpointCreateUser {
			continue
		}
		s := stats[r.Email]
		s.posts++
		if r.Status == http.StatusCreated {
			s.created++
		}
		stats[r.Email] = s
	}
	return stats
}

// usersByEmail groups the fake's users by lower-cased email.
func (z *zoomServer) usersByEmail() map[string][]zoomfake.User {
	byEmail := map[string][]zoomfake.User{}
	for _, u := range z.Users() {
		key := strings.ToLower(u.Email)
		byEmail[key] = append(byEmail[key], u)
	}
	return byEmail
}
