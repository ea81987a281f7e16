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

package zoom

import (
	"errors"
	"fmt"
	"time"
)

// WaitError says that a call was not sent because its turn is too far off:
// the account's request budget is spent for longer than the client may hold
// its caller, or another caller is fetching the account's token. Nothing
// reached Zoom; the caller should come back after Delay instead of holding a
// worker that other accounts need.
type WaitError struct {
	Delay  time.Duration
	Reason string
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("zoom: %s; next try in %v", e.Reason, e.Delay.Round(time.Millisecond))
}

// WaitFor returns the delay of a *WaitError in err's chain.
func WaitFor(err error) (time.Duration, bool) {
	var w *WaitError
	if errors.As(err, &w) {
		return w.Delay, true
	}
	return 0, false
}

// tokenPendingDelay is how soon a caller that found another caller fetching
// the token comes back: a token fetch takes a fraction of a second.
const tokenPendingDelay = time.Second

// IsTokenError reports whether err came from the OAuth token endpoint rather
// than the API: a 429 there says nothing about the account's daily caps.
func IsTokenError(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Token
}
