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

package desired

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

func TestDrift(t *testing.T) {
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	for name, tc := range map[string]struct {
		spec   zoomv1.ZoomUserSpec
		remote zoom.User
		want   zoom.UpdateUserRequest
		fields []string
	}{
		"in sync": {
			spec:   zoomv1.ZoomUserSpec{FirstName: "Ada", Type: zoomv1.UserTypeBasic},
			remote: zoom.User{FirstName: "Ada", Type: 1, Status: zoom.StatusActive},
		},
		"empty fields are not managed": {
			spec:   zoomv1.ZoomUserSpec{Type: zoomv1.UserTypeBasic},
			remote: zoom.User{FirstName: "Zoom's", DisplayName: "own", Type: 1, Status: zoom.StatusActive},
		},
		"names and type": {
			spec:   zoomv1.ZoomUserSpec{FirstName: "Ada", LastName: "L", DisplayName: "Ada L.", Type: zoomv1.UserTypeLicensed},
			remote: zoom.User{FirstName: "X", LastName: "L", DisplayName: "Y", Type: 1, Status: zoom.StatusActive},
			want:   zoom.UpdateUserRequest{FirstName: str("Ada"), DisplayName: str("Ada L."), Type: num(2)},
			fields: []string{"firstName", "displayName", "type"},
		},
		"type None": {
			spec:   zoomv1.ZoomUserSpec{Type: zoomv1.UserTypeNone},
			remote: zoom.User{Type: 1, Status: zoom.StatusActive},
			want:   zoom.UpdateUserRequest{Type: num(99)},
			fields: []string{"type"},
		},
		// Zoom strips the licence of a deactivated user: Licensed while
		// inactive is not drift, and a PATCH would be dropped anyway.
		"inactive user keeps Basic for a Licensed spec": {
			spec:   zoomv1.ZoomUserSpec{Type: zoomv1.UserTypeLicensed, State: zoomv1.UserStateInactive},
			remote: zoom.User{Type: 1, Status: zoom.StatusInactive},
		},
		"inactive user still gets its names": {
			spec:   zoomv1.ZoomUserSpec{FirstName: "Ada", Type: zoomv1.UserTypeLicensed, State: zoomv1.UserStateInactive},
			remote: zoom.User{FirstName: "X", Type: 1, Status: zoom.StatusInactive},
			want:   zoom.UpdateUserRequest{FirstName: str("Ada")},
			fields: []string{"firstName"},
		},
		// The operator activates first; the type follows on the active user.
		"inactive user to be activated: type waits for the activation": {
			spec:   zoomv1.ZoomUserSpec{Type: zoomv1.UserTypeLicensed},
			remote: zoom.User{Type: 1, Status: zoom.StatusInactive},
		},
		"reactivated user gets its licence back": {
			spec:   zoomv1.ZoomUserSpec{Type: zoomv1.UserTypeLicensed},
			remote: zoom.User{Type: 1, Status: zoom.StatusActive},
			want:   zoom.UpdateUserRequest{Type: num(2)},
			fields: []string{"type"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			got, fields := Drift(&tc.spec, &tc.remote)
			if diff := cmp.Diff(tc.fields, fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("patch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTypeWaits(t *testing.T) {
	for name, tc := range map[string]struct {
		spec   zoomv1.ZoomUserSpec
		remote zoom.User
		want   bool
	}{
		"inactive, Licensed wanted":  {zoomv1.ZoomUserSpec{Type: zoomv1.UserTypeLicensed}, zoom.User{Type: 1, Status: zoom.StatusInactive}, true},
		"inactive, Basic wanted":     {zoomv1.ZoomUserSpec{Type: zoomv1.UserTypeBasic}, zoom.User{Type: 1, Status: zoom.StatusInactive}, false},
		"active, Licensed wanted":    {zoomv1.ZoomUserSpec{Type: zoomv1.UserTypeLicensed}, zoom.User{Type: 1, Status: zoom.StatusActive}, false},
		"inactive, already Licensed": {zoomv1.ZoomUserSpec{Type: zoomv1.UserTypeLicensed}, zoom.User{Type: 2, Status: zoom.StatusInactive}, false},
	} {
		t.Run(name, func(t *testing.T) {
			if got := TypeWaits(&tc.spec, &tc.remote); got != tc.want {
				t.Errorf("TypeWaits = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestUserTypeReversesZoomType(t *testing.T) {
	for _, name := range []zoomv1.UserType{zoomv1.UserTypeBasic, zoomv1.UserTypeLicensed, zoomv1.UserTypeUnassigned, zoomv1.UserTypeNone} {
		got, ok := UserType(ZoomType(name))
		if !ok || got != name {
			t.Errorf("UserType(ZoomType(%s)) = %q, %v; want %s, true", name, got, ok, name)
		}
	}
	for _, n := range []int{0, 3, 5, 100} {
		if got, ok := UserType(n); ok {
			t.Errorf("UserType(%d) = %q, true; want no name", n, got)
		}
	}
}

func TestChanges(t *testing.T) {
	for name, tc := range map[string]struct {
		spec   zoomv1.ZoomUserSpec
		remote zoom.User
		want   []Change
	}{
		"in sync": {
			spec:   zoomv1.ZoomUserSpec{FirstName: "Ada", Type: zoomv1.UserTypeBasic},
			remote: zoom.User{FirstName: "Ada", Type: zoom.TypeBasic, Status: zoom.StatusActive},
		},
		"names and type, from and to": {
			spec:   zoomv1.ZoomUserSpec{FirstName: "Ada", Type: zoomv1.UserTypeLicensed},
			remote: zoom.User{FirstName: "A.", Type: zoom.TypeBasic, Status: zoom.StatusActive},
			want:   []Change{{"firstName", "A.", "Ada"}, {"type", "Basic", "Licensed"}},
		},
		// Reactivation comes first; the type is then compared with the
		// user as activation leaves it.
		"activation, then the type": {
			spec:   zoomv1.ZoomUserSpec{Type: zoomv1.UserTypeLicensed},
			remote: zoom.User{Type: zoom.TypeBasic, Status: zoom.StatusInactive},
			want:   []Change{{"state", zoom.StatusInactive, zoom.StatusActive}, {"type", "Basic", "Licensed"}},
		},
		// Deactivation takes the licence; the spec's Licensed waits.
		"deactivation takes the licence and is the only change": {
			spec:   zoomv1.ZoomUserSpec{Type: zoomv1.UserTypeLicensed, State: zoomv1.UserStateInactive},
			remote: zoom.User{Type: zoom.TypeLicensed, Status: zoom.StatusActive},
			want:   []Change{{"state", zoom.StatusActive, zoom.StatusInactive}},
		},
		"a pending invitation is left alone": {
			spec:   zoomv1.ZoomUserSpec{FirstName: "Ada", Type: zoomv1.UserTypeLicensed},
			remote: zoom.User{Type: zoom.TypeBasic, Status: zoom.StatusPending},
		},
		"a type the API has no name for is shown as Zoom's number": {
			spec:   zoomv1.ZoomUserSpec{Type: zoomv1.UserTypeBasic},
			remote: zoom.User{Type: 3, Status: zoom.StatusActive},
			want:   []Change{{"type", "3", "Basic"}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Changes(&tc.spec, &tc.remote)); diff != "" {
				t.Errorf("Changes (-want +got):\n%s", diff)
			}
		})
	}
}
