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
	"net/url"
	"strconv"
	"time"
)

const (
	defaultPageSize = 30
	// maxPageSize is the maximum of List users' page_size in Zoom's Users
	// API definition.
	maxPageSize = 2000
	// Zoom's next_page_token expires after 15 minutes.
	pageTokenLifetime = 15 * time.Minute
)

// pageCursor is what an opaque next_page_token stands for. It remembers the
// last user served rather than an offset so that users added or removed
// between pages neither repeat nor get skipped.
type pageCursor struct {
	status     string
	afterSeq   int
	pageNumber int
	expires    time.Time
}

type listResponse struct {
	NextPageToken string     `json:"next_page_token"`
	PageCount     int        `json:"page_count"`
	PageNumber    int        `json:"page_number"`
	PageSize      int        `json:"page_size"`
	TotalRecords  int        `json:"total_records"`
	Users         []userJSON `json:"users"`
}

func (s *Server) listUsers(w http.ResponseWriter, c *call) {
	q := c.r.URL.Query()
	status := q.Get("status")
	if status == "" {
		status = statusActive
	}
	if status != statusActive && status != statusInactive && status != statusPending {
		fieldErrorResponse(msgInvalidField, "status").write(w)
		return
	}
	pageSize, ok := parsePageSize(q)
	if !ok {
		fieldErrorResponse(msgInvalidField, "page_size").write(w)
		return
	}
	if s.opts.PageSizeCap > 0 {
		pageSize = min(pageSize, s.opts.PageSizeCap)
	}
	s.mu.Lock()
	resp := s.listPage(status, pageSize, q.Get("next_page_token"))
	s.mu.Unlock()
	resp.write(w)
}

// parsePageSize applies Zoom's default of 30 and silently caps at the
// maximum, 2000 (Zoom documents no error for a larger value).
func parsePageSize(q url.Values) (int, bool) {
	raw := q.Get("page_size")
	if raw == "" {
		return defaultPageSize, true
	}
	n, err := strconv.Atoi(raw)
	switch {
	case err != nil || n < 0:
		return 0, false
	case n == 0:
		return defaultPageSize, true
	}
	return min(n, maxPageSize), true
}

func (s *Server) listPage(status string, pageSize int, token string) response {
	now := s.now()
	s.dropExpiredPageTokens(now)
	cursor := pageCursor{status: status, pageNumber: 1}
	if token != "" {
		var ok bool
		cursor, ok = s.pageTokens[token]
		if !ok || cursor.status != status {
			return errorResponse(http.StatusBadRequest, codeInvalidParameter, "The next page token is invalid or expired.")
		}
	}

	var matching []*record
	for _, u := range s.users {
		if u.Status == status {
			matching = append(matching, u)
		}
	}
	start := len(matching)
	for i, u := range matching {
		if u.seq > cursor.afterSeq {
			start = i
			break
		}
	}
	page := matching[start:min(start+pageSize, len(matching))]

	out := listResponse{
		PageCount:    (len(matching) + pageSize - 1) / pageSize,
		PageNumber:   cursor.pageNumber,
		PageSize:     pageSize,
		TotalRecords: len(matching),
		Users:        make([]userJSON, 0, len(page)),
	}
	for _, u := range page {
		out.Users = append(out.Users, s.listEntry(u))
	}
	if start+len(page) < len(matching) {
		out.NextPageToken = s.newPageToken(pageCursor{
			status:     status,
			afterSeq:   page[len(page)-1].seq,
			pageNumber: cursor.pageNumber + 1,
			expires:    now.Add(pageTokenLifetime),
		})
	}
	return response{status: http.StatusOK, body: out}
}

// listEntry omits the ID of pending users, as Zoom's listing may.
func (s *Server) listEntry(u *record) userJSON {
	obj := s.userObject(u)
	if u.Status == statusPending {
		obj.ID = ""
	}
	return obj
}

func (s *Server) newPageToken(c pageCursor) string {
	token := randomString(24)
	s.pageTokens[token] = c
	return token
}

func (s *Server) dropExpiredPageTokens(now time.Time) {
	for token, c := range s.pageTokens {
		if !now.Before(c.expires) {
			delete(s.pageTokens, token)
		}
	}
}
