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
	"testing"
)

func TestCounters(t *testing.T) {
	h := newHarness(t, Options{})
	u := h.fake.AddUser(User{Email: "Known@Example.com", Type: 1})

	h.create("create", "New@Example.com", 1)
	h.create("create", "new@example.com", 1) // 409, still counted
	h.call(http.MethodGet, "/users/"+u.ID, nil)
	h.call(http.MethodGet, "/users/known@example.com", nil)
	h.call(http.MethodPatch, "/users/Ghost@Example.com", map[string]string{"first_name": "x"})
	h.call(http.MethodPut, "/users/"+u.ID+"/status", map[string]string{"action": "deactivate"})
	h.call(http.MethodGet, "/users/email?email=KNOWN@example.com", nil)
	h.call(http.MethodGet, "/users", nil)
	h.call(http.MethodDelete, "/users/"+u.ID, nil)
	h.call(http.MethodDelete, "/users/"+u.ID, nil) // 404: the ID no longer names anyone

	counts := map[string]struct {
		endpoint, email string
		want            int
	}{
		"token requests":              {endpoint: EndpointToken, want: 1},
		"creates":                     {endpoint: EndpointCreateUser, want: 2},
		"creates for the new address": {endpoint: EndpointCreateUser, email: "NEW@example.com", want: 2},
		"gets by id and by email":     {endpoint: EndpointGetUser, email: "known@example.com", want: 2},
		"patch of an unknown address": {endpoint: EndpointUpdateUser, email: "ghost@example.com", want: 1},
		"status by id":                {endpoint: EndpointUpdateStatus, email: "known@example.com", want: 1},
		"email check":                 {endpoint: EndpointCheckEmail, email: "known@example.com", want: 1},
		"list":                        {endpoint: EndpointListUsers, want: 1},
		"delete of the stored user":   {endpoint: EndpointDeleteUser, email: "known@example.com", want: 1},
		"deletes":                     {endpoint: EndpointDeleteUser, want: 2},
		"any endpoint for one email":  {email: "known@example.com", want: 5},
		"every request":               {want: 11},
	}
	for name, tc := range counts {
		t.Run(name, func(t *testing.T) {
			got := h.fake.Count(tc.endpoint)
			if tc.email != "" {
				got = h.fake.CountForEmail(tc.endpoint, tc.email)
			}
			if got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}

	statuses := map[int]int{
		http.StatusOK: 5, http.StatusCreated: 1, http.StatusConflict: 1, http.StatusNoContent: 2, http.StatusNotFound: 2,
	}
	for status, want := range statuses {
		if got := h.fake.CountStatus(status); got != want {
			t.Errorf("CountStatus(%d) = %d, want %d", status, got, want)
		}
	}

	log := h.fake.Requests()
	if len(log) != 11 || log[1].Endpoint != EndpointCreateUser || log[1].Email != "new@example.com" ||
		log[1].Status != http.StatusCreated || !log[1].Time.Equal(testStart) {
		t.Errorf("request log starts %+v", log[:min(len(log), 3)])
	}

	h.fake.ResetCounters()
	if got := h.fake.Count(""); got != 0 {
		t.Errorf("Count after ResetCounters = %d", got)
	}
	h.call(http.MethodGet, "/users", nil)
	if got := h.fake.Count(EndpointListUsers); got != 1 {
		t.Errorf("Count after one more request = %d, want 1", got)
	}
}

func TestUnknownRoute(t *testing.T) {
	h := newHarness(t, Options{})
	for _, path := range []string{"/meetings", "/users/x/settings", "/users//status"} {
		if res := h.call(http.MethodGet, path, nil); res.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.status)
		}
	}
	if got := h.fake.Count("GET /v2/meetings"); got != 1 {
		t.Errorf("unknown route counted %d times under its own name, want 1", got)
	}
}
