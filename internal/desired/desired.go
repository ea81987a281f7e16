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

// Package desired says what a ZoomUser's spec asks of Zoom: the create
// request, the Zoom user type, and the PATCH that corrects drift. The
// operator and the kubectl plugin share it, so a plan shows exactly what the
// operator would do.
package desired

import (
	"fmt"
	"strconv"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// Change is one field the operator changes, or would change, in Zoom.
type Change struct {
	Field, From, To string
}

func (c Change) String() string {
	return fmt.Sprintf("%s %q -> %q", c.Field, c.From, c.To)
}

// Drift returns the PATCH that makes the Zoom user match the spec, and the
// names of the fields it changes. Empty optional fields are not managed, so
// Zoom's own defaults stay. The type is drift only for an active user:
// Zoom strips every licence from a user it deactivates and keeps no type
// change made meanwhile, so for an inactive user the spec's type waits
// until the user is active (TypeWaits), and the operator activates first.
func Drift(spec *zoomv1.ZoomUserSpec, remote *zoom.User) (zoom.UpdateUserRequest, []string) {
	patch, changes := drift(spec, remote)
	var fields []string
	for _, c := range changes {
		fields = append(fields, c.Field)
	}
	return patch, fields
}

func drift(spec *zoomv1.ZoomUserSpec, remote *zoom.User) (zoom.UpdateUserRequest, []Change) {
	var patch zoom.UpdateUserRequest
	var changes []Change
	field := func(name, want, have string, dst **string) {
		if want != "" && want != have {
			*dst = &want
			changes = append(changes, Change{Field: name, From: have, To: want})
		}
	}
	field("firstName", spec.FirstName, remote.FirstName, &patch.FirstName)
	field("lastName", spec.LastName, remote.LastName, &patch.LastName)
	field("displayName", spec.DisplayName, remote.DisplayName, &patch.DisplayName)
	if t := ZoomType(spec.Type); t != remote.Type && remote.Status == zoom.StatusActive {
		patch.Type = &t
		changes = append(changes, Change{Field: "type", From: TypeName(remote.Type), To: TypeName(t)})
	}
	return patch, changes
}

// Changes lists what the operator would change to make the Zoom user match
// the spec, in the order it makes them: activation first, then the fields
// of the user as the activation leaves it. A pending user is left alone:
// Zoom accepts changes to an invitation and silently ignores them. The
// role is not among them: it needs the account's role list (see roles).
func Changes(spec *zoomv1.ZoomUserSpec, remote *zoom.User) []Change {
	if remote.Status == zoom.StatusPending {
		return nil
	}
	now := *remote
	var changes []Change
	if want := Active(spec); want != (now.Status == zoom.StatusActive) {
		after := AfterActivation(now, want)
		changes = append(changes, Change{Field: "state", From: now.Status, To: after.Status})
		now = after
	}
	_, fields := drift(spec, &now)
	return append(changes, fields...)
}

// AfterActivation is the user as Zoom leaves it after activating or
// deactivating it: deactivation takes the licence, so a Licensed user
// comes back Basic.
func AfterActivation(u zoom.User, active bool) zoom.User {
	if active {
		u.Status = zoom.StatusActive
		return u
	}
	u.Status = zoom.StatusInactive
	if u.Type == zoom.TypeLicensed {
		u.Type = zoom.TypeBasic
	}
	return u
}

// TypeWaits reports whether the spec's type differs from the Zoom user's
// and is held back because the user is not active (see Drift). A plan or
// a status message says so instead of showing the type as drift.
func TypeWaits(spec *zoomv1.ZoomUserSpec, remote *zoom.User) bool {
	return remote.Status != zoom.StatusActive && ZoomType(spec.Type) != remote.Type
}

// Active reports whether the spec wants the Zoom user active.
func Active(spec *zoomv1.ZoomUserSpec) bool {
	return spec.State != zoomv1.UserStateInactive
}

// ZoomType maps the API's names to Zoom's numbers.
func ZoomType(t zoomv1.UserType) int {
	switch t {
	case zoomv1.UserTypeLicensed:
		return zoom.TypeLicensed
	case zoomv1.UserTypeUnassigned:
		return zoom.TypeUnassigned
	case zoomv1.UserTypeNone:
		return zoom.TypeNone
	default:
		return zoom.TypeBasic
	}
}

// UserType maps Zoom's type numbers to the API's names; ok is false for a
// number the API has no name for, so that a caller does not guess.
func UserType(zoomType int) (t zoomv1.UserType, ok bool) {
	switch zoomType {
	case zoom.TypeBasic:
		return zoomv1.UserTypeBasic, true
	case zoom.TypeLicensed:
		return zoomv1.UserTypeLicensed, true
	case zoom.TypeUnassigned:
		return zoomv1.UserTypeUnassigned, true
	case zoom.TypeNone:
		return zoomv1.UserTypeNone, true
	default:
		return "", false
	}
}

// Applied is the user as Zoom holds it after the PATCH.
func Applied(u zoom.User, patch zoom.UpdateUserRequest) zoom.User {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&u.FirstName, patch.FirstName)
	set(&u.LastName, patch.LastName)
	set(&u.DisplayName, patch.DisplayName)
	if patch.Type != nil {
		u.Type = *patch.Type
	}
	return u
}

// TypeName is the API's name for Zoom's type number, or the number itself
// when the API has none.
func TypeName(zoomType int) string {
	if t, ok := UserType(zoomType); ok {
		return string(t)
	}
	return strconv.Itoa(zoomType)
}

// CreateRequest is the POST body for spec, without the autoCreate password
// (the caller reads it from its Secret).
func CreateRequest(spec *zoomv1.ZoomUserSpec) zoom.CreateUserRequest {
	return zoom.CreateUserRequest{Action: string(spec.Action), UserInfo: zoom.UserInfo{
		Email: spec.Email, Type: ZoomType(spec.Type),
		FirstName: spec.FirstName, LastName: spec.LastName, DisplayName: spec.DisplayName,
	}}
}
