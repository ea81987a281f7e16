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
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// edit changes a ZoomUser's spec, retrying on update conflicts with the manager.
func (tn *tenant) edit(name string, change func(*zoomv1.ZoomUser)) {
	tn.t.Helper()
	for attempt := 0; ; attempt++ {
		var zu zoomv1.ZoomUser
		if err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: name}, &zu); err != nil {
			tn.t.Fatal(err)
		}
		change(&zu)
		err := tn.k8s.Update(context.Background(), &zu)
		if err == nil {
			return
		}
		if !apierrors.IsConflict(err) || attempt > 20 {
			tn.t.Fatal(err)
		}
	}
}

func (tn *tenant) delete(name string) {
	tn.t.Helper()
	zu := &zoomv1.ZoomUser{ObjectMeta: metav1.ObjectMeta{Namespace: tn.ns, Name: name}}
	if err := tn.k8s.Delete(context.Background(), zu); err != nil {
		tn.t.Fatal(err)
	}
}

// waitGone waits until the ZoomUser no longer exists.
func (tn *tenant) waitGone(name string) {
	tn.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: name}, &zoomv1.ZoomUser{})
		if apierrors.IsNotFound(err) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tn.t.Fatalf("ZoomUser %s was never deleted", name)
}

// waitZoom waits until the fake's user for email satisfies ok.
func (tn *tenant) waitZoom(email, what string, ok func(zoomfake.User, bool) bool) {
	tn.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		if ok(tn.fake.User(email)) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	u, found := tn.fake.User(email)
	tn.t.Fatalf("Zoom user %s never became %s; have %+v (found %v)", email, what, u, found)
}

func TestDriftInZoomIsPutBackAtResync(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("drift", "drift@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.DisplayName = "Ada L." }))
	tn.waitReady("drift")

	u, _ := tn.fake.User("drift@example.com")
	u.FirstName, u.DisplayName, u.Type, u.Status = "Changed", "Someone", 2, "inactive"
	tn.fake.SetUser(u)
	tn.waitZoom("drift@example.com", "put back", func(u zoomfake.User, _ bool) bool {
		return u.FirstName == "Ada" && u.DisplayName == "Ada L." && u.Type == 1 && u.Status == "active"
	})
	tn.waitEvent("drift", corev1.EventTypeNormal, zoomv1.ReasonUpdated, u.ID)
}

func TestSpecChangesReachZoom(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("change", "change@example.com"))
	tn.waitReady("change")

	tn.edit("change", func(zu *zoomv1.ZoomUser) {
		zu.Spec.LastName, zu.Spec.Type, zu.Spec.State = "Byron", zoomv1.UserTypeLicensed, zoomv1.UserStateInactive
	})
	zu := tn.waitUser("change", "inactive", func(zu *zoomv1.ZoomUser) bool {
		return readyAtGeneration(zu) && zu.Status.State == "inactive"
	})
	// Zoom strips the licence of a user it deactivates: Basic while inactive.
	if u, _ := tn.fake.User("change@example.com"); u.LastName != "Byron" || u.Type != 1 || u.Status != "inactive" {
		t.Errorf("Zoom user = %+v, want Byron, Basic, inactive", u)
	}
	if zu.Status.ObservedGeneration != zu.Generation {
		t.Errorf("observedGeneration = %d, want %d", zu.Status.ObservedGeneration, zu.Generation)
	}
	tn.edit("change", func(zu *zoomv1.ZoomUser) { zu.Spec.State = zoomv1.UserStateActive })
	tn.waitZoom("change@example.com", "active", func(u zoomfake.User, _ bool) bool { return u.Status == "active" })
}

func TestPendingUserIsNeverPatched(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("invitee", "invitee@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.Action = zoomv1.ActionCreate }))
	tn.waitReason("invitee", zoomv1.ReasonInvitePending)
	tn.edit("invitee", func(zu *zoomv1.ZoomUser) { zu.Spec.FirstName = "Later" })
	tn.waitReason("invitee", zoomv1.ReasonInvitePending)
	consistently(t, 2*time.Second, "no PATCH of a pending user", func() bool {
		return tn.fake.Count(zoomfake.EndpointUpdateUser) == 0
	})

	// Once the invitation is accepted, the waiting drift is applied.
	tn.fake.AcceptInvite("invitee@example.com")
	tn.waitZoom("invitee@example.com", "renamed", func(u zoomfake.User, _ bool) bool { return u.FirstName == "Later" })
	tn.waitUser("invitee", "active", func(zu *zoomv1.ZoomUser) bool { return zu.Status.State == "active" })
}

func TestRefusedTypeChangeStallsAndRecovers(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{MaxLicensed: 1}, false)
	tn.create(tn.user("paid", "paid@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.Type = zoomv1.UserTypeLicensed }))
	tn.create(tn.user("free", "free@example.com"))
	tn.waitReady("paid")
	tn.waitReady("free")

	tn.edit("free", func(zu *zoomv1.ZoomUser) { zu.Spec.Type = zoomv1.UserTypeLicensed })
	zu := tn.waitReason("free", zoomv1.ReasonZoomError)
	if c := condition(zu, zoomv1.ConditionStalled); c == nil || !strings.Contains(c.Message, "maximum number of \"1\" paying users") {
		t.Fatalf("Stalled = %+v, want Zoom's licence message", c)
	}
	tn.fake.SetMaxLicensed(2) // a licence was bought
	tn.waitReady("free")
	if u, _ := tn.fake.User("free@example.com"); u.Type != 2 {
		t.Errorf("type in Zoom = %d, want 2", u.Type)
	}
}

func TestDeletionPolicies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		policy    zoomv1.DeletionPolicy
		action    zoomv1.CreateAction
		endpoint  string // the one call expected, "" for none
		query     string
		remaining string // Zoom status afterwards, "" when gone
	}{
		{zoomv1.DeletionPolicyDelete, zoomv1.ActionSSOCreate, zoomfake.EndpointDeleteUser, "action=delete", ""},
		{zoomv1.DeletionPolicyDisassociate, zoomv1.ActionSSOCreate, zoomfake.EndpointDeleteUser, "action=disassociate", ""},
		{zoomv1.DeletionPolicyDeactivate, zoomv1.ActionSSOCreate, zoomfake.EndpointUpdateStatus, "", "inactive"},
		{zoomv1.DeletionPolicyOrphan, zoomv1.ActionSSOCreate, "", "", "active"},
		{zoomv1.DeletionPolicyDelete, zoomv1.ActionCreate, zoomfake.EndpointDeleteUser, "action=disassociate", ""},
	} {
		t.Run(string(tc.policy)+"-"+string(tc.action), func(t *testing.T) {
			t.Parallel()
			tn := newTenant(t, zoomfake.Options{}, false)
			email := strings.ToLower(string(tc.policy)) + "@example.com"
			tn.create(tn.user("bye", email, func(zu *zoomv1.ZoomUser) {
				zu.Spec.DeletionPolicy, zu.Spec.Action = tc.policy, tc.action
			}))
			tn.waitReady("bye")
			before := len(tn.fake.Requests())
			tn.delete("bye")
			tn.waitGone("bye")

			var calls []zoomfake.Request // the changes sent; reads (a resync may fall in between) do not count
			for _, r := range tn.fake.Requests()[before:] {
				if r.Endpoint != zoomfake.EndpointToken && !strings.HasPrefix(r.Endpoint, "GET ") {
					calls = append(calls, r)
				}
			}
			if tc.endpoint == "" && len(calls) != 0 {
				t.Fatalf("calls = %+v, want none", calls)
			}
			if tc.endpoint != "" && (len(calls) != 1 || calls[0].Endpoint != tc.endpoint || calls[0].Query != tc.query) {
				t.Fatalf("calls = %+v, want exactly one %s %s", calls, tc.endpoint, tc.query)
			}
			u, found := tn.fake.User(email)
			if found != (tc.remaining != "") || (found && u.Status != tc.remaining) {
				t.Errorf("Zoom user after deletion = %+v (found %v), want %q", u, found, tc.remaining)
			}
		})
	}
}

func TestUserAlreadyGoneInZoomCompletesDeletion(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("gone", "gone@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.DeletionPolicy = zoomv1.DeletionPolicyDelete }))
	tn.waitReady("gone")
	tn.fake.RemoveUser("gone@example.com")
	tn.delete("gone")
	tn.waitGone("gone")
}

func TestAdoptedUserIsNotDeletedWithoutPermission(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, true)
	tn.fake.AddUser(zoomfake.User{Email: "boss@example.com", FirstName: "Ada", LastName: "Lovelace", Type: 1, CreatedAt: time.Now().Add(-time.Hour)})
	tn.create(tn.user("boss", "boss@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.DeletionPolicy = zoomv1.DeletionPolicyDelete }))
	if zu := tn.waitReady("boss"); !zu.Status.Adopted {
		t.Fatalf("status = %+v, want adopted", zu.Status)
	}
	var za zoomv1.ZoomAccount
	if err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: "zoom"}, &za); err != nil {
		t.Fatal(err)
	}
	za.Spec.AdoptExistingUsers = false
	if err := k8s.Update(context.Background(), &za); err != nil {
		t.Fatal(err)
	}
	tn.delete("boss")
	tn.waitGone("boss")
	if _, found := tn.fake.User("boss@example.com"); !found {
		t.Error("an adopted user was deleted although the account no longer allows adoption")
	}
	if n := tn.fake.Count(zoomfake.EndpointDeleteUser); n != 0 {
		t.Errorf("DELETE calls = %d, want 0", n)
	}
}

// A deletion that cannot reach Zoom (here: the account does not exist, and
// this manager never held a client for it) says so, and deletionPolicy:
// Orphan releases the object.
func TestDeletionWithoutAccountSaysSoAndOrphanReleases(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("stuck", "stuck@example.com", func(zu *zoomv1.ZoomUser) {
		zu.Spec.AccountRef.Name = "ghost"
		zu.Finalizers = []string{zoomv1.Finalizer}
	}))
	tn.waitReason("stuck", zoomv1.ReasonAccountNotReady)
	// As if an earlier manager had created the user through that account.
	for attempt := 0; ; attempt++ {
		var zu zoomv1.ZoomUser
		if err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: "stuck"}, &zu); err != nil {
			t.Fatal(err)
		}
		zu.Status.ID = "earlier-id"
		err := k8s.Status().Update(context.Background(), &zu)
		if err == nil {
			break
		}
		if !apierrors.IsConflict(err) || attempt > 20 {
			t.Fatal(err)
		}
	}
	tn.delete("stuck")
	zu := tn.waitUser("stuck", "waiting on deletion", func(zu *zoomv1.ZoomUser) bool {
		c := condition(zu, zoomv1.ConditionReady)
		return zu.DeletionTimestamp != nil && c != nil && strings.Contains(c.Message, "deletion waits")
	})
	if c := condition(zu, zoomv1.ConditionReady); c.Reason != zoomv1.ReasonAccountNotReady {
		t.Errorf("Ready = %+v, want reason AccountNotReady", c)
	}
	tn.waitEvent("stuck", corev1.EventTypeWarning, zoomv1.ReasonAccountNotReady, "deletionPolicy: Orphan")
	tn.edit("stuck", func(zu *zoomv1.ZoomUser) { zu.Spec.DeletionPolicy = zoomv1.DeletionPolicyOrphan })
	tn.waitGone("stuck")
}

// The account's deletion does not strand its users: their deletions finish
// with the client the manager still holds.
func TestDeletionAfterTheAccountWentStillReachesZoom(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("late", "late@example.com"))
	tn.waitReady("late")
	if err := k8s.Delete(context.Background(), &zoomv1.ZoomAccount{ObjectMeta: metav1.ObjectMeta{Namespace: tn.ns, Name: "zoom"}}); err != nil {
		t.Fatal(err)
	}
	tn.delete("late")
	tn.waitGone("late")
	if _, found := tn.fake.User("late@example.com"); found {
		t.Error("the Zoom user outlived its object")
	}
}

func TestSuspendedDeletionWaits(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("nap", "nap@example.com"))
	tn.waitReady("nap")
	tn.edit("nap", func(zu *zoomv1.ZoomUser) { zu.Spec.Suspend = true })
	tn.waitReason("nap", zoomv1.ReasonSuspended)
	tn.delete("nap")
	zu := tn.waitUser("nap", "waiting for suspend", func(zu *zoomv1.ZoomUser) bool {
		c := condition(zu, zoomv1.ConditionReconciling)
		return c != nil && c.Reason == zoomv1.ReasonSuspended && strings.Contains(c.Message, "deletion")
	})
	if zu.DeletionTimestamp == nil {
		t.Fatal("not being deleted")
	}
	consistently(t, time.Second, "the user stays in Zoom while suspended", func() bool {
		_, found := tn.fake.User("nap@example.com")
		return found
	})
	tn.edit("nap", func(zu *zoomv1.ZoomUser) { zu.Spec.Suspend = false })
	tn.waitGone("nap")
	if _, found := tn.fake.User("nap@example.com"); found {
		t.Error("the user is still in Zoom after deletion with policy Disassociate")
	}
}

func TestConflictingClaimsOnOneEmail(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("first", "shared@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.DeletionPolicy = zoomv1.DeletionPolicyOrphan }))
	tn.waitReady("first")
	tn.create(tn.user("second", "shared@example.com"))

	zu := tn.waitReason("second", zoomv1.ReasonConflict)
	if msg := condition(zu, zoomv1.ConditionStalled).Message; !strings.Contains(msg, tn.ns+"/first") {
		t.Errorf("message = %q, want it to name the winner", msg)
	}
	if zu.Status.ID != "" {
		t.Errorf("the loser holds id %q", zu.Status.ID)
	}
	// The winner reads its user by id at resyncs; only a claimant without
	// an id would write to Zoom or look the email up.
	byEmailOrWrite := func() int {
		n := 0
		for _, r := range tn.fake.Requests() {
			if r.Email == "shared@example.com" && (!strings.HasPrefix(r.Endpoint, "GET ") || strings.HasSuffix(r.Path, "/shared@example.com")) {
				n++
			}
		}
		return n
	}
	calls := byEmailOrWrite()
	consistently(t, 2*time.Second, "the loser makes no Zoom call", func() bool { return byEmailOrWrite() == calls })
	if n := tn.fake.CountForEmail(postUsers, "shared@example.com"); n != 1 {
		t.Errorf("creates = %d, want 1", n)
	}
	// A third claimant that did send a create (as in a race) and is deleted
	// must not take the winner's user with it.
	tn.create(tn.user("third", "shared@example.com", func(zu *zoomv1.ZoomUser) {
		zu.Finalizers = []string{zoomv1.Finalizer}
		zu.Spec.DeletionPolicy = zoomv1.DeletionPolicyDelete
	}))
	tn.waitReason("third", zoomv1.ReasonConflict)
	tn.recordCreateRequest("third", time.Now().Add(-time.Hour))
	tn.delete("third")
	tn.waitGone("third")
	if _, found := tn.fake.User("shared@example.com"); !found {
		t.Fatal("deleting a conflict's loser deleted the winner's Zoom user")
	}
	// The winner goes (leaving its user in Zoom): the loser takes over, but
	// as an existing user it did not create, which this account may not adopt.
	tn.delete("first")
	tn.waitGone("first")
	tn.waitReason("second", zoomv1.ReasonAlreadyExists)
}

func TestCredentialRotationWithoutRestart(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("rot", "rot@example.com"))
	tn.waitReady("rot")
	waitAccount(t, tn, metav1.ConditionTrue, zoomv1.ReasonAuthenticated)

	// Zoom rotates the secret and old tokens die: the account turns not Ready.
	tn.fake.SetCredentials(testenv.FakeCredentials.ClientID, "rotated-secret-2")
	tn.fake.ExpireTokens()
	tn.edit("rot", func(zu *zoomv1.ZoomUser) { zu.Spec.FirstName = "Rotated" })
	tn.waitReason("rot", zoomv1.ReasonAccountNotReady)

	// The owner updates the Secret: account and user recover, no restart.
	var secret corev1.Secret
	if err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: "zoom-s2s"}, &secret); err != nil {
		t.Fatal(err)
	}
	secret.Data[zoomv1.SecretKeyClientSecret] = []byte("rotated-secret-2")
	if err := k8s.Update(context.Background(), &secret); err != nil {
		t.Fatal(err)
	}
	waitAccount(t, tn, metav1.ConditionTrue, zoomv1.ReasonAuthenticated)
	tn.waitReady("rot")
	if u, _ := tn.fake.User("rot@example.com"); u.FirstName != "Rotated" {
		t.Errorf("first name in Zoom = %q, want Rotated", u.FirstName)
	}
}

func TestAccountReportsZoomAuthErrorsVerbatim(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "wrong", Namespace: tn.ns}, StringData: map[string]string{
		zoomv1.SecretKeyAccountID: testenv.FakeCredentials.AccountID, zoomv1.SecretKeyClientID: testenv.FakeCredentials.ClientID, zoomv1.SecretKeyClientSecret: "wrong-secret-xyz"}})
	tn.create(&zoomv1.ZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "wrong", Namespace: tn.ns},
		Spec:       zoomv1.ZoomAccountSpec{CredentialsSecretRef: zoomv1.LocalSecretReference{Name: "wrong"}, AccountSettings: tn.settings(false)},
	})
	c := waitAccountNamed(t, tn, "wrong", metav1.ConditionFalse, zoomv1.ReasonAuthFailed)
	if !strings.Contains(c.Message, "Invalid client_id or client_secret") || strings.Contains(c.Message, "wrong-secret-xyz") {
		t.Errorf("message = %q, want Zoom's words and no secret", c.Message)
	}
}

func TestAutoCreatePasswordFromSecret(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	const password = "Str0ngPassw0rdValue"
	tn.create(tn.user("auto", "auto@example.com", func(zu *zoomv1.ZoomUser) {
		zu.Spec.Action, zu.Spec.DeletionPolicy = zoomv1.ActionAutoCreate, zoomv1.DeletionPolicyDelete
		zu.Spec.PasswordSecretRef = &zoomv1.SecretKeyReference{Name: "auto-pw", Key: "password"}
	}))
	zu := tn.waitReason("auto", zoomv1.ReasonInvalidSpec)
	if msg := condition(zu, zoomv1.ConditionReady).Message; !strings.Contains(msg, "password Secret auto-pw not found") {
		t.Errorf("message = %q, want the missing Secret named", msg)
	}
	tn.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "auto-pw", Namespace: tn.ns, Labels: passwordLabel}, StringData: map[string]string{"password": password + "\n"}})
	zu = tn.waitReady("auto") // the Secret watch brings it back at once
	posts := requestsTo(tn.fake.Server, postUsers)
	if len(posts) != 1 || !strings.Contains(string(posts[0].Body), `"password":"`+password+`"`) {
		t.Fatalf("create bodies = %+v, want one carrying the password", posts)
	}
	assertNoSecretIn(t, tn, "auto", password)
}

// assertNoSecretIn checks the object's status and events for a value.
func assertNoSecretIn(t *testing.T, tn *tenant, name, value string) {
	t.Helper()
	var zu zoomv1.ZoomUser
	if err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: name}, &zu); err != nil {
		t.Fatal(err)
	}
	for _, c := range zu.Status.Conditions {
		if strings.Contains(c.Message, value) {
			t.Errorf("condition %s carries the secret", c.Type)
		}
	}
	for _, e := range tn.events(name) {
		if strings.Contains(e.Note, value) {
			t.Errorf("event %s carries the secret", e.Reason)
		}
	}
}

func waitAccount(t *testing.T, tn *tenant, status metav1.ConditionStatus, reason string) *metav1.Condition {
	t.Helper()
	return waitAccountNamed(t, tn, "zoom", status, reason)
}

func waitAccountNamed(t *testing.T, tn *tenant, name string, status metav1.ConditionStatus, reason string) *metav1.Condition {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	var za zoomv1.ZoomAccount
	for time.Now().Before(deadline) {
		if err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: name}, &za); err == nil {
			for i, c := range za.Status.Conditions {
				if c.Type == zoomv1.ConditionReady && c.Status == status && c.Reason == reason {
					return &za.Status.Conditions[i]
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("ZoomAccount %s never became %s/%s: %+v", name, status, reason, za.Status)
	return nil
}

// With more users than list pages, a resync reads the account's listing
// instead of one GET per user, and still finds drift.
func TestResyncReadsTheListingNotOneGetPerUser(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	const n = 8
	for i := range n {
		tn.create(tn.user(fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@example.com", i)))
	}
	for i := range n {
		tn.waitReady(fmt.Sprintf("u%d", i))
	}
	time.Sleep(2 * resyncInterval) // the snapshot decision saw all n users
	tn.fake.ResetCounters()
	u, _ := tn.fake.User("u3@example.com")
	u.FirstName = "Drifted"
	tn.fake.SetUser(u)

	tn.waitZoom("u3@example.com", "put back", func(u zoomfake.User, _ bool) bool { return u.FirstName == "Ada" })
	time.Sleep(resyncInterval)
	if got := tn.fake.Count(zoomfake.EndpointGetUser); got != 0 {
		t.Errorf("single GETs during resyncs = %d, want 0", got)
	}
	// About one snapshot (3 lists) per resync interval; a counter reset in
	// the middle of one may cut it.
	if lists := tn.fake.Count(zoomfake.EndpointListUsers); lists < 3 || lists > 9 {
		t.Errorf("list calls = %d, want one to three snapshots of 3 lists", lists)
	}
}

// A create whose answer was lost (no status.id) must not leak its Zoom user
// when the object is deleted before the next reconcile; a user that merely
// shares the email, made before the create was asked for, is left alone.
func TestDeletionFindsALostCreate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		age    time.Duration // of the Zoom user, against the create request
		status string
		// relogged gives the user a login type newer than the request: Zoom's
		// deprecated created_at then looks recent, user_created_at does not.
		relogged bool
		wantGone bool
	}{
		{name: "made by this object", age: -time.Second, wantGone: true},
		{name: "made before the create request", age: time.Hour},
		{name: "made before, with a newer login type", age: time.Hour, relogged: true},
		{name: "an older invitation, whose created_at is the time of the call", age: time.Hour, status: "pending"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tn := newTenant(t, zoomfake.Options{}, false)
			requested := time.Now()
			tn.create(tn.user("lost", "lost@example.com", func(zu *zoomv1.ZoomUser) {
				zu.Spec.Suspend = true
				zu.Finalizers = []string{zoomv1.Finalizer}
			}))
			tn.waitReason("lost", zoomv1.ReasonSuspended)
			tn.recordCreateRequest("lost", requested)
			seeded := zoomfake.User{Email: "lost@example.com", Type: 1, Status: tc.status, CreatedAt: requested.Add(-tc.age)}
			if tc.relogged {
				seeded.LoginTypeCreatedAt = requested.Add(time.Second)
			}
			tn.fake.AddUser(seeded)
			tn.delete("lost")
			tn.waitUser("lost", "waiting for suspend", func(zu *zoomv1.ZoomUser) bool {
				c := condition(zu, zoomv1.ConditionReconciling)
				return c != nil && c.Reason == zoomv1.ReasonSuspended
			})
			tn.edit("lost", func(zu *zoomv1.ZoomUser) { zu.Spec.Suspend = false })
			tn.waitGone("lost")
			if _, found := tn.fake.User("lost@example.com"); found == tc.wantGone {
				t.Errorf("Zoom user still there = %v, want %v", found, !tc.wantGone)
			}
		})
	}
}
