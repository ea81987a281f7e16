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
	"time"
)

// Fault makes the fake misbehave for matching requests. It is checked after
// authentication and before rate limits and normal handling; a faulted
// request is still logged and counted.
type Fault struct {
	// Endpoint is an endpoint name such as "POST /users"; "" matches every
	// API endpoint but not the token endpoint, which must be named.
	Endpoint string
	// Times is how many matching requests the fault applies to; 0 means
	// until ClearFaults.
	Times int
	// Status, when > 0, is the HTTP status answered, with the Zoom error
	// body {"code":Code,"message":Message}.
	Status  int
	Code    int
	Message string
	// Headers are extra response headers, e.g. X-RateLimit-Type.
	Headers map[string]string
	// Latency is slept before handling; a request whose context ends first
	// gets no response.
	Latency time.Duration
	// Drop closes the connection without a response.
	Drop bool
	// MalformedJSON answers 200 with a truncated JSON body.
	MalformedJSON bool
}

type activeFault struct {
	Fault
	remaining int // only meaningful when Times > 0
}

// malformedBody looks like the start of a user object cut off mid-stream.
const malformedBody = `{"id":"KDcuGIm1QgePTO8WbOqwIQ","email":"trunc`

// InjectFault adds a fault. When several match a request the earliest
// injected one applies.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &activeFault{Fault: f, remaining: f.Times})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the fault for the endpoint, using up one of its Times.
func (s *Server) takeFault(endpoint string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if !faultMatches(f.Endpoint, endpoint) {
			continue
		}
		if f.Times > 0 {
			f.remaining--
			if f.remaining <= 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return f.Fault, true
	}
	return Fault{}, false
}

func faultMatches(want, endpoint string) bool {
	if want == "" {
		return endpoint != EndpointToken
	}
	return want == endpoint
}

// applyFault plays the matching fault, if any, and reports whether normal
// handling should continue.
func (s *Server) applyFault(w http.ResponseWriter, c *call) bool {
	f, ok := s.takeFault(c.endpoint)
	if !ok {
		return true
	}
	if f.Latency > 0 && !sleepContext(c.r, f.Latency) {
		return false
	}
	switch {
	case f.Drop:
		dropConnection(w)
	case f.MalformedJSON:
		setHeaders(w, f.Headers)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(malformedBody))
	case f.Status > 0:
		setHeaders(w, f.Headers)
		writeError(w, f.Status, f.Code, f.Message)
	default:
		setHeaders(w, f.Headers)
		return true
	}
	return false
}

func setHeaders(w http.ResponseWriter, headers map[string]string) {
	for k, v := range headers {
		w.Header().Set(k, v)
	}
}

// sleepContext waits for d and reports false if the client gave up first.
func sleepContext(r *http.Request, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// dropConnection closes the connection so the client sees a transport error
// rather than any HTTP response. Where hijacking is impossible (HTTP/2), the
// handler aborts, which resets the stream.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
