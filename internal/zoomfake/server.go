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

// Package zoomfake is an in-memory Zoom server that follows the contract in
// the project's Zoom API notes: Server-to-Server OAuth tokens, the users,
// groups, group members and roles endpoints, Zoom's error codes and its rate
// limits. Tests reach it through
// httptest.NewServer and steer it with seeded users, a fake clock and
// injected faults; cmd/zoomfake runs it as a standalone process.
//
// The API is served under /v2 and the token endpoint at /oauth/token, so a
// client configured with apiURL "<base>/v2" and tokenURL "<base>/oauth/token"
// talks to it like to Zoom.
package zoomfake

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// Options configures a Server. The zero value gives an unlimited server that
// accepts empty credentials.
type Options struct {
	// AccountID, ClientID and ClientSecret are the credentials the token
	// endpoint accepts.
	AccountID, ClientID, ClientSecret string
	// TokenLifetime is how long an issued token stays valid; default 1h.
	TokenLifetime time.Duration
	// Now is the clock used for token expiry, rate-limit windows and the
	// daily reset at 00:00 UTC; default time.Now.
	Now func() time.Time
	// LightPerSecond and MediumPerSecond are the per-second request limits
	// of Zoom's Light and Medium categories; 0 means unlimited.
	LightPerSecond  int
	MediumPerSecond int
	// CreateDailyLimit caps POST /users with action=create per UTC day;
	// 0 means unlimited.
	CreateDailyLimit int
	// MaxLicensed caps how many users may hold type 2; 0 means unlimited.
	MaxLicensed int
	// RetryAfterSeconds makes QPS 429s carry Retry-After as integer seconds
	// instead of the ISO-8601 time Zoom itself sends.
	RetryAfterSeconds bool
	// Window is how the per-second limits are counted: WindowClock (the
	// default) restarts the count at every whole clock second; WindowSliding
	// counts the calls of the last second, whenever it starts, which is the
	// stricter reading of a per-second limit.
	Window Window
	// Scopes are the scopes of the app's tokens; nil means the classic pair
	// user:read:admin and user:write:admin, which grant every endpoint. A
	// call none of whose scopes is granted gets Zoom's 400 code 4711.
	// SetScopes changes them later.
	Scopes []string
	// ManagedDomains are email domains the account has associated (managed
	// domains): Zoom refuses to disassociate their users (code 1107).
	// Users made with autoCreate count as managed whatever their domain.
	ManagedDomains []string
	// PageSizeCap, when > 0, serves list pages of at most that many users
	// whatever page_size asks for, as Zoom's pagination guide says some
	// listings do (up to 300). 0 honours page_size up to Zoom's maximum, 2000.
	PageSizeCap int
	// AfterCreate, when set, runs after a user is stored and before its 201
	// is written: crash tests kill the caller there, between Zoom's create
	// and the caller learning of it.
	AfterCreate func(email string)
}

// User is a Zoom user as the fake stores it.
type User struct {
	ID, Email, FirstName, LastName, DisplayName string
	// Type is 1 Basic, 2 Licensed, 4 Unassigned without Meetings Basic or
	// 99 None.
	Type int
	// Status is "active", "inactive" or "pending".
	Status string
	// Action is the create action the user was created with.
	Action string
	// CreatedAt is when the user was created, served as user_created_at;
	// AddUser takes it as given (seed an old user to stand for one made
	// before the operator came), else the clock's now.
	CreatedAt time.Time
	// LoginTypeCreatedAt is when the user's latest login type was created,
	// served as the deprecated created_at; zero means CreatedAt. A pending
	// user's created_at is the time of the call whatever this says.
	LoginTypeCreatedAt time.Time
	// RoleID is the user's role: RoleOwner, RoleAdmin or RoleMember (the
	// default). Zoom refuses to disassociate owners and admins (code 1117).
	RoleID string
	// ZoomEvents marks a user with the Zoom Events/Sessions feature (a hub
	// with assets). Zoom removes such a user only with a transfer_email
	// naming another user who has it too.
	ZoomEvents bool
}

// Zoom's built-in roles, as role_id values.
const (
	RoleOwner  = "0"
	RoleAdmin  = "1"
	RoleMember = "2"
)

// Request is one logged request.
type Request struct {
	Time     time.Time
	Endpoint string
	// Email is the lower-cased address the request was about, if any.
	Email string
	// Status is the HTTP status answered; 0 when no response was sent
	// (dropped connection or a client that gave up).
	Status int
	// Path is the request's path, e.g. "/v2/users/a@example.com".
	Path string
	// Query is the raw query string, e.g. "action=delete".
	Query string
	// Body is the request body as sent (tests use it to check that a
	// password reached Zoom and only Zoom).
	Body []byte
}

const defaultTokenLifetime = time.Hour

// maxBodyBytes bounds request bodies; real payloads are a few hundred bytes.
const maxBodyBytes = 1 << 20

// Server is the fake Zoom. It implements http.Handler and is safe for
// concurrent use.
type Server struct {
	mu   sync.Mutex
	now  func() time.Time
	opts Options

	users   []*record // creation order, which is also the listing order
	nextSeq int

	groups []*groupRecord // creation order
	roles  []Role

	tokens     map[string]time.Time // access token -> expiry
	pageTokens map[string]pageCursor

	faults []*activeFault
	log    []*Request

	qps   map[string]*secondWindow // rate-limit category -> current second
	daily dayWindow
}

// New returns a Server configured by opts.
func New(opts Options) *Server {
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = defaultTokenLifetime
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Server{
		now:        now,
		opts:       opts,
		tokens:     map[string]time.Time{},
		pageTokens: map[string]pageCursor{},
		qps:        map[string]*secondWindow{},
		roles:      builtInRoles(),
	}
}

// call carries what the handlers need to know about one request.
type call struct {
	r        *http.Request
	endpoint string
	userID   string
	parentID string // {groupId} or {roleId}
	body     []byte
	create   createRequest // POST /users body, best effort
}

// ServeHTTP logs the request, then runs authentication, faults, rate limits
// and the endpoint handler in that order. The token endpoint has no rate
// limit, and its faults come before the credential check because an outage
// does not depend on credentials.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	rt := matchRoute(r.Method, r.URL.Path)
	c := &call{r: r, endpoint: rt.endpoint, userID: rt.userID, parentID: rt.parentID, body: body}
	if rt.endpoint == EndpointCreateUser {
		c.create = decodeCreate(body)
	}

	rec := &statusRecorder{ResponseWriter: w}
	entry := s.logRequest(c)
	defer s.finishRequest(entry, rec)

	// Each step answers the request itself when it stops it.
	switch {
	case rt.endpoint == EndpointToken:
		if s.applyFault(rec, c) {
			s.serveToken(rec, c)
		}
	case rt.handle == nil:
		writeError(rec, http.StatusNotFound, http.StatusNotFound, "Not found.")
	case !s.authorize(rec, r):
	case !s.checkScope(rec, c):
	case !s.applyFault(rec, c):
	case !s.admit(rec, c):
	default:
		rt.handle(s, rec, c)
	}
}

// statusRecorder remembers the status written so the log can count it.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection for Drop faults.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
