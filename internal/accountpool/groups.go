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

package accountpool

import (
	"context"
	"sync"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/roles"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// Groups is the Zoom boundary for an account's groups and role
// memberships: the calls the ZoomGroup reconciler and a ZoomUser's role
// make, nothing more. *zoom.Client implements it; the account's budget
// paces each call.
type Groups interface {
	FindGroupByName(ctx context.Context, name string) (*zoom.Group, error)
	CreateGroup(ctx context.Context, name string) (*zoom.Group, error)
	DeleteGroup(ctx context.Context, id string) error
	ListAllGroupMembers(ctx context.Context, groupID string) ([]zoom.GroupMember, error)
	AddGroupMembersBatched(ctx context.Context, groupID string, members []zoom.MemberRef) ([]zoom.MemberRef, error)
	RemoveGroupMember(ctx context.Context, groupID, memberID string) error
	AssignRole(ctx context.Context, roleID string, members []zoom.MemberRef) error
	UnassignRole(ctx context.Context, roleID, memberID string) error
}

var _ Groups = (*zoom.Client)(nil)

// roleCache holds one Zoom account's roles by name. Roles change rarely and
// listing them is a Medium call, so every ZoomUser of the account shares
// one listing per ttl (the resync interval).
type roleCache struct {
	mu  sync.Mutex
	ix  roles.Index
	at  time.Time
	ttl time.Duration
}

// index returns the cached roles, listing them with list when the cache is
// empty or older than ttl. The lock is held across the listing so that the
// users of one account that all need roles at once make one call.
func (c *roleCache) index(ctx context.Context, list func(context.Context) ([]zoom.Role, error)) (roles.Index, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < c.ttl {
		return c.ix, nil
	}
	all, err := list(ctx)
	if err != nil {
		return roles.Index{}, err
	}
	c.ix, c.at = roles.NewIndex(all), time.Now()
	return c.ix, nil
}

// Roles returns the Zoom account's roles by name, listed at most once per
// SnapshotTTL for every object of that Zoom account.
func (a *Account) Roles(ctx context.Context) (roles.Index, error) {
	return a.roles.index(ctx, a.client.ListRoles)
}
