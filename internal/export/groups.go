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

package export

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// GroupLister lists groups and their members one page at a time;
// *zoom.Client is one. Paging here, rather than in the client, lets the
// export count its calls.
type GroupLister interface {
	ListGroups(ctx context.Context, pageSize int, pageToken string) (*zoom.GroupPage, error)
	ListGroupMembers(ctx context.Context, groupID string, pageSize int, pageToken string) (*zoom.GroupMemberPage, error)
}

var _ GroupLister = (*zoom.Client)(nil)

// maxGroupsNamed bounds the group names an unknown-group error lists: an
// account may have thousands.
const maxGroupsNamed = 20

// Members is what GroupMembers found.
type Members struct {
	// Emails are the lower-case emails of the members of every group named.
	Emails map[string]bool
	// Calls is the number of calls made to Zoom.
	Calls int
}

// GroupMembers returns the members of the groups named (exact names, as
// Zoom shows them). A name no group has is an error that lists the groups
// the account does have, so that a typo is one look away from its fix. A
// listing that Zoom throttles or fails for a moment starts over, as List's
// do.
func GroupMembers(ctx context.Context, l GroupLister, names []string, progress io.Writer) (Members, error) {
	return groupMembersWith(ctx, l, names, progress, sleep)
}

func groupMembersWith(ctx context.Context, l GroupLister, names []string, progress io.Writer, wait waitFunc) (Members, error) {
	out := Members{Emails: map[string]bool{}}
	var groups []zoom.Group
	err := retrying(ctx, "listing groups", progress, wait, func() error {
		var err error
		groups, err = allGroups(ctx, l, &out.Calls)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("listing groups: %w", err)
	}
	ids, err := groupIDs(groups, names)
	if err != nil {
		return out, err
	}
	for i, id := range ids {
		what := fmt.Sprintf("listing the members of group %q", names[i])
		err := retrying(ctx, what, progress, wait, func() error {
			calls := out.Calls
			n, err := addMembers(ctx, l, id, out.Emails, &out.Calls)
			if err == nil {
				fmt.Fprintf(progress, "group %q has %d members (%d calls)\n", names[i], n, out.Calls-calls)
			}
			return err
		})
		if err != nil {
			return out, fmt.Errorf("%s: %w", what, err)
		}
	}
	return out, nil
}

// groupIDs returns the id of each named group, in the order named.
func groupIDs(groups []zoom.Group, names []string) ([]string, error) {
	byName := make(map[string]string, len(groups))
	for _, g := range groups {
		byName[g.Name] = g.ID
	}
	ids := make([]string, 0, len(names))
	var unknown []string
	for _, name := range names {
		id, ok := byName[name]
		if !ok {
			unknown = append(unknown, fmt.Sprintf("%q", name))
			continue
		}
		ids = append(ids, id)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("no Zoom group named %s; %s", strings.Join(unknown, ", "), existingGroups(groups))
	}
	return ids, nil
}

// existingGroups names the account's groups, sorted, at most
// maxGroupsNamed of them.
func existingGroups(groups []zoom.Group) string {
	if len(groups) == 0 {
		return "the account has no groups"
	}
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = fmt.Sprintf("%q", g.Name)
	}
	slices.Sort(names)
	more := ""
	if len(names) > maxGroupsNamed {
		more = fmt.Sprintf(" and %d more", len(names)-maxGroupsNamed)
		names = names[:maxGroupsNamed]
	}
	return fmt.Sprintf("the account has %d groups: %s%s", len(groups), strings.Join(names, ", "), more)
}

func allGroups(ctx context.Context, l GroupLister, calls *int) ([]zoom.Group, error) {
	var all []zoom.Group
	token := ""
	for {
		*calls++
		page, err := l.ListGroups(ctx, zoom.MaxGroupPageSize, token)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Groups...)
		if page.NextPageToken == "" {
			return all, nil
		}
		if page.NextPageToken == token {
			return nil, fmt.Errorf("%w: GET /groups: next_page_token repeated", zoom.ErrMalformedResponse)
		}
		token = page.NextPageToken
	}
}

// addMembers adds the emails of a group's members to emails and returns
// how many members the group has.
func addMembers(ctx context.Context, l GroupLister, groupID string, emails map[string]bool, calls *int) (int, error) {
	n := 0
	token := ""
	for {
		*calls++
		page, err := l.ListGroupMembers(ctx, groupID, zoom.MaxGroupPageSize, token)
		if err != nil {
			return n, err
		}
		for _, m := range page.Members {
			emails[strings.ToLower(m.Email)] = true
		}
		n += len(page.Members)
		if page.NextPageToken == "" {
			return n, nil
		}
		if page.NextPageToken == token {
			return n, fmt.Errorf("%w: GET /groups/{groupId}/members: next_page_token repeated", zoom.ErrMalformedResponse)
		}
		token = page.NextPageToken
	}
}
