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
	"net/http"
	"unicode/utf8"
)

type patchRequest struct {
	FirstName   *string `json:"first_name"`
	LastName    *string `json:"last_name"`
	DisplayName *string `json:"display_name"`
	Type        *int    `json:"type"`
}

func (s *Server) updateUser(w http.ResponseWriter, c *call) {
	var req patchRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		errorResponse(http.StatusBadRequest, codeInvalidParameter, msgInvalidJSON).write(w)
		return
	}
	if resp, bad := validatePatch(req); bad {
		resp.write(w)
		return
	}
	s.mu.Lock()
	resp := s.applyPatch(c.userID, req)
	s.mu.Unlock()
	resp.write(w)
}

func validatePatch(req patchRequest) (response, bool) {
	switch {
	case req.FirstName != nil && utf8.RuneCountInString(*req.FirstName) > maxNameLen:
		return fieldErrorResponse(msgInvalidField, "first_name"), true
	case req.LastName != nil && utf8.RuneCountInString(*req.LastName) > maxNameLen:
		return fieldErrorResponse(msgInvalidField, "last_name"), true
	case req.Type != nil && !userTypes[*req.Type]:
		return fieldErrorResponse(msgInvalidField, "type"), true
	}
	return response{}, false
}

func (s *Server) applyPatch(userID string, req patchRequest) response {
	u := s.findUser(userID)
	switch {
	case u == nil:
		return userNotFound(userID)
	case req.Type != nil && *req.Type == typeNone && u.Action != actionSSOCreate:
		return fieldErrorResponse(msgInvalidField, "type")
	case u.Status == statusPending:
		// Zoom accepts updates to invited users but drops them: they only
		// take effect on a user who has joined the account.
		return noContent()
	case req.Type != nil && *req.Type == typeLicensed && u.Type != typeLicensed && !s.licenseAvailable(u):
		return s.licenseExhausted()
	}
	setIfPresent(&u.FirstName, req.FirstName)
	setIfPresent(&u.LastName, req.LastName)
	setIfPresent(&u.DisplayName, req.DisplayName)
	setIfPresent(&u.Type, req.Type)
	return noContent()
}

func setIfPresent[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

type statusRequest struct {
	Action string `json:"action"`
}

func (s *Server) updateStatus(w http.ResponseWriter, c *call) {
	var req statusRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		errorResponse(http.StatusBadRequest, codeInvalidParameter, msgInvalidJSON).write(w)
		return
	}
	target := map[string]string{"activate": statusActive, "deactivate": statusInactive}[req.Action]
	if target == "" {
		fieldErrorResponse(msgInvalidField, "action").write(w)
		return
	}
	s.mu.Lock()
	resp := s.setStatus(c.userID, target)
	s.mu.Unlock()
	resp.write(w)
}

func (s *Server) setStatus(userID, target string) response {
	u := s.findUser(userID)
	switch {
	case u == nil:
		return userNotFound(userID)
	case u.Status == statusPending:
		return errorResponse(http.StatusBadRequest, codeNoPrivilege, "The user has not accepted the invitation.")
	}
	u.Status = target
	return noContent()
}

func (s *Server) deleteUser(w http.ResponseWriter, c *call) {
	action := c.r.URL.Query().Get("action")
	if action == "" {
		action = "disassociate"
	}
	if action != "disassociate" && action != "delete" {
		fieldErrorResponse(msgInvalidField, "action").write(w)
		return
	}
	s.mu.Lock()
	resp := s.removeUser(c.userID, action)
	s.mu.Unlock()
	resp.write(w)
}

// removeUser takes the user out of the account. Disassociating keeps the
// user alive in Zoom outside this account, which the fake does not model.
func (s *Server) removeUser(userID, action string) response {
	u := s.findUser(userID)
	switch {
	case u == nil:
		return userNotFound(userID)
	case u.Status == statusPending && action == "delete":
		return errorResponse(http.StatusBadRequest, codePendingDeleteOnly, "Pending users can only be disassociated.")
	}
	s.remove(u)
	return noContent()
}
