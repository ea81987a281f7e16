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
	"strconv"
	"strings"
	"time"
)

// Role is a role of the fake account.
type Role struct {
	ID, Name string
}

// Ids of the built-in roles, as Zoom numbers them.
const (
	roleOwner  = "0"
	roleAdmin  = "1"
	roleMember = "2"
)

// codeRoleNotFound is Zoom's answer to an unknown role id.
const codeRoleNotFound = 1034

func builtInRoles() []Role {
	return []Role{{ID: roleOwner, Name: "Owner"}, {ID: roleAdmin, Name: "Admin"}, {ID: roleMember, Name: "Member"}}
}

func roleNotFound() response {
	return errorResponse(http.StatusBadRequest, codeRoleNotFound, "Provided role_id does not exist.")
}

func (s *Server) findRole(id string) (Role, bool) {
	for _, r := range s.roles {
		if r.ID == id {
			return r, true
		}
	}
	return Role{}, false
}

// roleOf returns the user's role; a user without one is a Member.
func (s *Server) roleOf(u *record) Role {
	if r, ok := s.findRole(u.RoleID); ok {
		return r
	}
	r, _ := s.findRole(roleMember)
	return r
}

type roleJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	TotalMembers int    `json:"total_members"`
}

func (s *Server) listRoles(w http.ResponseWriter, _ *call) {
	s.mu.Lock()
	out := struct {
		Roles        []roleJSON `json:"roles"`
		TotalRecords int        `json:"total_records"`
	}{Roles: make([]roleJSON, 0, len(s.roles)), TotalRecords: len(s.roles)}
	for _, r := range s.roles {
		n := 0
		for _, u := range s.users {
			if s.roleOf(u).ID == r.ID {
				n++
			}
		}
		out.Roles = append(out.Roles, roleJSON{ID: r.ID, Name: r.Name, TotalMembers: n})
	}
	s.mu.Unlock()
	response{status: http.StatusOK, body: out}.write(w)
}

// assignRole gives the role to every listed user. Zoom manages Owner and
// Member by other means and refuses them here.
func (s *Server) assignRole(w http.ResponseWriter, c *call) {
	refs, resp, ok := decodeMembers(c.body)
	if !ok {
		resp.write(w)
		return
	}
	s.mu.Lock()
	resp = s.setRole(c.parentID, refs)
	s.mu.Unlock()
	resp.write(w)
}

func (s *Server) setRole(roleID string, refs []memberRef) response {
	if _, ok := s.findRole(roleID); !ok {
		return roleNotFound()
	}
	if roleID == roleOwner || roleID == roleMember {
		return errorResponse(http.StatusBadRequest, codeInvalidParameter, "Can't delete or add members for Normal/Owner roles.")
	}
	users, resp, ok := s.resolveMembers(refs)
	if !ok {
		return resp
	}
	ids := make([]string, 0, len(users))
	for _, u := range users {
		if u.RoleID == roleOwner {
			return errorResponse(http.StatusBadRequest, codeNoPrivilege, "The account owner's role cannot be changed.")
		}
	}
	for _, u := range users {
		u.RoleID = roleID
		ids = append(ids, u.ID)
	}
	return response{status: http.StatusCreated, body: struct {
		IDs   string `json:"ids"`
		AddAt string `json:"add_at"`
	}{IDs: strings.Join(ids, ","), AddAt: s.now().UTC().Format(time.RFC3339)}}
}

// unassignRole takes the role away; the user becomes a Member.
func (s *Server) unassignRole(w http.ResponseWriter, c *call) {
	s.mu.Lock()
	resp := s.clearRole(c.parentID, c.userID)
	s.mu.Unlock()
	resp.write(w)
}

func (s *Server) clearRole(roleID, memberID string) response {
	if _, ok := s.findRole(roleID); !ok {
		return roleNotFound()
	}
	if roleID == roleOwner || roleID == roleMember {
		return errorResponse(http.StatusBadRequest, codeInvalidParameter, "Can't delete or add members for Normal/Owner roles.")
	}
	u := s.findUser(memberID)
	if u == nil || s.roleOf(u).ID != roleID {
		return errorResponse(http.StatusNotFound, codeUserNotFound, "Role or Member not found")
	}
	u.RoleID = roleMember
	return noContent()
}

// AddRole adds a custom role and returns it with its new id.
func (s *Server) AddRole(name string) Role {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := Role{ID: "custom" + strconv.Itoa(len(s.roles)), Name: name}
	s.roles = append(s.roles, r)
	return r
}

// Roles returns every role, the built-in ones first.
func (s *Server) Roles() []Role {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Role(nil), s.roles...)
}

// UserRole returns the name of the role of the user with the email.
func (s *Server) UserRole(email string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findByEmail(email)
	if u == nil {
		return "", false
	}
	return s.roleOf(u).Name, true
}
