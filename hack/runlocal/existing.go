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
	"fmt"
	"strings"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// people name the first existing users, so that an export reads like a
// real account; further users are numbered.
var people = [][2]string{
	{"Mary", "Jackson"}, {"Katherine", "Johnson"}, {"Dorothy", "Vaughan"}, {"Hedy", "Lamarr"},
	{"Margaret", "Hamilton"}, {"Radia", "Perlman"}, {"Barbara", "Liskov"}, {"Frances", "Allen"},
}

// existingDomain holds the seeded users, apart from the samples' example.com.
const existingDomain = "corp.example"

// seedExisting puts n users into the fake Zoom as if someone had made them a
// year ago, before the operator: a mix of Licensed and Basic, some inactive,
// some invitations still pending. They are what `kubectl zoom export` and
// adoption work on.
func seedExisting(fake *testenv.Zoom, n int) {
	made := time.Now().AddDate(-1, 0, 0)
	for i := range n {
		first, last := fmt.Sprintf("User%04d", i), "Example"
		if i < len(people) {
			first, last = people[i][0], people[i][1]
		}
		fake.AddUser(zoomfake.User{
			Email:     strings.ToLower(first) + "@" + existingDomain,
			FirstName: first, LastName: last,
			Type:      []int{zoom.TypeLicensed, zoom.TypeBasic, zoom.TypeBasic}[i%3],
			Status:    existingStatus(i),
			Action:    "create",
			CreatedAt: made.Add(time.Duration(i) * time.Minute),
		})
	}
}

func existingStatus(i int) string {
	switch {
	case i%7 == 6:
		return zoom.StatusPending
	case i%5 == 2:
		return zoom.StatusInactive
	default:
		return zoom.StatusActive
	}
}
