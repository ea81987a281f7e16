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

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/desired"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// owned tells whether a Zoom user found without a status.id is this
// object's own (see desired.Owned); the kubectl plugin's plan decides alike.
func owned(zu *zoomv1.ZoomUser, remote *zoom.User) bool { return desired.Owned(zu, remote) }

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
