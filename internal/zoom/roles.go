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
	"net/http"
	"net/url"
)

// IDs of the roles every Zoom account has. Zoom refuses to add members to
// the Owner and Member roles with POST /roles/{roleId}/members (400, code
// 300): a user becomes a Member by leaving its other role.
const (
	RoleIDOwner  = "0"
	RoleIDAdmin  = "1"
	RoleIDMember = "2"
)

// Role is a role of the account, built in (Owner, Admin, Member) or custom.
type Role struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	TotalMembers int    `json:"total_members,omitempty"`
}

// rolePage is the answer of GET /roles. Zoom's reference shows no paging
// for it; next_page_token is followed should it appear.
type rolePage struct {
	Roles         []Role `json:"roles"`
	TotalRecords  int    `json:"total_records"`
	NextPageToken string `json:"next_page_token"`
}

func rolePath(id string) (string, error) {
	if id == "" {
		return "", ErrEmptyID
	}
	return "/roles/" + url.PathEscape(id), nil
}

// ListRoles returns every role of the account (GET /roles).
func (c *Client) ListRoles(ctx context.Context) ([]Role, error) {
	var all []Role
	token := ""
	for {
		var page rolePage
		if err := c.do(ctx, http.MethodGet, "/roles", pageQuery(0, token), nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Roles...)
		var err error
		if token, err = nextToken("GET /roles", token, page.NextPageToken); err != nil || token == "" {
			return all, err
		}
	}
}

// AssignRole gives a role to at most MaxMembersPerCall users
// (POST /roles/{roleId}/members, 201). A user holds one role, so this moves
// the users out of their current role. It cannot assign Owner or Member; see
// UnassignRole.
func (c *Client) AssignRole(ctx context.Context, roleID string, members []MemberRef) error {
	path, err := rolePath(roleID)
	if err != nil {
		return err
	}
	if len(members) > MaxMembersPerCall {
		return ErrTooManyMembers
	}
	if len(members) == 0 {
		return nil
	}
	return c.do(ctx, http.MethodPost, path+"/members", nil, membersBody{Members: members}, nil)
}

// UnassignRole takes a role away from a user, who becomes a Member
// (DELETE /roles/{roleId}/members/{memberId}, 204).
func (c *Client) UnassignRole(ctx context.Context, roleID, memberID string) error {
	path, err := rolePath(roleID)
	if err != nil {
		return err
	}
	if memberID == "" {
		return ErrEmptyID
	}
	return c.do(ctx, http.MethodDelete, path+"/members/"+url.PathEscape(memberID), nil, nil, nil)
}
