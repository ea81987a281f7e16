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

package zoomfake

import (
	"net/http"
	"slices"
	"strings"
)

// Classic scopes: the pair an app created before granular scopes holds,
// each of which covers every user endpoint below (read: the reads only).
const (
	scopeClassicRead  = "user:read:admin"
	scopeClassicWrite = "user:write:admin"
)

// endpointScope is what Zoom's Users API definition lists for an endpoint:
// its granular scopes (x-granular-scopes; an account-level app holds the
// ":admin" ones) and the classic scopes that also grant it
// (x-macro-scopes, account-level ones only).
type endpointScope struct {
	granular []string
	classic  []string
}

var endpointScopes = map[string]endpointScope{
	EndpointListUsers:    {[]string{"user:read:list_users:admin"}, []string{scopeClassicRead, scopeClassicWrite}},
	EndpointGetUser:      {[]string{"user:read:user:admin", "user:read:user"}, []string{scopeClassicRead, scopeClassicWrite}},
	EndpointCheckEmail:   {[]string{"user:read:email:admin", "user:read:email"}, []string{scopeClassicRead, scopeClassicWrite}},
	EndpointCreateUser:   {[]string{"user:write:user:admin"}, []string{scopeClassicWrite}},
	EndpointUpdateUser:   {[]string{"user:update:user:admin", "user:update:user"}, []string{scopeClassicWrite}},
	EndpointUpdateStatus: {[]string{"user:update:status:admin", "user:update:status"}, []string{scopeClassicWrite}},
	EndpointDeleteUser:   {[]string{"user:delete:user:admin", "user:delete:user"}, []string{scopeClassicWrite}},
}

// GranularScopes returns the granular scope an account-level app needs for
// each user endpoint the fake serves, sorted: a test takes one out to see
// an operator meet Zoom's 4711.
func GranularScopes() []string {
	var out []string
	for _, need := range endpointScopes {
		out = append(out, need.granular[0])
	}
	slices.Sort(out)
	return out
}

// defaultScopes is the classic pair, which grants every endpoint.
var defaultScopes = []string{scopeClassicRead, scopeClassicWrite}

// grantedScopes is Options.Scopes, or the classic pair when unset.
func (s *Server) grantedScopes() []string {
	if s.opts.Scopes == nil {
		return defaultScopes
	}
	return s.opts.Scopes
}

// SetScopes replaces the app's scopes. It applies to every token at once,
// as if the operator had fetched a new token after an admin changed the
// app; nil restores the classic pair.
func (s *Server) SetScopes(scopes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.Scopes = slices.Clone(scopes)
}

// checkScope answers 400 code 4711, as Zoom does, when none of the scopes
// that grant the endpoint was given to the app. The message names the
// endpoint's granular scopes the way Zoom's does.
func (s *Server) checkScope(w http.ResponseWriter, c *call) bool {
	need, known := endpointScopes[c.endpoint]
	if !known {
		return true
	}
	s.mu.Lock()
	granted := s.grantedScopes()
	s.mu.Unlock()
	for _, scope := range granted {
		if slices.Contains(need.granular, scope) || slices.Contains(need.classic, scope) {
			return true
		}
	}
	writeError(w, http.StatusBadRequest, codeMissingScope,
		"Invalid access token, does not contain scopes:["+strings.Join(need.granular, ", ")+"].")
	return false
}
