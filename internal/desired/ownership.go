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

package desired

import (
	"time"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// clockSkewAllowance is how much Zoom's clock may run behind the operator's
// and a Zoom user still count as created by this operator (see Owned). It is
// also how long before a create request someone else's user could be taken
// for this object's own, so it stays small.
const clockSkewAllowance = 5 * time.Second

// Owned tells whether a Zoom user found without a status.id is this
// object's own: Zoom created it after the object existed and after the
// create request the manager recorded in status. Nothing a tenant can write
// (metadata, spec) takes part, and a user of unknown age is not ours; every
// other user is adopted, under the account's permission.
func Owned(zu *zoomv1.ZoomUser, remote *zoom.User) bool {
	requested := zu.Status.CreateRequestedAt
	if requested == nil {
		return false // never asked Zoom to create it, or Zoom refused
	}
	// user_created_at, not the deprecated created_at, which is when the
	// latest login type was made (the time of the call for a pending user).
	created, err := time.Parse(time.RFC3339, remote.UserCreatedAt)
	if err != nil {
		return false // unknown age: the safe answer is "not ours"
	}
	floor := requested.Time
	if zu.CreationTimestamp.After(floor) {
		floor = zu.CreationTimestamp.Time
	}
	return !created.Before(floor.Add(-clockSkewAllowance))
}

// Wins orders the ZoomUsers that claim one email in one Zoom account:
// holding the Zoom user first, then age, then name, so that every
// reconcile of every claimant picks the same winner. The others never call
// Zoom for that email, so two objects cannot fight over one user.
func Wins(a, b *zoomv1.ZoomUser) bool {
	if (a.Status.ID != "") != (b.Status.ID != "") {
		return a.Status.ID != ""
	}
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
}
