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
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// TestListCallsAreCountedNotEstimated lists a fake Zoom that serves pages
// of 300 although 2000 are asked for: the cost the cache reports is the
// calls made, not users divided by zoom.MaxPageSize.
func TestListCallsAreCountedNotEstimated(t *testing.T) {
	fake := zoomfake.New(zoomfake.Options{PageSizeCap: 300})
	for i := range 650 {
		fake.AddUser(zoomfake.User{Email: fmt.Sprintf("u%d@example.com", i), Type: zoom.TypeBasic})
	}
	fake.AddUser(zoomfake.User{Email: "off@example.com", Type: zoom.TypeBasic, Status: zoom.StatusInactive})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	client := zoom.New(zoom.Config{APIURL: srv.URL + "/v2", TokenURL: srv.URL + "/oauth/token"})

	clk := &clock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	var asked []int
	c := New(time.Minute, clk.now, func(calls int) bool {
		asked = append(asked, calls)
		return true
	})
	ctx := context.Background()
	if _, a, err := c.Lookup(ctx, client, "u649@example.com"); err != nil || a != Found {
		t.Fatalf("Lookup = %v, %v; want Found", a, err)
	}
	clk.t = clk.t.Add(2 * time.Minute)
	if _, _, err := c.Lookup(ctx, client, "u0@example.com"); err != nil {
		t.Fatal(err)
	}
	// 650 active users in pages of 300, then one page each of inactive and pending.
	want := []int{3, 5}
	if fmt.Sprint(asked) != fmt.Sprint(want) || fake.Count(zoomfake.EndpointListUsers) != 10 {
		t.Errorf("worthIt asked with %v after %d list calls; want %v after 10", asked, fake.Count(zoomfake.EndpointListUsers), want)
	}
}
