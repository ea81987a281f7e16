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

// MaxMembersPerCall is how many members Zoom takes in one call that adds
// group members or assigns a role.
const MaxMembersPerCall = 30

// ErrTooManyMembers is returned, before any request is sent, when one call
// is given more than MaxMembersPerCall members; AddGroupMembersBatched splits
// larger sets.
var ErrTooManyMembers = errors.New("zoom: more than 30 members in one call")

// ErrEmptyGroupID is returned, before any request is sent, by the group calls
// given no group id.
var ErrEmptyGroupID = errors.New("zoom: empty group id")

// Group is a Zoom group.
type Group struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	TotalMembers int    `json:"total_members"`
}

// GroupPage is one page of GET /groups.
type GroupPage struct {
	Groups        []Group `json:"groups"`
	TotalRecords  int     `json:"total_records"`
	NextPageToken string  `json:"next_page_token"`
}

// GroupMember is a member of a group as GET /groups/{groupId}/members lists it.
type GroupMember struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Type      int    `json:"type,omitempty"`
}

// GroupMemberPage is one page of GET /groups/{groupId}/members.
type GroupMemberPage struct {
	Members       []GroupMember `json:"members"`
	NextPageToken string        `json:"next_page_token"`
	PageSize      int           `json:"page_size"`
	TotalRecords  int           `json:"total_records"`
}

// MemberRef names a user in calls that add members: Zoom uses the id when it
// is set and the email otherwise.
type MemberRef struct {
	ID    string `json:"id,omitempty"`
	Email string `json:"email,omitempty"`
}

// membersBody is the body of POST /groups/{groupId}/members and
// POST /roles/{roleId}/members.
type membersBody struct {
	Members []MemberRef `json:"members"`
}

func groupPath(id string) (string, error) {
	if id == "" {
		return "", ErrEmptyGroupID
	}
	return "/groups/" + url.PathEscape(id), nil
}

// pageQuery builds the query of a paged listing; zero and empty values are
// left out.
func pageQuery(pageSize int, pageToken string) url.Values {
	q := url.Values{}
	if pageSize > 0 {
		q.Set("page_size", strconv.Itoa(pageSize))
	}
	if pageToken != "" {
		q.Set("next_page_token", pageToken)
	}
	return q
}

// nextToken returns the token of the next page, "" after the last one, and an
// error when a server hands back the token it was given, which would loop
// forever.
func nextToken(endpoint, sent, got string) (string, error) {
	if got != "" && got == sent {
		return "", fmt.Errorf("%w: %s: next_page_token repeated", ErrMalformedResponse, endpoint)
	}
	return got, nil
}

// ListGroups returns one page of the account's groups (GET /groups).
func (c *Client) ListGroups(ctx context.Context, pageSize int, pageToken string) (*GroupPage, error) {
	var page GroupPage
	if err := c.do(ctx, http.MethodGet, "/groups", pageQuery(pageSize, pageToken), nil, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// ListAllGroups returns every group of the account, following
// next_page_token with the largest page size.
func (c *Client) ListAllGroups(ctx context.Context) ([]Group, error) {
	var all []Group
	token := ""
	for {
		page, err := c.ListGroups(ctx, MaxGroupPageSize, token)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Groups...)
		if token, err = nextToken("GET /groups", token, page.NextPageToken); err != nil || token == "" {
			return all, err
		}
	}
}

// FindGroupByName returns the group named exactly name, or nil when there
// is none. The comparison is exact: adopting "eng" for "Eng" would hand a
// tenant a group it did not name.
func (c *Client) FindGroupByName(ctx context.Context, name string) (*Group, error) {
	groups, err := c.ListAllGroups(ctx)
	if err != nil {
		return nil, err
	}
	for i := range groups {
		if groups[i].Name == name {
			return &groups[i], nil
		}
	}
	return nil, nil
}

// CreateGroup creates a group (POST /groups, 201). A name in use answers
// 409 with code 4132; see IsGroupNameTaken.
func (c *Client) CreateGroup(ctx context.Context, name string) (*Group, error) {
	body := struct {
		Name string `json:"name"`
	}{Name: name}
	var g Group
	if err := c.do(ctx, http.MethodPost, "/groups", nil, body, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// GetGroup returns a group by id (GET /groups/{groupId}). An unknown group
// answers 404 with code 4130; see IsGroupNotFound.
func (c *Client) GetGroup(ctx context.Context, id string) (*Group, error) {
	path, err := groupPath(id)
	if err != nil {
		return nil, err
	}
	var g Group
	if err := c.do(ctx, http.MethodGet, path, nil, nil, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// DeleteGroup deletes a group (DELETE /groups/{groupId}, 204). Its members
// stay in the account.
func (c *Client) DeleteGroup(ctx context.Context, id string) error {
	path, err := groupPath(id)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, path, nil, nil, nil)
}

// ListGroupMembers returns one page of a group's members
// (GET /groups/{groupId}/members).
func (c *Client) ListGroupMembers(ctx context.Context, groupID string, pageSize int, pageToken string) (*GroupMemberPage, error) {
	path, err := groupPath(groupID)
	if err != nil {
		return nil, err
	}
	var page GroupMemberPage
	if err := c.do(ctx, http.MethodGet, path+"/members", pageQuery(pageSize, pageToken), nil, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// ListAllGroupMembers returns every member of a group, following
// next_page_token with the largest page size.
func (c *Client) ListAllGroupMembers(ctx context.Context, groupID string) ([]GroupMember, error) {
	var all []GroupMember
	token := ""
	for {
		page, err := c.ListGroupMembers(ctx, groupID, MaxGroupPageSize, token)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Members...)
		if token, err = nextToken("GET /groups/{groupId}/members", token, page.NextPageToken); err != nil || token == "" {
			return all, err
		}
	}
}

// AddGroupMembers adds at most MaxMembersPerCall members to a group in one
// call (POST /groups/{groupId}/members, 201).
func (c *Client) AddGroupMembers(ctx context.Context, groupID string, members []MemberRef) error {
	path, err := groupPath(groupID)
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

// AddGroupMembersBatched adds members in calls of at most MaxMembersPerCall,
// in order, and stops at the first failure. It returns the members of the
// calls that succeeded, so that the caller can record them even when a
// later call fails.
func (c *Client) AddGroupMembersBatched(ctx context.Context, groupID string, members []MemberRef) ([]MemberRef, error) {
	var done []MemberRef
	for _, batch := range Batches(members, MaxMembersPerCall) {
		if err := c.AddGroupMembers(ctx, groupID, batch); err != nil {
			return done, err
		}
		done = append(done, batch...)
	}
	return done, nil
}

// RemoveGroupMember removes one member, by user id or email, from a group
// (DELETE /groups/{groupId}/members/{memberId}, 204).
func (c *Client) RemoveGroupMember(ctx context.Context, groupID, memberID string) error {
	path, err := groupPath(groupID)
	if err != nil {
		return err
	}
	if memberID == "" {
		return ErrEmptyID
	}
	return c.do(ctx, http.MethodDelete, path+"/members/"+url.PathEscape(memberID), nil, nil, nil)
}

// Batches splits items into consecutive slices of at most size items.
func Batches[T any](items []T, size int) [][]T {
	if size <= 0 {
		size = 1
	}
	var out [][]T
	for len(items) > 0 {
		n := min(size, len(items))
		out = append(out, items[:n:n])
		items = items[n:]
	}
	return out
}

// MaxGroupPageSize is the largest page_size Zoom's group listings take
// (List groups, List group members): 300, unlike List users' 2000.
const MaxGroupPageSize = 300
