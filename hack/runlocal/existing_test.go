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

package main

import (
	"testing"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

func TestSeedExistingMakesOldUsersOfEveryKind(t *testing.T) {
	fake, err := testenv.StartZoom(testenv.ZoomOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	seedExisting(fake, 10)

	statuses, types := map[string]int{}, map[int]int{}
	for _, email := range []string{"mary@corp.example", "frances@corp.example", "user0008@corp.example", "user0009@corp.example"} {
		if _, ok := fake.User(email); !ok {
			t.Errorf("no seeded user %s", email)
		}
	}
	for _, u := range fake.Users() {
		statuses[u.Status]++
		types[u.Type]++
		if u.CreatedAt.IsZero() || time.Since(u.CreatedAt).Hours() < 24*300 {
			t.Errorf("%s made at %v, want about a year ago (before any ZoomUser)", u.Email, u.CreatedAt)
		}
	}
	if statuses[zoom.StatusActive] == 0 || statuses[zoom.StatusInactive] == 0 || statuses[zoom.StatusPending] == 0 {
		t.Errorf("statuses %v, want active, inactive and pending users", statuses)
	}
	if types[zoom.TypeLicensed] == 0 || types[zoom.TypeBasic] == 0 {
		t.Errorf("types %v, want Licensed and Basic users", types)
	}
}
