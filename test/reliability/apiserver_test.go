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
	"sync"
	"testing"
	"time"
)

const (
	// restartAfterCreates is how many users Zoom has created when the
	// restart begins.
	restartAfterCreates = 15
	// apiServerDown is how long kube-apiserver stays stopped.
	apiServerDown = 2 * time.Second
)

// TestAPIServerRestartedWhileUsersAreCreated stops kube-apiserver and starts
// it again on the same etcd while ZoomUsers are still being created and
// converged. One of Zoom's creates is held until the API server is down, so
// that at least one 201 arrives when its status cannot be written. The
// manager is not restarted: it must ride out the outage (failed writes,
// broken watches) and converge every ZoomUser, with one Zoom user per email
// and every create answered 201 exactly once.
func TestAPIServerRestartedWhileUsersAreCreated(t *testing.T) {
	c := newCluster(t)
	z := newZoom(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	c.createAccount(ctx, z)
	const ns = "apiserver-restart"
	c.createNamespace(ctx, ns)
	m := c.startManager()

	held := make(chan string, 1)
	down := make(chan struct{}) // closed once kube-apiserver has stopped
	var once sync.Once
	z.onCreate(func(email string) {
		if len(z.Users()) < restartAfterCreates {
			return
		}
		once.Do(func() {
			held <- email
			select {
			case <-down: // the 201 now reaches a manager without an API server
			case <-time.After(time.Minute):
			}
		})
	})

	// Two creators at a steady pace spread the creates over several
	// seconds, so the restart lands in the middle of them.
	const n = 80
	creating := make(chan error, 1)
	go func() { creating <- c.createUsers(ctx, ns, userNames(0, n), 2, 150*time.Millisecond) }()
	var email string
	select {
	case email = <-held:
	case <-time.After(time.Minute):
		t.Fatalf("Zoom did not create %d users within 1m", restartAfterCreates)
	}
	url := c.stopAPIServer()
	close(down)
	time.Sleep(apiServerDown)
	c.startAPIServer(url)
	t.Logf("kube-apiserver restarted while Zoom's 201 for %s was held; %d of %d users in Zoom", email, len(z.Users()), n)
	z.onCreate(nil)

	if err := <-creating; err != nil {
		t.Fatal(err)
	}
	users := c.waitConverged(ctx, ns, n, 2*time.Minute)
	checkOneZoomUserEach(t, z, users, 2)
	if m.Exited() {
		t.Errorf("%s exited during the API server's restart: %v", m.Name, m.Err())
	}
	t.Logf("%s logged %d refused connections during the outage", m.Name, m.LogCount("connection refused"))
}
