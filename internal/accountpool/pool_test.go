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
	"errors"
	"net/http/httptest"
	"testing"

	"k8s.io/apimachinery/pkg/types"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

type fixture struct {
	pool *Pool
	fake *zoomfake.Server
	url  string
	good zoom.Credentials
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	opts := zoomfake.Options{AccountID: "acct-1", ClientID: "client-1", ClientSecret: "secret-1"}
	fake := zoomfake.New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	hosts, err := ParseHosts("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{
		pool: New(Options{Hosts: hosts}), fake: fake, url: srv.URL,
		good: zoom.Credentials{AccountID: opts.AccountID, ClientID: opts.ClientID, ClientSecret: opts.ClientSecret},
	}
}

func (f *fixture) source(version string) Source {
	return Source{
		Settings: zoomv1.AccountSettings{Plan: zoomv1.PlanPro, APIURL: f.url + "/v2", TokenURL: f.url + "/oauth/token"},
		Secret:   SecretRef{Name: types.NamespacedName{Namespace: "ns", Name: "s"}, Version: version},
	}
}

func TestObjectsOfOneZoomAccountShareItsState(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, err := f.pool.Connect(ctx, "ZoomAccount/a/zoom", f.source("1"), f.good)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.pool.Connect(ctx, "ZoomAccount/b/zoom", f.source("1"), f.good)
	if err != nil {
		t.Fatal(err)
	}
	if a.Identity != b.Identity || a.Gate != b.Gate {
		t.Errorf("two objects of one Zoom account got identities %v, %v and gates %p, %p", a.Identity, b.Identity, a.Gate, b.Gate)
	}
	if got := f.pool.Cached("ZoomAccount/a/zoom", f.source("1")); got == nil {
		t.Error("an authenticated, unchanged account is not served from the pool")
	}
	if got := f.pool.Cached("ZoomAccount/a/zoom", f.source("2")); got != nil {
		t.Error("a changed Secret version is served from the pool")
	}
}

// Credentials Zoom refused never reach shared state: no identity, and so no
// budget, snapshot, gate or metrics label of the account they name.
func TestUnauthenticatedAccountHasNoIdentity(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	forged := f.good
	forged.ClientSecret = "guessed"
	if _, err := f.pool.Connect(ctx, "ZoomAccount/evil/zoom", f.source("1"), forged); zoom.Classify(err) != zoom.KindUnauthorized {
		t.Fatalf("Connect with a wrong secret = %v, want Unauthorized", err)
	}
	if _, ok := f.pool.IdentityOf("ZoomAccount/evil/zoom", f.source("1")); ok {
		t.Error("an account whose credentials were refused has an identity")
	}
	if _, _, ok := f.pool.Remembered("ZoomAccount/evil/zoom"); ok {
		t.Error("an account whose credentials were refused is remembered for deletions")
	}
	// The refusal is remembered: the users of a broken account do not each
	// ask Zoom for a token again.
	before := f.fake.Count("POST /oauth/token")
	if _, err := f.pool.Connect(ctx, "ZoomAccount/evil/zoom", f.source("1"), forged); err == nil {
		t.Fatal("second Connect succeeded")
	}
	if n := f.fake.Count("POST /oauth/token") - before; n != 0 {
		t.Errorf("second Connect fetched %d tokens, want 0", n)
	}
}

func TestListingPaysCountsEveryObjectOfTheZoomAccount(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, key := range []Key{"ZoomAccount/a/zoom", "ZoomAccount/b/zoom"} {
		if _, err := f.pool.Connect(ctx, key, f.source("1"), f.good); err != nil {
			t.Fatal(err)
		}
	}
	st := f.pool.entries["ZoomAccount/a/zoom"].shared
	f.pool.CountUser("ZoomAccount/a/zoom", 2)
	f.pool.CountUser("ZoomAccount/b/zoom", 2)
	f.pool.CountUser("ZoomAccount/unbound/zoom", 100) // not bound to this Zoom account
	if !f.pool.listingPays(st, 3) {
		t.Error("4 users over two objects: listing in 3 calls should pay")
	}
	if f.pool.listingPays(st, 4) {
		t.Error("4 users: listing in 4 calls should not pay")
	}
}

func TestHostOutsideThePolicySendsNothing(t *testing.T) {
	f := newFixture(t)
	src := f.source("1")
	src.Settings.TokenURL = "https://zoom.example.com/oauth/token"
	_, err := f.pool.Connect(context.Background(), "ZoomAccount/a/zoom", src, f.good)
	var hostErr *HostError
	if !errorsAs(err, &hostErr) {
		t.Fatalf("Connect = %v, want a HostError", err)
	}
	if n := len(f.fake.Requests()); n != 0 {
		t.Errorf("%d requests reached Zoom", n)
	}
}

func errorsAs(err error, target **HostError) bool { return errors.As(err, target) }
