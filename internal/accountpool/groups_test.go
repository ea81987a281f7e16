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

package accountpool

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// The users of one Zoom account share one role listing per ttl; a failed
// listing is not cached.
func TestRoleCacheListsOncePerTTL(t *testing.T) {
	calls := 0
	var fail error
	list := func(context.Context) ([]zoom.Role, error) {
		calls++
		if fail != nil {
			return nil, fail
		}
		return []zoom.Role{{ID: "1", Name: "Admin"}}, nil
	}
	c := &roleCache{ttl: time.Hour}
	for range 3 {
		ix, err := c.index(context.Background(), list)
		if err != nil {
			t.Fatal(err)
		}
		if r, ok := ix.Lookup("admin"); !ok || r.ID != "1" {
			t.Fatalf("Lookup(admin) = %+v, %v", r, ok)
		}
	}
	if calls != 1 {
		t.Errorf("listed %d times within the ttl, want 1", calls)
	}

	c.at = time.Now().Add(-2 * time.Hour) // expired
	fail = errors.New("zoom down")
	if _, err := c.index(context.Background(), list); err == nil {
		t.Fatal("a failed listing returned no error")
	}
	fail = nil
	if _, err := c.index(context.Background(), list); err != nil || calls != 3 {
		t.Errorf("after a failure: err %v, calls %d; want a new listing (3)", err, calls)
	}
}
