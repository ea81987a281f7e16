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

package zoom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// User types.
const (
	TypeBasic      = 1
	TypeLicensed   = 2
	TypeUnassigned = 4
	TypeNone       = 99
)

// User status values.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
	StatusPending  = "pending"
)

// Actions of DeleteUser. Disassociate keeps the user as a Zoom user outside
// the account; delete removes the user for good.
const (
	DeleteActionDelete       = "delete"
	DeleteActionDisassociate = "disassociate"
)

// Actions of CreateUserRequest.
const (
	CreateActionCreate     = "create"
	CreateActionAutoCreate = "autoCreate"
	CreateActionCustCreate = "custCreate"
	CreateActionSSOCreate  = "ssoCreate"
)

// MaxPageSize is the largest page_size List users accepts: the "maximum" of
// its page_size parameter in Zoom's Users API definition. Zoom's general
// pagination guide still speaks of up to 300 items a page, so a listing
// follows next_page_token whatever page size comes back.
const MaxPageSize = 2000

// User is a Zoom user as returned by the API. Pending users in a list may
// lack an ID.
type User struct {
	ID          string `json:"id,omitempty"`
	Email       string `json:"email"`
	FirstName   string `json:"first_name,omitempty"`
	LastName    string `json:"last_name,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	Type        int    `json:"type"`
	Status      string `json:"status,omitempty"`
	// UserCreatedAt is when Zoom created the user (RFC 3339). Get and List
	// answers carry it; a create's 201 does not.
	UserCreatedAt string `json:"user_created_at,omitempty"`
	// CreatedAt is deprecated by Zoom and is not the creation time: it is
	// when the user's latest login type was created, and for a pending
	// user Get answers with the time of the call. Use UserCreatedAt.
	CreatedAt string `json:"created_at,omitempty"`
	// RoleID and RoleName are the user's role in the account, e.g. "2" and
	// "Member"; GET answers carry them.
	RoleID   string `json:"role_id,omitempty"`
	RoleName string `json:"role_name,omitempty"`
}

// UserInfo is the user_info object of a create request.
type UserInfo struct {
	Email       string `json:"email"`
	Type        int    `json:"type"`
	FirstName   string `json:"first_name,omitempty"`
	LastName    string `json:"last_name,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	// Password is only used with the autoCreate action.
	Password string `json:"password,omitempty"`
}

// CreateUserRequest is the body of POST /users.
type CreateUserRequest struct {
	Action   string   `json:"action"`
	UserInfo UserInfo `json:"user_info"`
}

// UpdateUserRequest is the body of PATCH /users/{id}; only non-nil fields are
// sent, so a pointer to "" clears a name.
type UpdateUserRequest struct {
	FirstName   *string `json:"first_name,omitempty"`
	LastName    *string `json:"last_name,omitempty"`
	DisplayName *string `json:"display_name,omitempty"`
	Type        *int    `json:"type,omitempty"`
}

// UserPage is one page of GET /users. NextPageToken is "" on the last page.
type UserPage struct {
	NextPageToken string `json:"next_page_token"`
	PageSize      int    `json:"page_size"`
	TotalRecords  int    `json:"total_records"`
	Users         []User `json:"users"`
}

// userPath returns /users/{id} with id path-escaped. id may be a user ID, an
// email address or "me".
func userPath(id string) (string, error) {
	if id == "" {
		return "", ErrEmptyID
	}
	return "/users/" + url.PathEscape(id), nil
}

// CreateUser adds a user to the account (POST /users, 201).
func (c *Client) CreateUser(ctx context.Context, req CreateUserRequest) (*User, error) {
	var u User
	if err := c.do(ctx, http.MethodPost, "/users", nil, req, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// GetUser returns a user by ID or email (GET /users/{id}).
func (c *Client) GetUser(ctx context.Context, idOrEmail string) (*User, error) {
	path, err := userPath(idOrEmail)
	if err != nil {
		return nil, err
	}
	var u User
	if err := c.do(ctx, http.MethodGet, path, nil, nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// UpdateUser changes the non-nil fields of req (PATCH /users/{id}, 204).
func (c *Client) UpdateUser(ctx context.Context, id string, req UpdateUserRequest) error {
	path, err := userPath(id)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPatch, path, nil, req, nil)
}

// SetUserStatus activates or deactivates a user (PUT /users/{id}/status, 204).
func (c *Client) SetUserStatus(ctx context.Context, id string, activate bool) error {
	path, err := userPath(id)
	if err != nil {
		return err
	}
	body := struct {
		Action string `json:"action"`
	}{Action: "deactivate"}
	if activate {
		body.Action = "activate"
	}
	return c.do(ctx, http.MethodPut, path+"/status", nil, body, nil)
}

// DeleteUser removes a user from the account (DELETE /users/{id}, 204) with
// action DeleteActionDelete or DeleteActionDisassociate; "" leaves the choice
// to Zoom, whose default is disassociate. It transfers nothing; see
// RemoveUser.
func (c *Client) DeleteUser(ctx context.Context, id string, action string) error {
	return c.RemoveUser(ctx, id, RemoveOptions{Action: action})
}

// RemoveOptions are the query of DELETE /users/{id}.
type RemoveOptions struct {
	// Action is DeleteActionDelete or DeleteActionDisassociate; "" leaves
	// it to Zoom, whose default is disassociate.
	Action string
	// TransferEmail is the user who receives what the removed user owns.
	// Zoom requires it for a user with Zoom Events or Sessions (see
	// IsTransferRequired), and the Transfer* flags move data to it.
	TransferEmail      string
	TransferMeeting    bool
	TransferWebinar    bool
	TransferRecording  bool
	TransferWhiteboard bool
}

// query renders the options; false flags and empty fields are left out so
// that Zoom's defaults apply.
func (o RemoveOptions) query() url.Values {
	q := url.Values{}
	if o.Action != "" {
		q.Set("action", o.Action)
	}
	if o.TransferEmail != "" {
		q.Set("transfer_email", o.TransferEmail)
	}
	for name, on := range map[string]bool{
		"transfer_meeting":    o.TransferMeeting,
		"transfer_webinar":    o.TransferWebinar,
		"transfer_recording":  o.TransferRecording,
		"transfer_whiteboard": o.TransferWhiteboard,
	} {
		if on {
			q.Set(name, "true")
		}
	}
	return q
}

// RemoveUser deletes or disassociates a user (DELETE /users/{id}, 204),
// transferring to opts.TransferEmail what the flags ask for. Zoom refuses
// with errors that IsDisassociationRefused and IsTransferRequired name.
func (c *Client) RemoveUser(ctx context.Context, id string, opts RemoveOptions) error {
	path, err := userPath(id)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, path, opts.query(), nil, nil)
}

// ListUsers returns one page of users (GET /users). Empty status, zero
// pageSize and empty pageToken are left out of the query.
func (c *Client) ListUsers(ctx context.Context, status string, pageSize int, pageToken string) (*UserPage, error) {
	query := url.Values{}
	if status != "" {
		query.Set("status", status)
	}
	if pageSize > 0 {
		query.Set("page_size", strconv.Itoa(pageSize))
	}
	if pageToken != "" {
		query.Set("next_page_token", pageToken)
	}
	var page UserPage
	if err := c.do(ctx, http.MethodGet, "/users", query, nil, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// ListAllUsers returns every user with the given status ("" for Zoom's
// default); see ListAllUsersCounted.
func (c *Client) ListAllUsers(ctx context.Context, status string) ([]User, error) {
	users, _, err := c.ListAllUsersCounted(ctx, status)
	return users, err
}

// ListAllUsersCounted returns every user with the given status ("" for
// Zoom's default) and the number of list calls it took. It asks for
// MaxPageSize users a page to spend as few calls as possible from the
// account's rate limit, and follows next_page_token until it is empty
// whatever size the pages have: Zoom may serve fewer than asked. A listing
// is bounded by the client's MaxListUsers (and by pages at Zoom's smallest
// page size), so that no server can keep the manager reading or fill its
// memory.
func (c *Client) ListAllUsersCounted(ctx context.Context, status string) ([]User, int, error) {
	var all []User
	token := ""
	for calls := 1; ; calls++ {
		page, err := c.ListUsers(ctx, status, MaxPageSize, token)
		if err != nil {
			return nil, calls, err
		}
		all = append(all, page.Users...)
		if page.NextPageToken == "" {
			return all, calls, nil
		}
		if len(all) > c.maxListUsers || calls > c.maxListUsers/minPageSize+1 {
			return nil, calls, fmt.Errorf("%w: GET /users: more than %d users or %d pages; see --zoom-list-max-users", ErrListTooLong, c.maxListUsers, calls)
		}
		// A server that hands back the token it was given would loop forever.
		if page.NextPageToken == token {
			return nil, calls, fmt.Errorf("%w: GET /users: next_page_token repeated", ErrMalformedResponse)
		}
		token = page.NextPageToken
	}
}

// minPageSize is the smallest page Zoom hands out when asked for more
// (its default page size), which bounds the pages of a listing.
const minPageSize = 30

// ErrListTooLong reports a listing past the client's bounds.
var ErrListTooLong = errors.New("zoom: listing too long")
