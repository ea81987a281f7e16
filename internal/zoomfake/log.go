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

import "strings"

// logRequest records the request on arrival, so counts include requests
// still in flight (for example, sleeping in a Latency fault).
func (s *Server) logRequest(c *call) *Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	entry := &Request{Time: s.now(), Endpoint: c.endpoint, Email: s.emailFor(c), Path: c.r.URL.Path, Query: c.r.URL.RawQuery, Body: c.body}
	s.log = append(s.log, entry)
	return entry
}

// finishRequest stores the answered status. Entries dropped by ResetCounters
// meanwhile are simply no longer in the log.
func (s *Server) finishRequest(entry *Request, rec *statusRecorder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	entry.Status = rec.status
}

// emailFor names the address a request is about: the invited address for
// POST /users, the queried one for GET /users/email, and for {userId} routes
// the stored user's address, or the userId itself when it looks like one.
func (s *Server) emailFor(c *call) string {
	switch c.endpoint {
	case EndpointCreateUser:
		return strings.ToLower(c.create.UserInfo.Email)
	case EndpointCheckEmail:
		return strings.ToLower(c.r.URL.Query().Get("email"))
	}
	if c.userID == "" {
		return ""
	}
	if u := s.findUser(c.userID); u != nil {
		return strings.ToLower(u.Email)
	}
	if strings.Contains(c.userID, "@") {
		return strings.ToLower(c.userID)
	}
	return ""
}

// Count returns how many requests reached the endpoint, whatever their
// outcome; "" counts every request.
func (s *Server) Count(endpoint string) int {
	return s.countWhere(func(r *Request) bool {
		return endpoint == "" || r.Endpoint == endpoint
	})
}

// CountForEmail returns how many requests to the endpoint were about the
// address (case-insensitive); endpoint "" counts every endpoint.
func (s *Server) CountForEmail(endpoint, email string) int {
	return s.countWhere(func(r *Request) bool {
		return (endpoint == "" || r.Endpoint == endpoint) && strings.EqualFold(r.Email, email)
	})
}

// Writes returns how many requests asked Zoom to change something (every
// POST, PATCH, PUT and DELETE but the token endpoint's), whatever their
// outcome: the count an observe-only promise is tested against.
func (s *Server) Writes() int {
	return s.countWhere(func(r *Request) bool { return IsWrite(r.Endpoint) })
}

// WritesByEndpoint counts the requests that asked Zoom to change something,
// by endpoint; empty when there were none.
func (s *Server) WritesByEndpoint() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, r := range s.log {
		if IsWrite(r.Endpoint) {
			out[r.Endpoint]++
		}
	}
	return out
}

// IsWrite reports whether a request to the endpoint asks Zoom to change
// something: every POST, PATCH, PUT and DELETE but the token endpoint's.
func IsWrite(endpoint string) bool {
	method, _, _ := strings.Cut(endpoint, " ")
	return method != "GET" && endpoint != EndpointToken
}

// CountStatus returns how many responses were sent with the HTTP status,
// API and token endpoint alike.
func (s *Server) CountStatus(status int) int {
	return s.countWhere(func(r *Request) bool { return r.Status == status })
}

func (s *Server) countWhere(match func(*Request) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.log {
		if match(r) {
			n++
		}
	}
	return n
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.log))
	for i, r := range s.log {
		out[i] = *r
	}
	return out
}

// ResetCounters empties the request log. Rate-limit windows are left alone:
// they follow the clock.
func (s *Server) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}
