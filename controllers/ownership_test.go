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
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

func TestRefusedForSure(t *testing.T) {
	for name, tc := range map[string]struct {
		err  error
		want bool
	}{
		"409":           {&zoom.APIError{StatusCode: http.StatusConflict, Code: 1005}, true},
		"daily 429":     {&zoom.APIError{StatusCode: http.StatusTooManyRequests, RateLimitType: "Daily-limit"}, true},
		"400":           {&zoom.APIError{StatusCode: http.StatusBadRequest, Code: 300}, true},
		"token refused": {&zoom.APIError{StatusCode: http.StatusBadRequest, Token: true}, true},
		"token 5xx":     {&zoom.APIError{StatusCode: http.StatusBadGateway, Token: true}, true},
		"budget wait":   {&zoom.WaitError{Delay: time.Second}, true},
		"500":           {&zoom.APIError{StatusCode: http.StatusInternalServerError}, false},
		"timeout":       {fmt.Errorf("zoom: POST /users: %w", errors.New("context deadline exceeded")), false},
		"wrapped 409":   {fmt.Errorf("x: %w", &zoom.APIError{StatusCode: http.StatusConflict}), true},
	} {
		if got := refusedForSure(tc.err); got != tc.want {
			t.Errorf("%s: refusedForSure = %v, want %v", name, got, tc.want)
		}
	}
}

func TestRedactHidesThePasswordButKeepsTheKind(t *testing.T) {
	err := redact(&zoom.APIError{StatusCode: http.StatusBadRequest, Code: 300, Message: "password hunter2 is too weak"}, "hunter2")
	if got := err.Error(); got == "" || strings.Contains(got, "hunter2") {
		t.Errorf("Error() = %q", got)
	}
	if zoom.Classify(err) != zoom.KindTerminal {
		t.Errorf("Classify = %v, want Terminal", zoom.Classify(err))
	}
}
