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

// Package userapi is the operator's boundary with Zoom for one user:
// observe, create, update and remove, with plain values in and out. It
// never sees a Kubernetes object; the reconciler makes every Kubernetes
// write from what it returns. Direct makes one REST call per operation;
// internal/zoomcache decorates an API with an account-wide snapshot.
package userapi

import (
	"context"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// Target names one Zoom user: by its id when known, and by email.
type Target struct {
	ID    string
	Email string
}

// API is what the operator does to Zoom users. Each method is idempotent
// in effect, so a retry after a lost answer is safe.
type API interface {
	// Observe returns the Zoom user t names: by ID when set (falling back
	// to the email when that id is gone), else by email; nil when absent.
	// trustAbsence lets a snapshot answer "absent" on its own, which is
	// safe only when no create was ever sent for t (a create that races
	// someone else's gets a 409 anyway).
	Observe(ctx context.Context, t Target, trustAbsence bool) (*zoom.User, error)
	// Create creates a user and returns it complete (see Direct.Create).
	Create(ctx context.Context, req zoom.CreateUserRequest) (*zoom.User, error)
	Update(ctx context.Context, t Target, patch zoom.UpdateUserRequest) error
	SetStatus(ctx context.Context, t Target, active bool) error
	// Delete removes the user as opts say: delete or disassociate, and
	// where its data goes (see zoom.RemoveOptions).
	Delete(ctx context.Context, t Target, opts zoom.RemoveOptions) error
}

// Client is the part of *zoom.Client that Direct uses.
type Client interface {
	GetUser(ctx context.Context, idOrEmail string) (*zoom.User, error)
	CreateUser(ctx context.Context, req zoom.CreateUserRequest) (*zoom.User, error)
	UpdateUser(ctx context.Context, id string, req zoom.UpdateUserRequest) error
	SetUserStatus(ctx context.Context, id string, activate bool) error
	RemoveUser(ctx context.Context, id string, opts zoom.RemoveOptions) error
}

var (
	_ Client = (*zoom.Client)(nil)
	_ API    = Direct{}
)

// Direct implements API with one REST call per step.
type Direct struct {
	Client Client
	// Now stamps created users; time.Now when nil.
	Now func() time.Time
}

func (d Direct) Observe(ctx context.Context, t Target, _ bool) (*zoom.User, error) {
	if t.ID != "" {
		u, err := d.get(ctx, t.ID)
		if u != nil || err != nil {
			return u, err
		}
	}
	return d.get(ctx, t.Email)
}

func (d Direct) get(ctx context.Context, idOrEmail string) (*zoom.User, error) {
	u, err := d.Client.GetUser(ctx, idOrEmail)
	if zoom.Classify(err) == zoom.KindNotFound {
		return nil, nil
	}
	return u, err
}

// Create fills in what Zoom's 201 leaves out (status, display name, creation
// time) from the request, so that the update that follows sees no false
// drift, and a snapshot entry of the user knows when it was made.
func (d Direct) Create(ctx context.Context, req zoom.CreateUserRequest) (*zoom.User, error) {
	u, err := d.Client.CreateUser(ctx, req)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	complete(u, req, now())
	return u, nil
}

func complete(u *zoom.User, req zoom.CreateUserRequest, now time.Time) {
	if u.UserCreatedAt == "" {
		u.UserCreatedAt = now.UTC().Format(time.RFC3339)
	}
	if u.Status == "" {
		u.Status = zoom.StatusActive
		if req.Action == zoom.CreateActionCreate {
			u.Status = zoom.StatusPending
		}
	}
	if u.DisplayName == "" {
		u.DisplayName = req.UserInfo.DisplayName
	}
	if u.Email == "" {
		u.Email = req.UserInfo.Email
	}
}

func (d Direct) Update(ctx context.Context, t Target, patch zoom.UpdateUserRequest) error {
	return d.Client.UpdateUser(ctx, t.ID, patch)
}

func (d Direct) SetStatus(ctx context.Context, t Target, active bool) error {
	return d.Client.SetUserStatus(ctx, t.ID, active)
}

func (d Direct) Delete(ctx context.Context, t Target, opts zoom.RemoveOptions) error {
	return d.Client.RemoveUser(ctx, t.ID, opts)
}
