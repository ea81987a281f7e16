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
	"crypto/rand"
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

type tokenError struct {
	Error  string `json:"error"`
	Reason string `json:"reason"`
}

// serveToken implements Server-to-Server OAuth: Basic client credentials plus
// grant_type and account_id, taken from the form body or the query string
// because clients send them either way.
func (s *Server) serveToken(w http.ResponseWriter, c *call) {
	params := tokenParams(c)
	s.mu.Lock()
	defer s.mu.Unlock()

	id, secret, ok := c.r.BasicAuth()
	switch {
	case !ok || id != s.opts.ClientID || secret != s.opts.ClientSecret:
		writeJSON(w, http.StatusUnauthorized, tokenError{"invalid_client", "Invalid client_id or client_secret"})
	case params.Get("grant_type") != "account_credentials":
		writeJSON(w, http.StatusBadRequest, tokenError{"invalid_request", "Unsupported grant type"})
	case params.Get("account_id") != s.opts.AccountID:
		writeJSON(w, http.StatusBadRequest, tokenError{"invalid_request", "Invalid account_id"})
	default:
		token := randomString(32)
		s.tokens[token] = s.now().Add(s.opts.TokenLifetime)
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, tokenResponse{
			AccessToken: token,
			TokenType:   "bearer",
			ExpiresIn:   int(s.opts.TokenLifetime / time.Second),
			Scope:       strings.Join(s.grantedScopes(), " "),
		})
	}
}

// tokenParams merges the query string and a form-encoded body; the body wins.
func tokenParams(c *call) url.Values {
	params := c.r.URL.Query()
	mediaType, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if mediaType != "" && mediaType != "application/x-www-form-urlencoded" {
		return params
	}
	form, err := url.ParseQuery(string(c.body))
	if err != nil {
		return params
	}
	for k, v := range form {
		params[k] = v
	}
	return params
}

// authorize checks the Bearer token. A token in the access_token query
// parameter does not count: Zoom rejects it as invalid.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	token, ok := bearerToken(r.Header.Get("Authorization"))
	s.mu.Lock()
	expiry, known := s.tokens[token]
	now := s.now()
	s.mu.Unlock()
	switch {
	case !ok || !known:
		writeError(w, http.StatusUnauthorized, codeInvalidToken, msgInvalidToken)
		return false
	case !now.Before(expiry):
		writeError(w, http.StatusUnauthorized, codeInvalidToken, msgExpiredToken)
		return false
	}
	return true
}

func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// ExpireTokens makes every token issued so far expired; tokens issued later
// are unaffected.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for token := range s.tokens {
		s.tokens[token] = time.Time{}
	}
}

// SetCredentials rotates the client credentials. Tokens already issued stay
// valid until they expire, as with Zoom.
func (s *Server) SetCredentials(clientID, clientSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.ClientID = clientID
	s.opts.ClientSecret = clientSecret
}

// randomString returns n random bytes as unpadded URL-safe base64.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// IssuedTokens returns every access token issued so far, so that tests can
// search logs, events and status for them.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.tokens))
	for token := range s.tokens {
		out = append(out, token)
	}
	return out
}
