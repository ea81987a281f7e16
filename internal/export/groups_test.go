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
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// TestGroupMembers pages through a group larger than a page, merges two
// groups that share a member, and counts every call Zoom saw.
func TestGroupMembers(t *testing.T) {
	fake, client := startZoom(t, zoomfake.Options{})
	var eng []string
	for i := range zoom.MaxGroupPageSize + 1 {
		email := fmt.Sprintf("eng%03d@example.com", i)
		fake.AddUser(zoomfake.User{Email: email, Type: zoom.TypeBasic})
		eng = append(eng, email)
	}
	fake.AddUser(zoomfake.User{Email: "Ops@Example.com", Type: zoom.TypeLicensed})
	fake.AddUser(zoomfake.User{Email: "nobody@example.com", Type: zoom.TypeBasic})
	fake.AddGroup("Engineering", eng...)
	fake.AddGroup("Ops", "Ops@Example.com", eng[0])
	fake.AddGroup("Empty")

	var progress bytes.Buffer
	got, err := GroupMembers(context.Background(), client, []string{"Engineering", "Ops"}, &progress)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"ops@example.com": true}
	for _, e := range eng {
		want[e] = true
	}
	if diff := cmp.Diff(want, got.Emails); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	// One listing of groups, two pages of Engineering, one of Ops.
	if wantCalls := 4; got.Calls != wantCalls || fake.Count("") != wantCalls+1 /* the token */ {
		t.Errorf("calls: export says %d, Zoom saw %d (with the token); want %d", got.Calls, fake.Count(""), wantCalls)
	}
	if fake.Count(zoomfake.EndpointListGroupMembers) != 3 {
		t.Errorf("%d member listings, want 3", fake.Count(zoomfake.EndpointListGroupMembers))
	}
	for _, line := range []string{`group "Engineering" has 301 members (2 calls)`, `group "Ops" has 2 members (1 calls)`} {
		if !strings.Contains(progress.String(), line) {
			t.Errorf("progress lacks %q:\n%s", line, progress.String())
		}
	}
}

func TestGroupMembersUnknownGroup(t *testing.T) {
	for name, tc := range map[string]struct {
		groups  []string
		ask     []string
		wantErr string
	}{
		"none at all": {ask: []string{"eng"}, wantErr: `no Zoom group named "eng"; the account has no groups`},
		"wrong case": {groups: []string{"Ops", "Engineering"}, ask: []string{"Ops", "engineering"},
			wantErr: `no Zoom group named "engineering"; the account has 2 groups: "Engineering", "Ops"`},
		"two unknown": {groups: []string{"Ops"}, ask: []string{"a", "Ops", "b"},
			wantErr: `no Zoom group named "a", "b"; the account has 1 groups: "Ops"`},
		"many groups": {groups: groupNames(maxGroupsNamed + 3), ask: []string{"g99"},
			wantErr: `no Zoom group named "g99"; the account has 23 groups: "g00", "g01", ` + `"g02", "g03", "g04", "g05", "g06", "g07", "g08", "g09", "g10", ` +
				`"g11", "g12", "g13", "g14", "g15", "g16", "g17", "g18", "g19" and 3 more`},
	} {
		t.Run(name, func(t *testing.T) {
			fake, client := startZoom(t, zoomfake.Options{})
			for _, g := range tc.groups {
				fake.AddGroup(g)
			}
			_, err := GroupMembers(context.Background(), client, tc.ask, &bytes.Buffer{})
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("err = %v\nwant %s", err, tc.wantErr)
			}
			if n := fake.Count(zoomfake.EndpointListGroupMembers); n != 0 {
				t.Errorf("%d member listings before the names were checked", n)
			}
		})
	}
}

func groupNames(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("g%02d", i))
	}
	slices.Reverse(out) // the error sorts them
	return out
}

// TestGroupMembersStartsOver: a throttled or failed member listing is
// listed again after a pause; a refusal is not.
func TestGroupMembersStartsOver(t *testing.T) {
	for name, tc := range map[string]struct {
		fault   zoomfake.Fault
		waits   int
		wantErr string
	}{
		"5xx on groups":  {fault: zoomfake.Fault{Endpoint: zoomfake.EndpointListGroups, Times: 1, Status: 503}, waits: 1},
		"5xx on members": {fault: zoomfake.Fault{Endpoint: zoomfake.EndpointListGroupMembers, Times: 2, Status: 502}, waits: 2},
		"refusal": {fault: zoomfake.Fault{Endpoint: zoomfake.EndpointListGroupMembers, Status: 400, Code: 300, Message: "bad request"},
			wantErr: `listing the members of group "Ops": zoom:`},
	} {
		t.Run(name, func(t *testing.T) {
			fake, client := startZoom(t, zoomfake.Options{})
			fake.AddUser(zoomfake.User{Email: "ada@example.com", Type: zoom.TypeBasic})
			fake.AddGroup("Ops", "ada@example.com")
			fake.InjectFault(tc.fault)
			var waits []time.Duration
			record := func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			}
			got, err := groupMembersWith(context.Background(), client, []string{"Ops"}, &bytes.Buffer{}, record)
			if tc.wantErr == "" && (err != nil || !got.Emails["ada@example.com"]) {
				t.Fatalf("err %v, members %v; want ada", err, got.Emails)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
			if len(waits) != tc.waits {
				t.Errorf("waited %d times (%v), want %d", len(waits), waits, tc.waits)
			}
		})
	}
}
