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

package controllers

import (
	"errors"
	"net/http"
	"strings"
	"time"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// clockSkewAllowance is how much Zoom's clock may run behind the operator's
// and a Zoom user still count as created by this operator (see owned). It is
// also how long before a create request someone else's user could be taken
// for this object's own, so it stays small.
const clockSkewAllowance = 5 * time.Second

// owned tells whether a Zoom user found without a status.id is this
// object's own: Zoom created it after the object existed and after the
// create request the manager recorded in status. Nothing a tenant can write
// (metadata, spec) takes part, and a user of unknown age is not ours; every
// other user is adopted, under the account's permission.
func owned(zu *zoomv1.ZoomUser, remote *zoom.User) bool {
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

// refusedForSure tells whether Zoom answered a create with a definite "no"
// (any 4xx, including 409 and the daily cap), or it was never sent: then no
// user came of it, and a user someone makes by hand later is not ours.
// Timeouts, dropped connections and 5xx leave the question open.
func refusedForSure(err error) bool {
	if _, wait := zoom.WaitFor(err); wait {
		return true
	}
	var e *zoom.APIError
	if !errors.As(err, &e) {
		return false
	}
	// A token error means the create itself was never sent.
	return e.Token || (e.StatusCode >= http.StatusBadRequest && e.StatusCode < http.StatusInternalServerError)
}

// redact hides a password in the text of err, which an echoing server could
// otherwise carry into status, events and logs. Classification still sees
// the original error through Unwrap.
func redact(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &redactedError{err: err, secret: secret}
}

type redactedError struct {
	err    error
	secret string
}

func (e *redactedError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.secret, "[redacted]")
}
func (e *redactedError) Unwrap() error { return e.err }
