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
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// listAll pages through GET /users and returns every page.
func (h *harness) listAll(query url.Values) []listResponse {
	h.t.Helper()
	var pages []listResponse
	for {
		res := h.call(http.MethodGet, "/users?"+query.Encode(), nil)
		wantStatus(h.t, res, http.StatusOK)
		var page listResponse
		res.decode(h.t, &page)
		pages = append(pages, page)
		if page.NextPageToken == "" || len(pages) > 100 {
			return pages
		}
		query.Set("next_page_token", page.NextPageToken)
	}
}

func TestListUsersPagination(t *testing.T) {
	h := newHarness(t, Options{})
	var want []string
	for i := range 650 {
		u := h.fake.AddUser(User{Email: fmt.Sprintf("user%03d@example.com", i), Type: 1})
		want = append(want, u.ID)
	}
	h.fake.AddUser(User{Email: "off@example.com", Type: 1, Status: "inactive"})

	pages := h.listAll(url.Values{"page_size": {"300"}})
	if len(pages) != 3 {
		t.Fatalf("got %d pages, want 3", len(pages))
	}
	var got []string
	for i, p := range pages {
		wantLen := []int{300, 300, 50}[i]
		if len(p.Users) != wantLen || p.PageNumber != i+1 || p.PageSize != 300 || p.PageCount != 3 || p.TotalRecords != 650 {
			t.Errorf("page %d: %d users, page_number %d, page_size %d, page_count %d, total %d",
				i+1, len(p.Users), p.PageNumber, p.PageSize, p.PageCount, p.TotalRecords)
		}
		for _, u := range p.Users {
			got = append(got, u.ID)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Error("pages do not list every active user exactly once in creation order")
	}
}

func TestListUsersPageSize(t *testing.T) {
	tests := map[string]struct {
		pageSize string
		cap      int
		wantSize int
	}{
		"default":                     {pageSize: "", wantSize: 30},
		"explicit":                    {pageSize: "50", wantSize: 50},
		"above the old 300":           {pageSize: "1000", wantSize: 1000},
		"Zoom's maximum":              {pageSize: "2000", wantSize: 2000},
		"capped at 2000":              {pageSize: "5000", wantSize: 2000},
		"zero is default":             {pageSize: "0", wantSize: 30},
		"served smaller than asked":   {pageSize: "2000", cap: 300, wantSize: 300},
		"a cap above the ask is moot": {pageSize: "50", cap: 300, wantSize: 50},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Options{PageSizeCap: tc.cap})
			for i := range 2010 {
				h.fake.AddUser(User{Email: fmt.Sprintf("u%d@example.com", i), Type: 1})
			}
			q := url.Values{}
			if tc.pageSize != "" {
				q.Set("page_size", tc.pageSize)
			}
			res := h.call(http.MethodGet, "/users?"+q.Encode(), nil)
			var page listResponse
			res.decode(t, &page)
			if page.PageSize != tc.wantSize || len(page.Users) != tc.wantSize || page.NextPageToken == "" {
				t.Errorf("page_size %d with %d users, next token %q; want %d", page.PageSize, len(page.Users), page.NextPageToken, tc.wantSize)
			}
		})
	}
}

func TestListUsersByStatus(t *testing.T) {
	h := newHarness(t, Options{})
	h.fake.AddUser(User{Email: "a@example.com", Type: 1})
	h.fake.AddUser(User{Email: "i@example.com", Type: 1, Status: "inactive"})
	h.fake.AddUser(User{Email: "p1@example.com", Type: 1, Status: "pending"})
	h.fake.AddUser(User{Email: "p2@example.com", Type: 2, Status: "pending"})

	tests := map[string]struct {
		status     string
		wantEmails []string
	}{
		"default is active": {status: "", wantEmails: []string{"a@example.com"}},
		"inactive":          {status: "inactive", wantEmails: []string{"i@example.com"}},
		"pending":           {status: "pending", wantEmails: []string{"p1@example.com", "p2@example.com"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q := url.Values{}
			if tc.status != "" {
				q.Set("status", tc.status)
			}
			res := h.call(http.MethodGet, "/users?"+q.Encode(), nil)
			var raw struct {
				NextPageToken *string          `json:"next_page_token"`
				Users         []map[string]any `json:"users"`
			}
			res.decode(t, &raw)
			if raw.NextPageToken == nil || *raw.NextPageToken != "" {
				t.Errorf("next_page_token = %v, want present and empty", raw.NextPageToken)
			}
			var emails []string
			for _, u := range raw.Users {
				emails = append(emails, u["email"].(string))
				_, hasID := u["id"]
				if wantID := tc.status != "pending"; hasID != wantID {
					t.Errorf("%s: has id = %v, want %v", u["email"], hasID, wantID)
				}
			}
			if fmt.Sprint(emails) != fmt.Sprint(tc.wantEmails) {
				t.Errorf("emails = %v, want %v", emails, tc.wantEmails)
			}
		})
	}
}

func TestListUsersErrors(t *testing.T) {
	h := newHarness(t, Options{})
	for i := range 3 {
		h.fake.AddUser(User{Email: fmt.Sprintf("u%d@example.com", i), Type: 1})
	}
	first := h.call(http.MethodGet, "/users?page_size=1", nil)
	var page listResponse
	first.decode(t, &page)

	tests := map[string]struct {
		query string
	}{
		"unknown page token":         {query: "next_page_token=bogus"},
		"token from another listing": {query: "status=inactive&page_size=1&next_page_token=" + page.NextPageToken},
		"unknown status":             {query: "status=deleted"},
		"page size not a number":     {query: "page_size=many"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			wantError(t, h.call(http.MethodGet, "/users?"+tc.query, nil), http.StatusBadRequest, codeInvalidParameter, "")
		})
	}

	t.Run("token expires after 15 minutes", func(t *testing.T) {
		next := "/users?page_size=1&next_page_token=" + page.NextPageToken
		h.clock.Advance(15*time.Minute - time.Second)
		wantStatus(t, h.call(http.MethodGet, next, nil), http.StatusOK)
		h.clock.Advance(time.Second)
		wantError(t, h.call(http.MethodGet, next, nil), http.StatusBadRequest, codeInvalidParameter, "")
	})
}

func TestListUsersSurvivesRemovalBetweenPages(t *testing.T) {
	h := newHarness(t, Options{})
	var emails []string
	for i := range 4 {
		emails = append(emails, h.fake.AddUser(User{Email: fmt.Sprintf("u%d@example.com", i), Type: 1}).Email)
	}
	res := h.call(http.MethodGet, "/users?page_size=2", nil)
	var page listResponse
	res.decode(t, &page)
	h.fake.RemoveUser(emails[0])

	res = h.call(http.MethodGet, "/users?page_size=2&next_page_token="+page.NextPageToken, nil)
	res.decode(t, &page)
	if len(page.Users) != 2 || page.Users[0].Email != emails[2] || page.NextPageToken != "" {
		t.Errorf("second page = %+v, want users u2 and u3 and no further page", page)
	}
}
