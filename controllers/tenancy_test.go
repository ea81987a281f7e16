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

package controllers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// An account that points outside --allowed-zoom-hosts (the suite allows
// 127.0.0.1 only) is not Ready with HostNotAllowed, and not one request, not
// even for a token, leaves the manager for it.
func TestAccountOutsideAllowedHostsSendsNothing(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	elsewhere := strings.Replace(tn.fake.URL, "127.0.0.1", "localhost", 1)
	tn.create(&zoomv1.ZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "elsewhere", Namespace: tn.ns},
		Spec: zoomv1.ZoomAccountSpec{
			CredentialsSecretRef: zoomv1.LocalSecretReference{Name: "zoom-s2s"},
			AccountSettings:      zoomv1.AccountSettings{APIURL: elsewhere + "/v2", TokenURL: elsewhere + "/oauth/token"},
		},
	})
	cond := waitAccountNamed(t, tn, "elsewhere", metav1.ConditionFalse, zoomv1.ReasonHostNotAllowed)
	if !strings.Contains(cond.Message, "--allowed-zoom-hosts") {
		t.Errorf("message %q does not name the flag", cond.Message)
	}
	tn.create(tn.user("ada", "ada@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.AccountRef.Name = "elsewhere" }))
	zu := tn.waitReason("ada", zoomv1.ReasonAccountNotReady)
	if msg := condition(zu, zoomv1.ConditionReady).Message; !strings.Contains(msg, "HostNotAllowed") {
		t.Errorf("ZoomUser message %q does not say HostNotAllowed", msg)
	}
	waitAccount(t, tn, metav1.ConditionTrue, zoomv1.ReasonAuthenticated) // the allowed account of the same Secret works
	tn.fake.ResetCounters()
	consistently(t, 2*resyncInterval/5, "no request for the disallowed account", func() bool {
		return len(tn.fake.Requests()) == 0
	})
}

// hostileZoom issues tokens, then answers every listing with a large page
// and a fresh next_page_token, forever.
type hostileZoom struct {
	pages, listings, mostPages, run atomic.Int64
}

func (h *hostileZoom) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasSuffix(r.URL.Path, "/oauth/token"):
		_, _ = fmt.Fprint(w, `{"access_token":"t","token_type":"bearer","expires_in":3600}`)
	case r.URL.Path == "/v2/users" && r.Method == http.MethodGet:
		n := h.pages.Add(1)
		if r.URL.Query().Get("next_page_token") == "" {
			h.listings.Add(1)
			h.run.Store(0)
		}
		if run := h.run.Add(1); run > h.mostPages.Load() {
			h.mostPages.Store(run)
		}
		users := make([]map[string]any, 2000)
		pad := strings.Repeat("x", 400)
		for i := range users {
			users[i] = map[string]any{"id": fmt.Sprintf("u%d-%d", n, i), "email": fmt.Sprintf("u%d-%d@example.com", n, i), "first_name": pad, "status": "active"}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"users": users, "next_page_token": fmt.Sprintf("p%d", n), "page_size": 2000})
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprint(w, `{"code":1001,"message":"User does not exist."}`)
	}
}

// A server that answers every listing with another 1 MiB page is cut off at
// the listing bound (the suite runs with --zoom-list-max-users 5000), the
// failed listing is not repeated by each waiting object, the account's users
// are not Ready, and another tenant's users converge meanwhile.
func TestEndlessListingIsBoundedAndOthersConverge(t *testing.T) {
	t.Parallel()
	hostile := &hostileZoom{}
	start := time.Now()
	srv := httptest.NewServer(hostile)
	t.Cleanup(srv.Close)
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "hostile", Namespace: tn.ns},
		StringData: map[string]string{zoomv1.SecretKeyAccountID: "h", zoomv1.SecretKeyClientID: "h", zoomv1.SecretKeyClientSecret: "h"}})
	tn.create(&zoomv1.ZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "hostile", Namespace: tn.ns},
		Spec: zoomv1.ZoomAccountSpec{
			CredentialsSecretRef: zoomv1.LocalSecretReference{Name: "hostile"},
			AccountSettings:      zoomv1.AccountSettings{APIURL: srv.URL + "/v2", TokenURL: srv.URL + "/oauth/token"},
		},
	})
	for i := range 5 {
		tn.create(tn.user(fmt.Sprintf("h%d", i), fmt.Sprintf("h%d@example.com", i), func(zu *zoomv1.ZoomUser) { zu.Spec.AccountRef.Name = "hostile" }))
	}
	other := newTenant(t, zoomfake.Options{}, false)
	for i := range 5 {
		other.create(other.user(fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@example.com", i)))
	}
	for i := range 5 {
		other.waitReady(fmt.Sprintf("u%d", i))
	}
	tn.waitUser("h0", "a listing attempt", func(*zoomv1.ZoomUser) bool { return hostile.pages.Load() > 0 })
	consistently(t, 3*time.Second, "h0 never Ready", func() bool {
		zu := tn.get("h0")
		c := condition(zu, zoomv1.ConditionReady)
		return c == nil || c.Status != metav1.ConditionTrue
	})
	// One listing stops after maxListUsers/2000 + 1 pages, and is not
	// tried again within the failure hold (the suite's resync, 5 s), however
	// many users wait.
	if most := hostile.mostPages.Load(); most > 3 {
		t.Errorf("one listing read %d pages, want at most 3", most)
	}
	if n, most := hostile.listings.Load(), int64(time.Since(start)/resyncInterval)+1; n > most {
		t.Errorf("%d listings in %v, want at most %d (one per hold)", n, time.Since(start).Round(time.Second), most)
	}
}

func (tn *tenant) get(name string) *zoomv1.ZoomUser {
	tn.t.Helper()
	var zu zoomv1.ZoomUser
	if err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: name}, &zu); err != nil {
		tn.t.Fatal(err)
	}
	return &zu
}

// slowTokens answers token requests only when released or given up,
// recording when each began.
type slowTokens struct {
	mu      sync.Mutex
	starts  []time.Time
	release chan struct{}
}

func (s *slowTokens) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.starts = append(s.starts, time.Now())
	s.mu.Unlock()
	select {
	case <-s.release:
	case <-r.Context().Done():
	}
	w.WriteHeader(http.StatusServiceUnavailable)
}

func (s *slowTokens) started() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.starts)
}

// overlapping counts the requests that began while an earlier one could
// still be waiting: the client gives each up after zoomTimeout, so one
// fetch at a time means starts at least that far apart. (Counting the
// handlers still running would also count one whose client already gave
// up, which the server notices a moment later.)
func overlapping(starts []time.Time) int {
	n := 0
	for i := 1; i < len(starts); i++ {
		if starts[i].Sub(starts[i-1]) < zoomTimeout*9/10 {
			n++
		}
	}
	return n
}

// One tenant's token endpoint hangs: its account holds at most one worker
// at a time (the others are told to come back), so another tenant's users
// converge meanwhile.
func TestSlowTokenEndpointHoldsOneWorker(t *testing.T) {
	t.Parallel()
	slow := &slowTokens{release: make(chan struct{})}
	srv := httptest.NewServer(slow)
	t.Cleanup(func() { close(slow.release); srv.Close() })
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "slow", Namespace: tn.ns},
		StringData: map[string]string{zoomv1.SecretKeyAccountID: "s", zoomv1.SecretKeyClientID: "s", zoomv1.SecretKeyClientSecret: "s"}})
	tn.create(&zoomv1.ZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "slow", Namespace: tn.ns},
		Spec: zoomv1.ZoomAccountSpec{
			CredentialsSecretRef: zoomv1.LocalSecretReference{Name: "slow"},
			AccountSettings:      zoomv1.AccountSettings{APIURL: srv.URL + "/v2", TokenURL: srv.URL + "/oauth/token"},
		},
	})
	for i := range 16 {
		tn.create(tn.user(fmt.Sprintf("s%d", i), fmt.Sprintf("s%d@example.com", i), func(zu *zoomv1.ZoomUser) { zu.Spec.AccountRef.Name = "slow" }))
	}
	tn.waitUser("s0", "a token request in flight", func(*zoomv1.ZoomUser) bool { return len(slow.started()) > 0 })
	other := newTenant(t, zoomfake.Options{}, false)
	for i := range 5 {
		other.create(other.user(fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@example.com", i)))
	}
	for i := range 5 {
		other.waitReady(fmt.Sprintf("u%d", i))
	}
	if starts := slow.started(); overlapping(starts) > 0 {
		t.Errorf("token requests for one account began at %v: %d began while another was in flight, want none", starts, overlapping(starts))
	}
}

// passwordLabel opts a Secret in as a ZoomUser password.
var passwordLabel = map[string]string{zoomv1.PasswordSecretLabel: "true"}

// A tenant who may write ZoomUsers but not read Secrets points
// passwordSecretRef at some other Secret of the namespace (say, the
// account's own credentials): without the opt-in label nothing is read out
// and sent to Zoom, and the message says what is missing.
func TestPasswordSecretNeedsTheOptInLabel(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("exfil", "exfil@example.com", func(zu *zoomv1.ZoomUser) {
		zu.Spec.Action, zu.Spec.DeletionPolicy = zoomv1.ActionAutoCreate, zoomv1.DeletionPolicyDelete
		zu.Spec.PasswordSecretRef = &zoomv1.SecretKeyReference{Name: "zoom-s2s", Key: zoomv1.SecretKeyClientSecret}
	}))
	zu := tn.waitReason("exfil", zoomv1.ReasonInvalidSpec)
	if msg := condition(zu, zoomv1.ConditionReady).Message; !strings.Contains(msg, zoomv1.PasswordSecretLabel) {
		t.Errorf("message %q does not name the label", msg)
	}
	if n := tn.fake.Count(postUsers); n != 0 {
		t.Errorf("%d creates sent with an unlabelled Secret's value", n)
	}
}

// A namespace loses its access to a ClusterZoomAccount and the account is
// then deleted. The client the manager remembers for the account's pending
// deletions serves only the namespaces the account allowed, so deleting a
// ZoomUser of the revoked namespace touches nothing in Zoom.
func TestRememberedClusterAccountServesOnlyAllowedNamespaces(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	labelNamespace(t, tn, map[string]string{"zoom-access": "yes"})
	name := tn.ns + "-shared"
	cza := &zoomv1.ClusterZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: zoomv1.ClusterZoomAccountSpec{
			CredentialsSecretRef: zoomv1.SecretReference{Name: "zoom-s2s", Namespace: tn.ns},
			AccountSettings:      tn.settings(false),
			AllowedNamespaces: zoomv1.AllowedNamespaces{From: zoomv1.NamespacesFromSelector,
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"zoom-access": "yes"}}},
		},
	}
	tn.create(cza)
	t.Cleanup(func() { _ = tn.k8s.Delete(context.Background(), cza) })
	tn.create(tn.user("kept", "kept@example.com", func(zu *zoomv1.ZoomUser) {
		zu.Spec.AccountRef = zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: name}
		zu.Spec.DeletionPolicy = zoomv1.DeletionPolicyDelete
	}))
	bound := tn.waitReady("kept")

	labelNamespace(t, tn, map[string]string{"zoom-access": "no"})
	tn.waitReason("kept", zoomv1.ReasonForbidden)
	if err := tn.k8s.Delete(context.Background(), cza); err != nil {
		t.Fatal(err)
	}
	tn.delete("kept")
	zu := tn.waitReason("kept", zoomv1.ReasonForbidden)
	if zu.Status.ID != bound.Status.ID {
		t.Errorf("status.id = %q, want the bound %q kept", zu.Status.ID, bound.Status.ID)
	}
	consistently(t, 2*time.Second, "no DELETE through the remembered client", func() bool {
		_, found := tn.fake.User("kept@example.com")
		return found && tn.fake.Count("DELETE /users/{userId}") == 0
	})
	// Release the object for the namespace's cleanup.
	tn.edit("kept", func(zu *zoomv1.ZoomUser) { zu.Spec.DeletionPolicy = zoomv1.DeletionPolicyOrphan })
	tn.waitGone("kept")
}

func labelNamespace(t *testing.T, tn *tenant, labels map[string]string) {
	t.Helper()
	var ns corev1.Namespace
	if err := tn.k8s.Get(context.Background(), client.ObjectKey{Name: tn.ns}, &ns); err != nil {
		t.Fatal(err)
	}
	ns.Labels = labels
	if err := tn.k8s.Update(context.Background(), &ns); err != nil {
		t.Fatal(err)
	}
}
