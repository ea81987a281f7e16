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
	"net/http"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

const postUsers = "POST /users"

func TestCreateSetsZoomIDWithOneCreate(t *testing.T) {
	t.Parallel()
	// A Zoom account of its own, so that zoom_users counts this test's user alone.
	const accountID = "acct-create-once"
	tn := newTenant(t, zoomfake.Options{AccountID: accountID}, false)
	tn.create(tn.user("ada", "ada@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.Type = zoomv1.UserTypeLicensed }))

	zu := tn.waitReady("ada")
	remote, ok := tn.fake.User("ada@example.com")
	if !ok {
		t.Fatal("the fake Zoom has no user ada@example.com")
	}
	if zu.Status.ID != remote.ID || zu.Status.ID == "" {
		t.Errorf("status.id = %q, want the fake's id %q", zu.Status.ID, remote.ID)
	}
	if zu.Status.State != "active" || zu.Status.Adopted {
		t.Errorf("status = %+v, want state active, not adopted", zu.Status)
	}
	if remote.Type != 2 || remote.FirstName != "Ada" || remote.LastName != "Lovelace" || remote.Action != "ssoCreate" {
		t.Errorf("Zoom user = %+v, want Licensed Ada Lovelace by ssoCreate", remote)
	}
	if n := tn.fake.CountForEmail(postUsers, "ada@example.com"); n != 1 {
		t.Errorf("creates for ada = %d, want exactly 1", n)
	}
	tn.waitEvent("ada", corev1.EventTypeNormal, zoomv1.ReasonCreated, remote.ID)
	if n := gaugeValue(t, "zoom_users", map[string]string{"zoom_account": accountID, "state": "active", "ready": "True"}); n != 1 {
		t.Errorf("zoom_users for this account, active and Ready = %v, want 1", n)
	}
}

// gaugeValue reads one gauge sample from the manager's metrics registry.
func gaugeValue(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range families {
		if mf.GetName() != name {
			continue
		}
	samples:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue samples
				}
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

func TestInvitedUserIsReadyWhilePending(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("grace", "grace@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.Action = zoomv1.ActionCreate }))

	zu := tn.waitReason("grace", zoomv1.ReasonInvitePending)
	if zu.Status.State != "pending" || condition(zu, zoomv1.ConditionReady).Status != metav1.ConditionTrue {
		t.Errorf("status = %+v, want Ready=True with state pending", zu.Status)
	}
	if n := tn.fake.Count("PATCH /users/{userId}"); n != 0 {
		t.Errorf("PATCH calls for a pending user = %d, want 0", n)
	}
}

func TestDefaultClusterZoomAccount(t *testing.T) {
	// Not parallel: it owns the cluster-wide account named "default".
	tn := newTenant(t, zoomfake.Options{}, false)
	cza := &zoomv1.ClusterZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "default"},
		Spec: zoomv1.ClusterZoomAccountSpec{
			CredentialsSecretRef: zoomv1.SecretReference{Name: "zoom-s2s", Namespace: tn.ns},
			AccountSettings:      tn.settings(false),
		},
	}
	tn.create(cza)
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), cza) })

	zu := tn.user("linus", "linus@example.com")
	zu.Spec.AccountRef = zoomv1.AccountReference{}
	tn.create(zu)
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), zu) }) // the next run's "default" is another Zoom
	got := tn.waitReady("linus")
	if got.Spec.AccountRef.Kind != zoomv1.AccountKindCluster || got.Spec.AccountRef.Name != "default" {
		t.Errorf("accountRef defaulted to %+v, want ClusterZoomAccount default", got.Spec.AccountRef)
	}
	if _, ok := tn.fake.User("linus@example.com"); !ok {
		t.Error("no Zoom user was created through the default account")
	}
}

func TestAdoption(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		adopt  bool
		reason string
	}{
		{name: "allowed", adopt: true, reason: zoomv1.ReasonSynced},
		{name: "refused", adopt: false, reason: zoomv1.ReasonAlreadyExists},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tn := newTenant(t, zoomfake.Options{}, tc.adopt)
			existing := tn.fake.AddUser(zoomfake.User{Email: "old@example.com", FirstName: "Old", Type: 1,
				CreatedAt: time.Now().Add(-24 * time.Hour)})
			tn.create(tn.user("old", "old@example.com"))

			zu := tn.waitReason("old", tc.reason)
			if tc.adopt {
				if zu.Status.ID != existing.ID || !zu.Status.Adopted {
					t.Errorf("status = %+v, want adopted id %s", zu.Status, existing.ID)
				}
				tn.waitEvent("old", corev1.EventTypeNormal, zoomv1.ReasonAdopted, existing.ID)
				if u, _ := tn.fake.User("old@example.com"); u.FirstName != "Ada" {
					t.Errorf("adopted user's first name = %q, want the spec's Ada", u.FirstName)
				}
			} else {
				if zu.Status.ID != "" || condition(zu, zoomv1.ConditionStalled) == nil {
					t.Errorf("status = %+v, want Stalled without an id", zu.Status)
				}
				tn.waitEvent("old", corev1.EventTypeWarning, zoomv1.ReasonAlreadyExists, "adoptExistingUsers")
				if n := tn.fake.Count("PATCH /users/{userId}"); n != 0 {
					t.Errorf("refused adoption sent %d PATCH calls, want 0", n)
				}
			}
			if n := tn.fake.CountForEmail(postUsers, "old@example.com"); n != 0 {
				t.Errorf("creates = %d, want 0 (the user was found by email first)", n)
			}
		})
	}
}

// A user refused adoption is Stalled; switching adoption on in the account
// takes effect at once (the account watch), not at the next resync.
func TestAdoptionSwitchedOnTakesEffectAtOnce(t *testing.T) {
	t.Parallel()
	tn := newPromptTenant(t, zoomfake.Options{}, false)
	existing := tn.fake.AddUser(zoomfake.User{Email: "old@example.com", FirstName: "Old", Type: 1,
		CreatedAt: time.Now().Add(-24 * time.Hour)})
	tn.create(tn.user("old", "old@example.com"))
	tn.waitReason("old", zoomv1.ReasonAlreadyExists)

	var za zoomv1.ZoomAccount
	if err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: "zoom"}, &za); err != nil {
		t.Fatal(err)
	}
	za.Spec.AdoptExistingUsers = true
	if err := tn.k8s.Update(context.Background(), &za); err != nil {
		t.Fatal(err)
	}
	zu := tn.waitReason("old", zoomv1.ReasonSynced)
	if zu.Status.ID != existing.ID || !zu.Status.Adopted {
		t.Errorf("status = %+v, want adopted id %s", zu.Status, existing.ID)
	}
}

// A crash between Zoom's 201 and the status write leaves a Zoom user that is
// the object's own but has no status.id. The next reconcile must claim it,
// not create a second one, and not call it adopted.
func TestUserCreatedBeforeStatusWriteIsClaimedNotDuplicated(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	// The state a crash leaves: the create was requested (recorded in
	// status before the POST), Zoom created the user, no status.id.
	tn.create(tn.user("crash", "crash@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.Suspend = true }))
	tn.waitReason("crash", zoomv1.ReasonSuspended)
	tn.recordCreateRequest("crash", time.Now())
	created := tn.fake.AddUser(zoomfake.User{Email: "crash@example.com", FirstName: "Ada", LastName: "Lovelace", Type: 1, Action: "ssoCreate"})

	unsuspend(t, tn, "crash")
	zu := tn.waitReason("crash", zoomv1.ReasonSynced)
	if zu.Status.ID != created.ID || zu.Status.Adopted {
		t.Errorf("status = %+v, want id %s, not adopted", zu.Status, created.ID)
	}
	if n := tn.fake.CountForEmail(postUsers, "crash@example.com"); n != 0 {
		t.Errorf("creates = %d, want 0", n)
	}
}

func unsuspend(t *testing.T, tn *tenant, name string) {
	t.Helper()
	var zu zoomv1.ZoomUser
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: name}, &zu); err != nil {
		t.Fatal(err)
	}
	zu.Spec.Suspend = false
	if err := k8s.Update(context.Background(), &zu); err != nil {
		t.Fatal(err)
	}
}

func TestSuspendedUserMakesNoZoomCalls(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("sleepy", "sleepy@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.Suspend = true }))
	tn.waitReason("sleepy", zoomv1.ReasonSuspended)
	consistently(t, 2*time.Second, "no Zoom calls while suspended", func() bool { return userCalls(tn.fake.Server) == 0 })
}

func TestQPSRateLimitWaitsThenCreatesOnce(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.fake.InjectFault(zoomfake.Fault{Endpoint: postUsers, Times: 1, Status: http.StatusTooManyRequests, Code: 429,
		Message: "You have reached the maximum per-second rate limit for this API. Try again later.",
		Headers: map[string]string{"X-RateLimit-Type": "QPS", "X-RateLimit-Category": "Light"}})
	tn.create(tn.user("busy", "busy@example.com"))

	zu := tn.waitReady("busy")
	remote, _ := tn.fake.User("busy@example.com")
	if zu.Status.ID != remote.ID {
		t.Errorf("status.id = %q, want %q", zu.Status.ID, remote.ID)
	}
	posts := requestsTo(tn.fake.Server, postUsers)
	if len(posts) != 2 || posts[0].Status != 429 || posts[1].Status != 201 {
		t.Fatalf("creates = %+v, want one 429 then one 201", posts)
	}
	// About a second, as Zoom asks, not the controller's 5 ms first backoff.
	if gap := posts[1].Time.Sub(posts[0].Time); gap < time.Second {
		t.Errorf("retried after %v, want at least 1s", gap)
	}
}

func TestDailyCreateLimitPausesTheAccountUntilReset(t *testing.T) {
	t.Parallel()
	// Zoom's day is frozen at today's noon, so that a run crossing 00:00 UTC
	// does not reset the cap. The manager believes a daily Retry-After only
	// up to its own next 00:00 UTC (plus a margin), so the reset it names is
	// the fake's, or a day later when the run crossed midnight.
	zoomNoon := time.Now().UTC().Truncate(24 * time.Hour).Add(12 * time.Hour)
	tn := newTenant(t, zoomfake.Options{CreateDailyLimit: 1, Now: zoomfake.NewClock(zoomNoon).Now}, false)
	invite := func(zu *zoomv1.ZoomUser) { zu.Spec.Action = zoomv1.ActionCreate }
	tn.create(tn.user("first", "first@example.com", invite))
	tn.waitReason("first", zoomv1.ReasonInvitePending)

	tn.create(tn.user("second", "second@example.com", invite))
	zu := tn.waitReason("second", zoomv1.ReasonRateLimited)
	reset := zoomNoon.Truncate(24 * time.Hour).Add(24 * time.Hour)
	if time.Now().After(reset) {
		reset = reset.Add(24 * time.Hour)
	}
	if msg := condition(zu, zoomv1.ConditionReady).Message; !strings.Contains(msg, reset.Format(time.RFC3339)) {
		t.Errorf("message %q does not name the reset %s", msg, reset.Format(time.RFC3339))
	}
	tn.create(tn.user("third", "third@example.com", invite))
	tn.waitReason("third", zoomv1.ReasonRateLimited)

	consistently(t, 3*time.Second, "no further creates before the reset", func() bool {
		return tn.fake.CountForEmail(postUsers, "second@example.com") == 1 &&
			tn.fake.CountForEmail(postUsers, "third@example.com") == 0
	})
	// Other calls go on: an ssoCreate is not an invitation and is not capped.
	tn.create(tn.user("sso", "sso@example.com"))
	tn.waitReady("sso")
}

func TestTerminalErrorStallsWithZoomsMessage(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{MaxLicensed: 1}, false)
	licensed := func(zu *zoomv1.ZoomUser) { zu.Spec.Type = zoomv1.UserTypeLicensed }
	tn.create(tn.user("one", "one@example.com", licensed))
	tn.waitReady("one")
	tn.create(tn.user("two", "two@example.com", licensed))

	zu := tn.waitReason("two", zoomv1.ReasonZoomError)
	stalledCond := condition(zu, zoomv1.ConditionStalled)
	if stalledCond == nil || !strings.Contains(stalledCond.Message, "maximum number of 1 users") || !strings.Contains(stalledCond.Message, "code 2034") {
		t.Fatalf("Stalled = %+v, want Zoom's code 2034 and message", stalledCond)
	}
	if zu.Status.ObservedGeneration != zu.Generation {
		t.Errorf("observedGeneration = %d, want %d for a final verdict", zu.Status.ObservedGeneration, zu.Generation)
	}
	tn.waitEvent("two", corev1.EventTypeWarning, zoomv1.ReasonZoomError, "maximum number of 1 users")
	consistently(t, 2*time.Second, "no retry of a terminal error", func() bool {
		return tn.fake.CountForEmail(postUsers, "two@example.com") == 1
	})
}

func TestExpiredTokenIsRenewedWithoutAFailedReconcile(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("tok", "tok@example.com"))
	tn.waitReady("tok")
	tn.fake.ExpireTokens()

	var zu zoomv1.ZoomUser
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: "tok"}, &zu); err != nil {
		t.Fatal(err)
	}
	zu.Spec.FirstName = "Augusta"
	if err := k8s.Update(context.Background(), &zu); err != nil {
		t.Fatal(err)
	}
	tn.waitReady("tok")
	if u, _ := tn.fake.User("tok@example.com"); u.FirstName != "Augusta" {
		t.Errorf("first name in Zoom = %q, want Augusta", u.FirstName)
	}
	if n := tn.fake.Count("POST /oauth/token"); n != 2 {
		t.Errorf("token requests = %d, want 2 (the first and one renewal)", n)
	}
	if n := tn.fake.CountStatus(http.StatusUnauthorized); n != 1 {
		t.Errorf("401 answers = %d, want exactly 1", n)
	}
	for _, e := range tn.events("tok") {
		if e.Type == corev1.EventTypeWarning {
			t.Errorf("unexpected warning event: %s %s", e.Reason, e.Note)
		}
	}
}

func TestMissingAccountThenCreatedAccount(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.user("wait", "wait@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.AccountRef.Name = "later" }))
	zu := tn.waitReason("wait", zoomv1.ReasonAccountNotReady)
	if msg := condition(zu, zoomv1.ConditionReady).Message; !strings.Contains(msg, "ZoomAccount "+tn.ns+"/later not found") {
		t.Errorf("message = %q, want it to name the missing account", msg)
	}
	tn.create(&zoomv1.ZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "later", Namespace: tn.ns},
		Spec: zoomv1.ZoomAccountSpec{
			CredentialsSecretRef: zoomv1.LocalSecretReference{Name: "zoom-s2s"},
			AccountSettings:      tn.settings(false),
		},
	})
	tn.waitReady("wait")
}

func TestSecretWithoutKeysIsReported(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "half", Namespace: tn.ns},
		StringData: map[string]string{zoomv1.SecretKeyAccountID: testenv.FakeCredentials.AccountID}})
	tn.create(&zoomv1.ZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "half", Namespace: tn.ns},
		Spec:       zoomv1.ZoomAccountSpec{CredentialsSecretRef: zoomv1.LocalSecretReference{Name: "half"}, AccountSettings: tn.settings(false)},
	})
	tn.create(tn.user("keys", "keys@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.AccountRef.Name = "half" }))
	zu := tn.waitReason("keys", zoomv1.ReasonAccountNotReady)
	if msg := condition(zu, zoomv1.ConditionReady).Message; !strings.Contains(msg, "clientID") || !strings.Contains(msg, "clientSecret") {
		t.Errorf("message = %q, want the missing keys named", msg)
	}
	if n := userCalls(tn.fake.Server); n != 0 {
		t.Errorf("Zoom user API calls = %d, want 0", n)
	}
}

func TestForbiddenNamespaceMakesNoZoomCalls(t *testing.T) {
	t.Parallel()
	// A Stalled user is looked at again at the resync; the prompt
	// environment's is longer than waitTimeout, so only the namespace watch
	// can let it in.
	tn := newPromptTenant(t, zoomfake.Options{}, false)
	name := tn.ns + "-restricted"
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
	tn.create(tn.user("intruder", "intruder@example.com", func(zu *zoomv1.ZoomUser) {
		zu.Spec.AccountRef = zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: name}
	}))
	zu := tn.waitReason("intruder", zoomv1.ReasonForbidden)
	if condition(zu, zoomv1.ConditionStalled) == nil {
		t.Errorf("conditions = %+v, want Stalled", zu.Status.Conditions)
	}
	consistently(t, time.Second, "no Zoom calls from a forbidden namespace", func() bool { return userCalls(tn.fake.Server) == 0 })

	// Labelling the namespace lets it in, without waiting for a resync.
	var ns corev1.Namespace
	if err := tn.k8s.Get(context.Background(), client.ObjectKey{Name: tn.ns}, &ns); err != nil {
		t.Fatal(err)
	}
	ns.Labels = map[string]string{"zoom-access": "yes"}
	if err := tn.k8s.Update(context.Background(), &ns); err != nil {
		t.Fatal(err)
	}
	tn.waitReady("intruder")
}

func TestEmailUsedByAnotherZoomAccountStalls(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, true)
	tn.fake.InjectFault(zoomfake.Fault{Endpoint: postUsers, Status: http.StatusConflict, Code: 1005,
		Message: "Email elsewhere@example.com has already been used."})
	tn.create(tn.user("elsewhere", "elsewhere@example.com"))
	zu := tn.waitReason("elsewhere", zoomv1.ReasonAlreadyExists)
	if c := condition(zu, zoomv1.ConditionStalled); c == nil || !strings.Contains(c.Message, "another Zoom account") {
		t.Errorf("Stalled = %+v, want it to explain the email is used elsewhere", c)
	}
	consistently(t, 2*time.Second, "no retry loop", func() bool { return tn.fake.Count(postUsers) == 1 })
}

func requestsTo(fake *zoomfake.Server, endpoint string) []zoomfake.Request {
	var out []zoomfake.Request
	for _, r := range fake.Requests() {
		if r.Endpoint == endpoint {
			out = append(out, r)
		}
	}
	return out
}

// userCalls counts calls to Zoom's user API, leaving out the accounts' own
// token requests.
func userCalls(fake *zoomfake.Server) int {
	return len(fake.Requests()) - fake.Count(zoomfake.EndpointToken)
}
