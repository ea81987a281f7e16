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
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zoom-operator/zoom-operator/internal/userapi"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// acceptingUsers is a userapi.API whose every change succeeds.
type acceptingUsers struct{ userapi.API }

func (acceptingUsers) SetStatus(context.Context, userapi.Target, bool) error { return nil }

// Zoom strips the licence of a user it deactivates, so a snapshot that kept
// Licensed would hide the type drift after a reactivation within its TTL.
func TestSnapshotMirrorsTheLicenceLostOnDeactivation(t *testing.T) {
	l, clk := newFixture()
	l.users[zoom.StatusActive] = []zoom.User{{ID: "a1", Email: "ada@example.com", Status: zoom.StatusActive, Type: zoom.TypeLicensed}}
	users := New(10*time.Minute, clk.now, nil).Users(acceptingUsers{}, l)
	ctx, ada := context.Background(), userapi.Target{ID: "a1", Email: "ada@example.com"}
	if _, err := users.Observe(ctx, ada, true); err != nil { // loads the snapshot
		t.Fatal(err)
	}
	type seen struct {
		Status string
		Type   int
	}
	for _, step := range []struct {
		active bool
		want   seen
	}{
		{false, seen{zoom.StatusInactive, zoom.TypeBasic}},
		{true, seen{zoom.StatusActive, zoom.TypeBasic}}, // reactivated users come back Basic
	} {
		if err := users.SetStatus(ctx, ada, step.active); err != nil {
			t.Fatal(err)
		}
		u, err := users.Observe(ctx, ada, true)
		if err != nil || u == nil {
			t.Fatalf("Observe = %v, %v", u, err)
		}
		if diff := cmp.Diff(step.want, seen{u.Status, u.Type}); diff != "" {
			t.Errorf("after SetStatus(%v) (-want +got):\n%s", step.active, diff)
		}
	}
}
