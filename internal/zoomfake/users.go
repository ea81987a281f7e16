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
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

const (
	actionCreate     = "create"
	actionAutoCreate = "autoCreate"
	actionCustCreate = "custCreate"
	actionSSOCreate  = "ssoCreate"

	typeNone = 99

	maxEmailLen = 128
	maxNameLen  = 64
)

var createActions = map[string]bool{
	actionCreate: true, actionAutoCreate: true, actionCustCreate: true, actionSSOCreate: true,
}

var userTypes = map[int]bool{1: true, typeLicensed: true, 4: true, typeNone: true}

type userInfo struct {
	Email       string `json:"email"`
	Type        int    `json:"type"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
}

type createRequest struct {
	Action   string   `json:"action"`
	UserInfo userInfo `json:"user_info"`
	err      error    // decoding error, reported by createUser
}

// decodeCreate parses a POST /users body. It runs before authentication so
// the log can name the invited address even for rejected requests.
func decodeCreate(body []byte) createRequest {
	var req createRequest
	req.err = json.Unmarshal(body, &req)
	return req
}

type createdUser struct {
	ID        string `json:"id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
	Type      int    `json:"type"`
}

func (s *Server) createUser(w http.ResponseWriter, c *call) {
	req := c.create
	if req.err != nil {
		errorResponse(http.StatusBadRequest, codeInvalidParameter, msgInvalidJSON).write(w)
		return
	}
	if resp, bad := validateCreate(req); bad {
		resp.write(w)
		return
	}
	s.mu.Lock()
	resp := s.storeCreated(req)
	hook := s.opts.AfterCreate
	s.mu.Unlock()
	if hook != nil && resp.status == http.StatusCreated {
		hook(req.UserInfo.Email) // the user exists; its 201 is not sent yet
	}
	resp.write(w)
}

// validateCreate checks the request the way Zoom does before looking at
// the account.
func validateCreate(req createRequest) (response, bool) {
	info := req.UserInfo
	switch {
	case !createActions[req.Action]:
		return fieldErrorResponse(msgInvalidField, "action"), true
	case !plausibleEmail(info.Email):
		return fieldErrorResponse(msgInvalidField, "user_info.email"), true
	case !userTypes[info.Type] || (info.Type == typeNone && req.Action != actionSSOCreate):
		return fieldErrorResponse(msgInvalidField, "user_info.type"), true
	case utf8.RuneCountInString(info.FirstName) > maxNameLen:
		return fieldErrorResponse(msgInvalidField, "user_info.first_name"), true
	case utf8.RuneCountInString(info.LastName) > maxNameLen:
		return fieldErrorResponse(msgInvalidField, "user_info.last_name"), true
	case req.Action == actionAutoCreate && !validPassword(info.Password):
		return fieldErrorResponse("Invalid parameter: password", "user_info.password"), true
	}
	return response{}, false
}

func (s *Server) storeCreated(req createRequest) response {
	info := req.UserInfo
	if s.findByEmail(info.Email) != nil {
		return errorResponse(http.StatusConflict, codeUserExists, fmt.Sprintf("Email %q has already been used.", info.Email))
	}
	if info.Type == typeLicensed && !s.licenseAvailable(nil) {
		return errorResponse(http.StatusBadRequest, codeTypeLimit, fmt.Sprintf(
			"Your request to add a new Licensed user could not be approved at this time because your account has reached the permitted maximum number of %d users. "+
				"Please purchase additional licenses or contact the Zoom support team to provision additional users in your account.", s.opts.MaxLicensed))
	}
	status := statusActive
	if req.Action == actionCreate {
		status = statusPending // Zoom mails an invitation; the user joins on acceptance
	}
	rec := s.insert(User{
		Email:       info.Email,
		FirstName:   info.FirstName,
		LastName:    info.LastName,
		DisplayName: defaultDisplayName(info),
		Type:        info.Type,
		Status:      status,
		Action:      req.Action,
	})
	return response{status: http.StatusCreated, body: createdUser{
		ID: rec.ID, FirstName: rec.FirstName, LastName: rec.LastName, Email: rec.Email, Type: rec.Type,
	}}
}

func (s *Server) licenseAvailable(except *record) bool {
	return s.opts.MaxLicensed <= 0 || s.licensedCount(except) < s.opts.MaxLicensed
}

// licensedConversionRefused is Zoom's 3412 answer to a PATCH that would
// make a user Licensed when every paid seat is taken.
func (s *Server) licensedConversionRefused() response {
	return errorResponse(http.StatusBadRequest, codeSeatLimit, fmt.Sprintf(
		"Your request to convert the user type of a \"Basic\" user to a \"Licensed\" user was not approved at this time because your account has reached the permitted maximum number of \"%d\" paying users. "+
			"Please purchase additional licenses or remove existing paying user(s) from your \"Users\" list or the \"Pending Users\" list before attempting to convert a user to a paying user.", s.opts.MaxLicensed))
}

// defaultDisplayName mirrors Zoom, which shows "First Last" when no display
// name is given.
func defaultDisplayName(info userInfo) string {
	if info.DisplayName != "" {
		return info.DisplayName
	}
	return strings.TrimSpace(info.FirstName + " " + info.LastName)
}

func plausibleEmail(email string) bool {
	if email == "" || len(email) > maxEmailLen {
		return false
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email {
		return false
	}
	domain := email[strings.LastIndex(email, "@")+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// validPassword applies Zoom's autoCreate rule: 8-32 characters with upper
// case, lower case and a digit.
func validPassword(p string) bool {
	if n := utf8.RuneCountInString(p); n < 8 || n > 32 {
		return false
	}
	var upper, lower, digit bool
	for _, r := range p {
		upper = upper || unicode.IsUpper(r)
		lower = lower || unicode.IsLower(r)
		digit = digit || unicode.IsDigit(r)
	}
	return upper && lower && digit
}

// userJSON is the user object of GET /users/{userId} and of listings.
type userJSON struct {
	ID                 string `json:"id,omitempty"`
	FirstName          string `json:"first_name"`
	LastName           string `json:"last_name"`
	DisplayName        string `json:"display_name"`
	Email              string `json:"email"`
	Type               int    `json:"type"`
	Status             string `json:"status"`
	RoleID             string `json:"role_id"`
	RoleName           string `json:"role_name"`
	PMI                int64  `json:"pmi"`
	Timezone           string `json:"timezone"`
	Language           string `json:"language"`
	Dept               string `json:"dept"`
	Verified           int    `json:"verified"`
	CreatedAt          string `json:"created_at"`
	UserCreatedAt      string `json:"user_created_at"`
	PersonalMeetingURL string `json:"personal_meeting_url"`
	AccountID          string `json:"account_id,omitempty"`
}

const pmiBase = 8_000_000_000

func (s *Server) userObject(u *record) userJSON {
	verified := 1
	if u.Status == statusPending {
		verified = 0
	}
	pmi := pmiBase + int64(u.seq)
	return userJSON{
		ID:                 u.ID,
		FirstName:          u.FirstName,
		LastName:           u.LastName,
		DisplayName:        u.DisplayName,
		Email:              u.Email,
		Type:               u.Type,
		Status:             u.Status,
		RoleID:             s.roleOf(u).ID,
		RoleName:           s.roleOf(u).Name,
		PMI:                pmi,
		Timezone:           "UTC",
		Language:           "en-US",
		Verified:           verified,
		CreatedAt:          s.loginTypeCreatedAt(u).Format(time.RFC3339),
		UserCreatedAt:      u.CreatedAt.Format(time.RFC3339),
		PersonalMeetingURL: fmt.Sprintf("https://zoom.us/j/%d", pmi),
		AccountID:          s.opts.AccountID,
	}
}

var roleNames = map[string]string{RoleOwner: "Owner", RoleAdmin: "Admin", RoleMember: "Member"}

// loginTypeCreatedAt is the deprecated created_at. Zoom documents that for
// a pending user Get answers with the time of the call, not the creation.
func (s *Server) loginTypeCreatedAt(u *record) time.Time {
	switch {
	case u.Status == statusPending:
		return s.now().UTC()
	case u.LoginTypeCreatedAt.IsZero():
		return u.CreatedAt
	default:
		return u.LoginTypeCreatedAt.UTC()
	}
}

func userNotFound(userID string) response {
	return errorResponse(http.StatusNotFound, codeUserNotFound, "User does not exist: "+userID)
}

func (s *Server) getUser(w http.ResponseWriter, c *call) {
	s.mu.Lock()
	resp := userNotFound(c.userID)
	if u := s.findUser(c.userID); u != nil {
		resp = response{status: http.StatusOK, body: s.userObject(u)}
	}
	s.mu.Unlock()
	resp.write(w)
}

type emailExists struct {
	Existed bool `json:"existed_email"`
}

func (s *Server) checkEmail(w http.ResponseWriter, c *call) {
	email := c.r.URL.Query().Get("email")
	if email == "" {
		errorResponse(http.StatusBadRequest, codeInvalidParameter, "Email is required.").write(w)
		return
	}
	s.mu.Lock()
	existed := s.findByEmail(email) != nil
	s.mu.Unlock()
	response{status: http.StatusOK, body: emailExists{Existed: existed}}.write(w)
}
