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
	"slices"
	"strings"
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
	case u.Status != statusInactive && req.Type != nil && *req.Type == typeLicensed && u.Type != typeLicensed && !s.licenseAvailable(u):
		return s.licensedConversionRefused()
	}
	setIfPresent(&u.FirstName, req.FirstName)
	setIfPresent(&u.LastName, req.LastName)
	setIfPresent(&u.DisplayName, req.DisplayName)
	if u.Status != statusInactive {
		// A deactivated user holds no licence; the fake accepts a type
		// change for it and drops it, as it does for invitations (Zoom
		// does not document this case; see docs/zoom-contract.md).
		setIfPresent(&u.Type, req.Type)
	}
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
	case isAdmin(u):
		return errorResponse(http.StatusBadRequest, codeNoPrivilege, "Zoom Room and Admin users' status cannot be activated or deactivated.")
	}
	u.Status = target
	if target == statusInactive && u.Type == typeLicensed {
		// "Deactivating a user removes all licenses associated with a
		// user": reactivation brings the user back as Basic.
		u.Type = typeBasic
	}
	return noContent()
}

// removal is the query of DELETE /users/{userId}.
type removal struct {
	action        string
	transferEmail string
}

func (s *Server) deleteUser(w http.ResponseWriter, c *call) {
	q := c.r.URL.Query()
	rm := removal{action: q.Get("action"), transferEmail: q.Get("transfer_email")}
	if rm.action == "" {
		rm.action = "disassociate"
	}
	if rm.action != "disassociate" && rm.action != "delete" {
		fieldErrorResponse(msgInvalidField, "action").write(w)
		return
	}
	s.mu.Lock()
	resp := s.removeUser(c.userID, rm)
	s.mu.Unlock()
	resp.write(w)
}

// Zoom's answers to a refused removal, from the Delete a user operation.
const (
	msgManagedDomain     = "You can not disassociate a user with managed domain."
	msgAdminUser         = "You can not disassociate an Admin user."
	msgTransferRequired  = "This user has published events on Zoom Events and you do not specify a target user to transfer data."
	msgTransferToSelf    = "The transfer-to email address cannot be the same as the unlinked or deleted user's email address."
	msgTransferNoLicense = "The destination user does not have a Zoom Events license and cannot receive this data."
)

// removeUser takes the user out of the account. Disassociating keeps the
// user alive in Zoom outside this account, which the fake does not model;
// neither does it hold meetings, webinars, recordings or whiteboards, so a
// transfer moves nothing.
func (s *Server) removeUser(userID string, rm removal) response {
	u := s.findUser(userID)
	if u == nil {
		return userNotFound(userID)
	}
	if resp, refused := s.refuseRemoval(u, rm); refused {
		return resp
	}
	s.remove(u)
	return noContent()
}

// refuseRemoval applies Zoom's rules for removing u, in the order the fake
// checks them (Zoom does not say which wins when several apply).
func (s *Server) refuseRemoval(u *record, rm removal) (response, bool) {
	disassociate := rm.action == "disassociate"
	switch {
	case u.Status == statusPending && !disassociate:
		// Zoom says "To delete pending user in the account, use
		// disassociate" without naming its answer; 300 is the fake's.
		return errorResponse(http.StatusBadRequest, codeInvalidParameter, "Pending users can only be disassociated."), true
	case disassociate && isAdmin(u):
		return errorResponse(http.StatusBadRequest, codeAdminUser, msgAdminUser), true
	case disassociate && u.Status != statusPending && s.managed(u):
		// Withdrawing an invitation is not unlinking an account, so a
		// pending user may always be disassociated.
		return errorResponse(http.StatusBadRequest, codeManagedDomain, msgManagedDomain), true
	}
	return s.refuseTransfer(u, rm.transferEmail)
}

// refuseTransfer checks transfer_email for a user with Zoom Events.
func (s *Server) refuseTransfer(u *record, transferEmail string) (response, bool) {
	switch {
	case transferEmail == "":
		if u.ZoomEvents {
			return errorResponse(http.StatusBadRequest, codeInvalidParameter, msgTransferRequired), true
		}
	case strings.EqualFold(transferEmail, u.Email):
		return errorResponse(http.StatusBadRequest, codeInvalidParameter, msgTransferToSelf), true
	case u.ZoomEvents:
		if target := s.findByEmail(transferEmail); target == nil || !target.ZoomEvents {
			return errorResponse(http.StatusBadRequest, codeInvalidParameter, msgTransferNoLicense), true
		}
	}
	return response{}, false
}

// isAdmin tells whether u has one of Zoom's administrative roles.
func isAdmin(u *record) bool { return u.RoleID == RoleOwner || u.RoleID == RoleAdmin }

// managed tells whether u belongs to a managed (associated) domain:
// autoCreate is only available for those, and Options.ManagedDomains
// names the others.
func (s *Server) managed(u *record) bool {
	if u.Action == actionAutoCreate {
		return true
	}
	domain := u.Email[strings.LastIndex(u.Email, "@")+1:]
	return slices.ContainsFunc(s.opts.ManagedDomains, func(d string) bool { return strings.EqualFold(d, domain) })
}
