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
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Zoom error codes of the groups API, from the error tables of Zoom's API
// reference for groups.
const (
	codeGroupNotFound  = 4130
	codeGroupNameTaken = 4132
)

// maxMembersPerCall is how many members Zoom takes in one call that adds
// group members or assigns a role.
const maxMembersPerCall = 30

// maxGroupNameLen is Zoom's limit: "less than 128 characters".
const maxGroupNameLen = 128

// Group is a Zoom group as the fake stores it.
type Group struct {
	ID, Name string
	// MemberIDs are the user ids of the members, in the order they joined.
	MemberIDs []string
}

type groupRecord struct {
	Group
}

type groupJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	TotalMembers int    `json:"total_members"`
}

type memberJSON struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Type      int    `json:"type"`
}

// memberRef is one entry of the members array of POST .../members: Zoom
// uses the id when given and the email otherwise.
type memberRef struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

func (m memberRef) key() string {
	if m.ID != "" {
		return m.ID
	}
	return m.Email
}

type membersBody struct {
	Members []memberRef `json:"members"`
}

func groupNotFound(id string) response {
	return errorResponse(http.StatusNotFound, codeGroupNotFound, "A group with this "+id+" does not exist.")
}

func (s *Server) findGroup(id string) *groupRecord {
	for _, g := range s.groups {
		if g.ID == id {
			return g
		}
	}
	return nil
}

func (s *Server) findGroupByName(name string) *groupRecord {
	for _, g := range s.groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

func (g *groupRecord) object() groupJSON {
	return groupJSON{ID: g.ID, Name: g.Name, TotalMembers: len(g.MemberIDs)}
}

func (s *Server) listGroups(w http.ResponseWriter, _ *call) {
	s.mu.Lock()
	out := struct {
		Groups        []groupJSON `json:"groups"`
		TotalRecords  int         `json:"total_records"`
		NextPageToken string      `json:"next_page_token"`
	}{Groups: make([]groupJSON, 0, len(s.groups)), TotalRecords: len(s.groups)}
	for _, g := range s.groups {
		out.Groups = append(out.Groups, g.object())
	}
	s.mu.Unlock()
	response{status: http.StatusOK, body: out}.write(w)
}

func (s *Server) createGroup(w http.ResponseWriter, c *call) {
	var req struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		errorResponse(http.StatusBadRequest, codeInvalidParameter, msgInvalidJSON).write(w)
		return
	}
	if req.Name == "" || len(req.Name) >= maxGroupNameLen {
		errorResponse(http.StatusBadRequest, codeInvalidParameter, "Missing field: name").write(w)
		return
	}
	s.mu.Lock()
	var resp response
	if s.findGroupByName(req.Name) != nil {
		resp = errorResponse(http.StatusConflict, codeGroupNameTaken, "Group name "+req.Name+" is already in use.")
	} else {
		g := &groupRecord{Group{ID: randomString(16), Name: req.Name}}
		s.groups = append(s.groups, g)
		resp = response{status: http.StatusCreated, body: g.object()}
	}
	s.mu.Unlock()
	resp.write(w)
}

func (s *Server) getGroup(w http.ResponseWriter, c *call) {
	s.mu.Lock()
	resp := groupNotFound(c.parentID)
	if g := s.findGroup(c.parentID); g != nil {
		resp = response{status: http.StatusOK, body: g.object()}
	}
	s.mu.Unlock()
	resp.write(w)
}

func (s *Server) deleteGroup(w http.ResponseWriter, c *call) {
	s.mu.Lock()
	resp := groupNotFound(c.parentID)
	if g := s.findGroup(c.parentID); g != nil {
		s.groups = slices.DeleteFunc(s.groups, func(x *groupRecord) bool { return x == g })
		resp = noContent()
	}
	s.mu.Unlock()
	resp.write(w)
}

func (s *Server) listGroupMembers(w http.ResponseWriter, c *call) {
	q := c.r.URL.Query()
	pageSize, ok := parsePageSize(q)
	if !ok {
		fieldErrorResponse(msgInvalidField, "page_size").write(w)
		return
	}
	s.mu.Lock()
	resp := s.memberPage(c.parentID, pageSize, q.Get("next_page_token"))
	s.mu.Unlock()
	resp.write(w)
}

// memberPage serves one page of a group's members. The cursor is the
// position in the join order, kept under a key naming the group so that a
// token of another listing is refused.
func (s *Server) memberPage(groupID string, pageSize int, token string) response {
	g := s.findGroup(groupID)
	if g == nil {
		return groupNotFound(groupID)
	}
	now := s.now()
	s.dropExpiredPageTokens(now)
	scope := "group/" + groupID
	cursor := pageCursor{status: scope, pageNumber: 1}
	if token != "" {
		var ok bool
		if cursor, ok = s.pageTokens[token]; !ok || cursor.status != scope {
			return errorResponse(http.StatusBadRequest, codeInvalidParameter, "The next page token is invalid or expired.")
		}
	}
	start := min(cursor.afterSeq, len(g.MemberIDs))
	ids := g.MemberIDs[start:min(start+pageSize, len(g.MemberIDs))]
	out := struct {
		Members       []memberJSON `json:"members"`
		NextPageToken string       `json:"next_page_token"`
		PageCount     int          `json:"page_count"`
		PageNumber    int          `json:"page_number"`
		PageSize      int          `json:"page_size"`
		TotalRecords  int          `json:"total_records"`
	}{
		Members:      make([]memberJSON, 0, len(ids)),
		PageCount:    (len(g.MemberIDs) + pageSize - 1) / pageSize,
		PageNumber:   cursor.pageNumber,
		PageSize:     pageSize,
		TotalRecords: len(g.MemberIDs),
	}
	for _, id := range ids {
		if u := s.findByID(id); u != nil {
			out.Members = append(out.Members, memberJSON{ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Type: u.Type})
		}
	}
	if end := start + len(ids); end < len(g.MemberIDs) {
		out.NextPageToken = s.newPageToken(pageCursor{
			status: scope, afterSeq: end, pageNumber: cursor.pageNumber + 1, expires: now.Add(pageTokenLifetime),
		})
	}
	return response{status: http.StatusOK, body: out}
}

// decodeMembers reads the members array of POST .../members and applies the
// 30-member limit.
func decodeMembers(body []byte) ([]memberRef, response, bool) {
	var req membersBody
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, errorResponse(http.StatusBadRequest, codeInvalidParameter, msgInvalidJSON), false
	}
	switch {
	case len(req.Members) == 0:
		return nil, fieldErrorResponse(msgInvalidField, "members"), false
	case len(req.Members) > maxMembersPerCall:
		return nil, fieldErrorResponse(fmt.Sprintf("You can add at most %d members at a time.", maxMembersPerCall), "members"), false
	}
	return req.Members, response{}, true
}

// resolveMembers finds the account's user of each entry. The whole call is
// refused, and nothing changes, when one entry is not a user of this account
// (a user of another Zoom account looks exactly like an unknown one from
// here) or has not accepted its invitation yet.
func (s *Server) resolveMembers(refs []memberRef) ([]*record, response, bool) {
	users := make([]*record, 0, len(refs))
	for _, m := range refs {
		u := s.findUser(m.key())
		if m.key() == "" || u == nil {
			return nil, userNotFound(m.key()), false
		}
		if u.Status == statusPending {
			return nil, errorResponse(http.StatusBadRequest, codeInvalidParameter,
				"User "+u.Email+" has not joined the account yet."), false
		}
		users = append(users, u)
	}
	return users, response{}, true
}

type addedJSON struct {
	IDs     string `json:"ids"`
	AddedAt string `json:"added_at"`
}

func (s *Server) addGroupMembers(w http.ResponseWriter, c *call) {
	refs, resp, ok := decodeMembers(c.body)
	if !ok {
		resp.write(w)
		return
	}
	s.mu.Lock()
	resp = s.joinGroup(c.parentID, refs)
	s.mu.Unlock()
	resp.write(w)
}

func (s *Server) joinGroup(groupID string, refs []memberRef) response {
	g := s.findGroup(groupID)
	if g == nil {
		return groupNotFound(groupID)
	}
	users, resp, ok := s.resolveMembers(refs)
	if !ok {
		return resp
	}
	var ids []string
	for _, u := range users {
		// Adding a member twice leaves one membership.
		if !slices.Contains(g.MemberIDs, u.ID) {
			g.MemberIDs = append(g.MemberIDs, u.ID)
		}
		ids = append(ids, u.ID)
	}
	return response{status: http.StatusCreated, body: addedJSON{IDs: strings.Join(ids, ","), AddedAt: s.now().UTC().Format(time.RFC3339)}}
}

func (s *Server) removeGroupMember(w http.ResponseWriter, c *call) {
	s.mu.Lock()
	resp := s.leaveGroup(c.parentID, c.userID)
	s.mu.Unlock()
	resp.write(w)
}

func (s *Server) leaveGroup(groupID, memberID string) response {
	g := s.findGroup(groupID)
	if g == nil {
		return groupNotFound(groupID)
	}
	u := s.findUser(memberID)
	if u == nil {
		return userNotFound(memberID)
	}
	i := slices.Index(g.MemberIDs, u.ID)
	if i < 0 {
		return errorResponse(http.StatusBadRequest, codeInvalidParameter, "Group member not found.")
	}
	g.MemberIDs = slices.Delete(g.MemberIDs, i, i+1)
	return noContent()
}

// AddGroup seeds a group, as if made in Zoom before the operator came, with
// the users of the given emails as members. It assigns an ID when empty.
func (s *Server) AddGroup(name string, memberEmails ...string) Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &groupRecord{Group{ID: randomString(16), Name: name}}
	for _, e := range memberEmails {
		if u := s.findByEmail(e); u != nil {
			g.MemberIDs = append(g.MemberIDs, u.ID)
		}
	}
	s.groups = append(s.groups, g)
	return g.copy()
}

func (g *groupRecord) copy() Group {
	out := g.Group
	out.MemberIDs = slices.Clone(g.MemberIDs)
	return out
}

// GroupByName looks a group up by its exact name.
func (s *Server) GroupByName(name string) (Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.findGroupByName(name); g != nil {
		return g.copy(), true
	}
	return Group{}, false
}

// Groups returns every group in creation order.
func (s *Server) Groups() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Group, len(s.groups))
	for i, g := range s.groups {
		out[i] = g.copy()
	}
	return out
}

// GroupMemberEmails returns the lower-cased emails of a group's members in
// join order; ok is false for an unknown group.
func (s *Server) GroupMemberEmails(groupID string) (emails []string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.findGroup(groupID)
	if g == nil {
		return nil, false
	}
	for _, id := range g.MemberIDs {
		if u := s.findByID(id); u != nil {
			emails = append(emails, strings.ToLower(u.Email))
		}
	}
	return emails, true
}

// RemoveGroup deletes a group directly, as if an admin removed it in Zoom.
func (s *Server) RemoveGroup(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.groups)
	s.groups = slices.DeleteFunc(s.groups, func(g *groupRecord) bool { return g.ID == id })
	return len(s.groups) != n
}
