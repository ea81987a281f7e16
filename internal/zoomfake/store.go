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
	"slices"
	"strings"
)

const (
	statusActive   = "active"
	statusInactive = "inactive"
	statusPending  = "pending"

	typeBasic    = 1
	typeLicensed = 2
)

// record is a stored user plus what Zoom keeps about it beyond User.
type record struct {
	User
	seq int
}

// findUser resolves a userId path parameter: an ID, or an email address
// compared case-insensitively.
func (s *Server) findUser(userID string) *record {
	for _, u := range s.users {
		if u.ID == userID || strings.EqualFold(u.Email, userID) {
			return u
		}
	}
	return nil
}

func (s *Server) findByEmail(email string) *record {
	for _, u := range s.users {
		if strings.EqualFold(u.Email, email) {
			return u
		}
	}
	return nil
}

func (s *Server) findByID(id string) *record {
	for _, u := range s.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// insert stores u, filling in an ID and a status when missing.
func (s *Server) insert(u User) *record {
	if u.ID == "" {
		u.ID = newUserID()
	}
	if u.Status == "" {
		u.Status = statusActive
	}
	if u.RoleID == "" {
		u.RoleID = RoleMember
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.now()
	}
	u.CreatedAt = u.CreatedAt.UTC()
	s.nextSeq++
	rec := &record{User: u, seq: s.nextSeq}
	s.users = append(s.users, rec)
	return rec
}

func (s *Server) remove(rec *record) {
	s.users = slices.DeleteFunc(s.users, func(u *record) bool { return u == rec })
}

// licensedCount counts type-2 users other than except.
func (s *Server) licensedCount(except *record) int {
	n := 0
	for _, u := range s.users {
		if u != except && u.Type == typeLicensed {
			n++
		}
	}
	return n
}

// newUserID returns a 22-character URL-safe ID shaped like Zoom's.
func newUserID() string {
	return randomString(16)
}

// AddUser seeds a user as if it already existed in the account. It assigns
// an ID when empty and defaults Status to "active".
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.insert(u).User
}

// User looks a user up by email, case-insensitively.
func (s *Server) User(email string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.findByEmail(email); u != nil {
		return u.User, true
	}
	return User{}, false
}

// Users returns every user in creation order.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, len(s.users))
	for i, u := range s.users {
		out[i] = u.User
	}
	return out
}

// SetUser overwrites the user with u.ID, standing in for a change made
// directly in Zoom. An unknown ID adds the user.
func (s *Server) SetUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := s.findByID(u.ID); rec != nil && u.ID != "" {
		rec.User = u
		return
	}
	s.insert(u)
}

// AcceptInvite turns a pending user active, as when the invitee accepts.
// It reports whether a pending user was found.
func (s *Server) AcceptInvite(email string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findByEmail(email)
	if u == nil || u.Status != statusPending {
		return false
	}
	u.Status = statusActive
	return true
}

// RemoveUser deletes a user directly, as if an admin removed it in Zoom.
// It reports whether the user existed.
func (s *Server) RemoveUser(email string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findByEmail(email)
	if u == nil {
		return false
	}
	s.remove(u)
	return true
}
