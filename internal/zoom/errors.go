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
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Zoom error codes the client and Classify care about; docs/zoom-contract.md
// names the part of Zoom's published Users API that documents each.
const (
	codeInvalidToken     = 124
	codeInvalidParameter = 300
	codeUserNotFound     = 1001
	codeUserExists       = 1005
	codeManagedDomain    = 1107 // on DELETE: "You can not disassociate a user with managed domain."
	codeAdminUser        = 1117 // on DELETE: "You can not disassociate an Admin user."
	codeInvitationAbsent = 1120
	codeBasicLimit       = 2033 // the account's Basic users are all used
	codeTypeLimit        = 2034 // the account's users of the asked type are all used
	codeZoomOneLimit     = 2038 // the account's Zoom One licences are all used
	codeSeatLimit        = 3412 // the account's paid (or Basic) users are all used
	// codeScopesLegacy is what Zoom's error page lists for a token without
	// the needed scopes; codeMissingScope is what its API answers today.
	codeScopesLegacy   = 4700
	codeMissingScope   = 4711
	codeGroupNotFound  = 4130
	codeGroupNameTaken = 4132
	codeRoleNotFound   = 1034
)

// endpointDeleteUser is the Endpoint of APIErrors from DeleteUser and
// RemoveUser. Zoom reuses some codes with other meanings elsewhere (1107 is
// "Email domain is blocked" on create), so those are read with the endpoint.
const endpointDeleteUser = "DELETE /users/{userId}"

// ErrMalformedResponse is wrapped by the error returned when Zoom answers a
// call with a 2xx status but a body that cannot be decoded. Such a response is
// most likely a proxy or a truncated transfer, so Classify reports it as
// KindRetryable.
var ErrMalformedResponse = errors.New("zoom: malformed response body")

// ErrEmptyID is returned, before any request is sent, by the calls that
// address a single user when given an empty ID or email. Without the guard
// the request would reach a different endpoint (GET /users lists users).
// Classify reports it as KindTerminal.
var ErrEmptyID = errors.New("zoom: empty user id or email")

// APIError is the one typed error for every failed HTTP exchange with Zoom,
// both the REST API and the OAuth token endpoint. Its Error text never
// contains the client secret or an access token.
type APIError struct {
	StatusCode int
	// Code is Zoom's error code from the body, 0 when absent.
	Code int
	// Message is Zoom's message, or the OAuth reason/error for token errors.
	Message string
	// Fields lists per-field validation errors.
	Fields []FieldError
	// RateLimitType is the X-RateLimit-Type header: "QPS" or "Daily-limit".
	RateLimitType string
	// RateLimitCategory is the X-RateLimit-Category header: Light, Medium, Heavy.
	RateLimitCategory string
	// RetryAfter is the absolute time from the Retry-After header; zero when
	// the header is absent or cannot be parsed.
	RetryAfter time.Time
	// Token is true when the error came from the token endpoint.
	Token bool
	// Endpoint is the API call that failed, e.g. "DELETE /users/{userId}";
	// empty for token errors.
	Endpoint string
}

// FieldError is one entry of the "errors" array of a Zoom validation error.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error renders e.g. "zoom: HTTP 409 code 1005: User already in the account: a@b.c".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("zoom: ")
	if e.Token {
		b.WriteString("token endpoint ")
	}
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if e.Code != 0 {
		fmt.Fprintf(&b, " code %d", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	return b.String()
}

// setRateLimit copies the rate limit headers of a response into e.
// Retry-After in seconds is relative to received, the time of receipt.
func (e *APIError) setRateLimit(h http.Header, received time.Time) {
	e.RateLimitType = h.Get("X-RateLimit-Type")
	e.RateLimitCategory = h.Get("X-RateLimit-Category")
	if t, ok := ParseRetryAfter(h.Get("Retry-After"), received); ok {
		e.RetryAfter = t
	}
}

// Kind is the action-oriented class of an error; see Classify.
type Kind int

const (
	// KindNone means no error.
	KindNone Kind = iota
	// KindNotFound: the user does not exist (404, or 400 code 1120).
	KindNotFound
	// KindAlreadyExists: 409, or code 1005 (email already used).
	KindAlreadyExists
	// KindRateLimitedQPS: a per-second 429; resume after about a second.
	KindRateLimitedQPS
	// KindRateLimitedDaily: a daily 429; resume at the reset (00:00 UTC).
	KindRateLimitedDaily
	// KindUnauthorized: the API refused the token (401/403 after the one
	// retry) or the token endpoint refused the credentials (4xx).
	KindUnauthorized
	// KindRetryable: 5xx, network errors, timeouts, malformed 2xx bodies,
	// token endpoint 5xx or unreachable, and any error that did not come
	// from a Zoom response.
	KindRetryable
	// KindTerminal: any other 4xx; retrying the same request cannot help.
	// IsDisassociationRefused, IsTransferRequired and IsLicenseExhausted
	// tell some of them apart.
	KindTerminal
	// KindMissingScope: the app's token lacks a scope the call needs (code
	// 4711, or 4700 as Zoom's error page has it). The message names the
	// scopes (see MissingScopes); the call works once an admin adds one to
	// the app, with no change on this side.
	KindMissingScope
)

var kindNames = [...]string{
	KindNone:             "None",
	KindNotFound:         "NotFound",
	KindAlreadyExists:    "AlreadyExists",
	KindRateLimitedQPS:   "RateLimitedQPS",
	KindRateLimitedDaily: "RateLimitedDaily",
	KindUnauthorized:     "Unauthorized",
	KindRetryable:        "Retryable",
	KindTerminal:         "Terminal",
	KindMissingScope:     "MissingScope",
}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Classify is the one place that maps an error to a Kind. It looks through
// wrapped errors.
func Classify(err error) Kind {
	if err == nil {
		return KindNone
	}
	if errors.Is(err, ErrEmptyID) || errors.Is(err, ErrEmptyGroupID) || errors.Is(err, ErrTooManyMembers) {
		return KindTerminal
	}
	var e *APIError
	if !errors.As(err, &e) {
		// Network errors, timeouts, cancellation and malformed bodies.
		return KindRetryable
	}
	return classifyAPIError(e)
}

func classifyAPIError(e *APIError) Kind {
	status := e.StatusCode
	switch {
	case status == http.StatusTooManyRequests:
		if isDaily(e) {
			return KindRateLimitedDaily
		}
		return KindRateLimitedQPS
	case e.Token && status >= 500:
		return KindRetryable
	case e.Token:
		// The token endpoint answers bad credentials with 400 or 401, and
		// some servers report errors with a 2xx; none of it heals by retrying.
		return KindUnauthorized
	case e.Code == codeMissingScope || e.Code == codeScopesLegacy:
		// Zoom answers it with 400 as often as with 401 or 403.
		return KindMissingScope
	case status == http.StatusNotFound,
		status == http.StatusBadRequest && e.Code == codeInvitationAbsent:
		// Every 404 means the addressed user, group or member is gone.
		// 1120 is how Zoom reports a withdrawn invitation.
		return KindNotFound
	case status == http.StatusConflict || e.Code == codeUserExists:
		return KindAlreadyExists
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return KindUnauthorized
	case status >= 400 && status < 500:
		return KindTerminal
	default:
		return KindRetryable
	}
}

// isDaily trusts X-RateLimit-Type when present and otherwise falls back to
// the message, since Zoom does not always send the rate limit headers.
func isDaily(e *APIError) bool {
	if e.RateLimitType != "" {
		return strings.EqualFold(e.RateLimitType, "Daily-limit")
	}
	return strings.Contains(strings.ToLower(e.Message), "daily")
}

// qpsMaxWait bounds a QPS Retry-After: a per-second limit that asks for a
// longer pause is more likely a bad header than a real instruction.
const qpsMaxWait = 60 * time.Second

// dailyResetMargin is how far past the next 00:00 UTC a daily Retry-After
// may point and still be believed.
const dailyResetMargin = time.Hour

// ResumeAt returns when a rate-limited call may be tried again, or the zero
// time when err is not rate limited. QPS: RetryAfter if it lies within the
// next 60s, else now+1s. Daily: RetryAfter if it lies in the future and no
// later than an hour past the next 00:00 UTC, else that 00:00 UTC. Callers
// add their own jitter.
func ResumeAt(err error, now time.Time) time.Time {
	var e *APIError
	switch Classify(err) {
	case KindRateLimitedQPS:
		errors.As(err, &e)
		if e.RetryAfter.After(now) && !e.RetryAfter.After(now.Add(qpsMaxWait)) {
			return e.RetryAfter
		}
		return now.Add(time.Second)
	case KindRateLimitedDaily:
		errors.As(err, &e)
		// A daily limit resets at 00:00 UTC: a Retry-After further off
		// than that (plus a margin) is a bad or hostile header, and must
		// not park an account for days.
		reset := nextMidnightUTC(now)
		if e.RetryAfter.After(now) && !e.RetryAfter.After(reset.Add(dailyResetMargin)) {
			return e.RetryAfter
		}
		return reset
	default:
		return time.Time{}
	}
}

func nextMidnightUTC(now time.Time) time.Time {
	u := now.UTC()
	return time.Date(u.Year(), u.Month(), u.Day()+1, 0, 0, 0, 0, time.UTC)
}

// retryAfterLayouts are the absolute forms of Retry-After. Zoom sends
// ISO-8601 (2026-11-29T00:00:00Z); fractional seconds are accepted by
// time.Parse without being in the layout. A missing zone means UTC.
var retryAfterLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
}

// ParseRetryAfter parses a Retry-After value: ISO-8601/RFC 3339 (with or
// without a zone, with or without fractional seconds), an HTTP-date, or a
// non-negative number of seconds relative to now.
func ParseRetryAfter(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 || secs > int64(math.MaxInt64/time.Second) {
			return time.Time{}, false
		}
		return now.Add(time.Duration(secs) * time.Second), true
	}
	for _, layout := range retryAfterLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// hasCode reports whether err is an *APIError with the given Zoom code.
func hasCode(err error, code int) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == code
}

// IsGroupNotFound reports whether Zoom said the group does not exist
// (404, code 4130).
func IsGroupNotFound(err error) bool { return hasCode(err, codeGroupNotFound) }

// IsGroupNameTaken reports whether Zoom refused a group name already in use
// (409, code 4132).
func IsGroupNameTaken(err error) bool { return hasCode(err, codeGroupNameTaken) }

// IsRoleNotFound reports whether Zoom said the role does not exist
// (400, code 1034).
func IsRoleNotFound(err error) bool { return hasCode(err, codeRoleNotFound) }
