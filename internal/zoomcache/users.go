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

package zoomcache

import (
	"context"

	"github.com/zoom-operator/zoom-operator/internal/desired"
	"github.com/zoom-operator/zoom-operator/internal/userapi"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// snapshotUsers is a userapi.API that answers observations from the
// snapshot when it can and writes every change it passes on through to it,
// so that the snapshot never contradicts what the operator itself just did.
type snapshotUsers struct {
	cache  *Cache
	lister Lister
	inner  userapi.API
}

// Users decorates inner with the snapshot, which l fills.
func (c *Cache) Users(inner userapi.API, l Lister) userapi.API {
	return &snapshotUsers{cache: c, lister: l, inner: inner}
}

func (s *snapshotUsers) Observe(ctx context.Context, t userapi.Target, trustAbsence bool) (*zoom.User, error) {
	cached, answer, err := s.cache.Lookup(ctx, s.lister, t.Email)
	if err != nil {
		return nil, err
	}
	switch {
	case answer == Found:
		return &cached, nil
	case answer == Absent && trustAbsence:
		return nil, nil
	}
	return s.inner.Observe(ctx, t, trustAbsence)
}

func (s *snapshotUsers) Create(ctx context.Context, req zoom.CreateUserRequest) (*zoom.User, error) {
	u, err := s.inner.Create(ctx, req)
	if err == nil {
		s.cache.Put(*u)
	}
	return u, err
}

func (s *snapshotUsers) Update(ctx context.Context, t userapi.Target, patch zoom.UpdateUserRequest) error {
	err := s.inner.Update(ctx, t, patch)
	s.afterChange(t, err, func(u *zoom.User) { *u = desired.Applied(*u, patch) })
	return err
}

func (s *snapshotUsers) SetStatus(ctx context.Context, t userapi.Target, active bool) error {
	err := s.inner.SetStatus(ctx, t, active)
	// Deactivating removes every licence, so Zoom shows the user as Basic
	// from then on; a snapshot that kept Licensed would hide the type drift
	// after a reactivation (docs/zoom-contract.md, U6).
	s.afterChange(t, err, func(u *zoom.User) { *u = desired.AfterActivation(*u, active) })
	return err
}

func (s *snapshotUsers) Delete(ctx context.Context, t userapi.Target, opts zoom.RemoveOptions) error {
	err := s.inner.Delete(ctx, t, opts)
	if err == nil || zoom.Classify(err) == zoom.KindNotFound {
		s.cache.Remove(t.Email)
	}
	return err
}

// afterChange mirrors a successful change in the snapshot, and forgets a
// user Zoom no longer knows (the snapshot was stale).
func (s *snapshotUsers) afterChange(t userapi.Target, err error, change func(*zoom.User)) {
	switch {
	case err == nil:
		s.cache.Modify(t.Email, change)
	case zoom.Classify(err) == zoom.KindNotFound:
		s.cache.Remove(t.Email)
	}
}
