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
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// liveGroup is a ZoomGroup of the tenant's account selecting team=team.
func (tn *tenant) liveGroup(name, team string, edit ...func(*zoomv1.ZoomGroup)) *zoomv1.ZoomGroup {
	zg := tn.group(team, func(zg *zoomv1.ZoomGroup) {
		zg.Name, zg.Spec.Suspend = name, false
		zg.Spec.AccountRef = zoomv1.AccountReference{Kind: zoomv1.AccountKindNamespaced, Name: "zoom"}
	})
	for _, e := range edit {
		e(zg)
	}
	return zg
}

// teamUser is a ZoomUser labelled team=team.
func (tn *tenant) teamUser(name, team string) *zoomv1.ZoomUser {
	return tn.user(name, name+"@example.com", func(zu *zoomv1.ZoomUser) { zu.Labels = map[string]string{"team": team} })
}

// editAccount changes the tenant's ZoomAccount "zoom".
func (tn *tenant) editAccount(edit func(*zoomv1.AccountSettings)) {
	tn.t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var za zoomv1.ZoomAccount
		if err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: "zoom"}, &za); err != nil {
			return err
		}
		edit(&za.Spec.AccountSettings)
		return tn.k8s.Update(context.Background(), &za)
	})
	if err != nil {
		tn.t.Fatal(err)
	}
}

// waitGroup polls the ZoomGroup until ok holds.
func (tn *tenant) waitGroup(name, what string, ok func(*zoomv1.ZoomGroup) bool) *zoomv1.ZoomGroup {
	tn.t.Helper()
	var zg zoomv1.ZoomGroup
	deadline := time.Now().Add(waitTimeout)
	for {
		err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: name}, &zg)
		if err == nil && ok(&zg) {
			return &zg
		}
		if time.Now().After(deadline) {
			tn.t.Fatalf("ZoomGroup %s never became %s; last status: %+v (err %v)", name, what, zg.Status, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func groupReason(zg *zoomv1.ZoomGroup) string {
	if c := meta.FindStatusCondition(zg.Status.Conditions, zoomv1.ConditionReady); c != nil && c.ObservedGeneration == zg.Generation {
		return string(c.Status) + "/" + c.Reason
	}
	return ""
}

// waitMembers waits until the fake's group of that name has exactly emails.
func (tn *tenant) waitMembers(groupName string, emails ...string) {
	tn.t.Helper()
	slices.Sort(emails)
	var got []string
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		got = tn.memberEmails(groupName)
		if slices.Equal(got, emails) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tn.t.Fatalf("Zoom group %q members (-want +got):\n%s", groupName, cmp.Diff(emails, got))
}

func (tn *tenant) memberEmails(groupName string) []string {
	g, ok := tn.fake.GroupByName(groupName)
	if !ok {
		return nil
	}
	got, _ := tn.fake.GroupMemberEmails(g.ID)
	slices.Sort(got)
	return got
}

func TestGroupIsCreatedWithItsSelectedMembers(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.teamUser("ada", "platform"))
	tn.create(tn.teamUser("grace", "platform"))
	tn.create(tn.teamUser("linus", "data"))
	tn.create(tn.liveGroup("platform", "platform", func(zg *zoomv1.ZoomGroup) { zg.Spec.Members = []string{"ghost"} }))

	tn.waitMembers("Team platform", "ada@example.com", "grace@example.com")
	zg := tn.waitGroup("platform", "Ready with 2 members", func(zg *zoomv1.ZoomGroup) bool {
		return groupReason(zg) == "True/"+zoomv1.ReasonSynced && zg.Status.MemberCount == 2
	})
	g, _ := tn.fake.GroupByName("Team platform")
	if zg.Status.ID != g.ID || zg.Status.Adopted || len(zg.Status.AddedMembers) != 2 {
		t.Errorf("status: id %q (Zoom's %q), adopted %v, addedMembers %v", zg.Status.ID, g.ID, zg.Status.Adopted, zg.Status.AddedMembers)
	}
	want := []zoomv1.PendingMember{{Name: "ghost", Reason: zoomv1.PendingNotFound}}
	if diff := cmp.Diff(want, zg.Status.PendingMembers); diff != "" || zg.Status.PendingCount != 1 {
		t.Errorf("pending (count %d) (-want +got):\n%s", zg.Status.PendingCount, diff)
	}
	if n := tn.fake.Count(zoomfake.EndpointCreateGroup); n != 1 {
		t.Errorf("POST /groups sent %d times, want 1", n)
	}
	tn.waitEvent("platform", "Normal", zoomv1.ReasonCreated, g.ID)
}

// The prompt environment resyncs every 10 minutes: allowing adoption on the
// account reaches the group through the account watch.
func TestExistingGroupIsAdoptedOnlyWhenAllowed(t *testing.T) {
	t.Parallel()
	tn := newPromptTenant(t, zoomfake.Options{}, false)
	tn.fake.AddUser(zoomfake.User{Email: "boss@example.com", FirstName: "B", LastName: "Oss", Status: "active", Type: 1})
	existing := tn.fake.AddGroup("Team platform", "boss@example.com")
	tn.create(tn.teamUser("ada", "platform"))
	tn.waitReady("ada")
	tn.create(tn.liveGroup("platform", "platform"))

	zg := tn.waitGroup("platform", "Stalled AlreadyExists", func(zg *zoomv1.ZoomGroup) bool {
		return groupReason(zg) == "False/"+zoomv1.ReasonAlreadyExists &&
			meta.IsStatusConditionTrue(zg.Status.Conditions, zoomv1.ConditionStalled)
	})
	if zg.Status.ID != "" || tn.fake.Count(zoomfake.EndpointCreateGroup) != 0 || tn.fake.Count(zoomfake.EndpointAddGroupMembers) != 0 {
		t.Fatalf("a refused adoption touched the group: id %q, creates %d, adds %d", zg.Status.ID,
			tn.fake.Count(zoomfake.EndpointCreateGroup), tn.fake.Count(zoomfake.EndpointAddGroupMembers))
	}

	tn.editAccount(func(s *zoomv1.AccountSettings) { s.AdoptExistingGroups = true })
	zg = tn.waitGroup("platform", "adopted", func(zg *zoomv1.ZoomGroup) bool {
		return groupReason(zg) == "True/"+zoomv1.ReasonSynced && zg.Status.Adopted
	})
	if zg.Status.ID != existing.ID {
		t.Errorf("adopted %q, want the existing group %q", zg.Status.ID, existing.ID)
	}
	// The member someone else added stays, and is not counted as the operator's.
	tn.waitMembers("Team platform", "ada@example.com", "boss@example.com")
	if len(zg.Status.AddedMembers) != 1 || zg.Status.MemberCount != 2 {
		t.Errorf("addedMembers %v, memberCount %d; want ada's id only, 2", zg.Status.AddedMembers, zg.Status.MemberCount)
	}
}

// Members are added 30 a call: 61 users take 3 calls, not 61.
func TestGroupMembersAreAddedInBatches(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	var emails []string
	for i := range 61 {
		name := fmt.Sprintf("u%02d", i)
		tn.create(tn.teamUser(name, "big"))
		emails = append(emails, name+"@example.com")
	}
	for i := range 61 {
		tn.waitReady(fmt.Sprintf("u%02d", i))
	}
	tn.create(tn.liveGroup("big", "big"))
	tn.waitMembers("Team big", emails...)
	tn.waitGroup("big", "Ready with 61 members", func(zg *zoomv1.ZoomGroup) bool {
		return groupReason(zg) == "True/"+zoomv1.ReasonSynced && zg.Status.MemberCount == 61
	})
	if n := tn.fake.Count(zoomfake.EndpointAddGroupMembers); n != 3 {
		t.Errorf("POST /groups/{groupId}/members sent %d times, want 3", n)
	}
}

// Relabelling a user moves it from one group to the other. The prompt
// environment resyncs every 10 minutes: only the ZoomUser watch can do it.
func TestRelabelledUserMovesBetweenGroups(t *testing.T) {
	t.Parallel()
	tn := newPromptTenant(t, zoomfake.Options{}, false)
	tn.create(tn.teamUser("ada", "platform"))
	tn.create(tn.teamUser("grace", "data"))
	tn.create(tn.liveGroup("platform", "platform"))
	tn.create(tn.liveGroup("data", "data"))
	tn.waitMembers("Team platform", "ada@example.com")
	tn.waitMembers("Team data", "grace@example.com")

	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		zu := tn.get("ada")
		zu.Labels["team"] = "data"
		return tn.k8s.Update(context.Background(), zu)
	})
	if err != nil {
		t.Fatal(err)
	}
	tn.waitMembers("Team data", "ada@example.com", "grace@example.com")
	tn.waitMembers("Team platform")
	tn.waitGroup("platform", "empty", func(zg *zoomv1.ZoomGroup) bool {
		return zg.Status.MemberCount == 0 && len(zg.Status.AddedMembers) == 0
	})
}

func TestGroupDeletionFollowsThePolicy(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	tn.create(tn.teamUser("ada", "a"))
	tn.create(tn.liveGroup("deleted", "a"))
	tn.create(tn.liveGroup("orphaned", "a", func(zg *zoomv1.ZoomGroup) {
		zg.Spec.Name = "Kept"
		zg.Spec.DeletionPolicy = zoomv1.GroupDeletionPolicyOrphan
	}))
	tn.waitMembers("Team a", "ada@example.com")
	tn.waitMembers("Kept", "ada@example.com")
	for _, name := range []string{"deleted", "orphaned"} {
		tn.waitGroup(name, "bound", func(zg *zoomv1.ZoomGroup) bool { return zg.Status.ID != "" })
		if err := tn.k8s.Delete(context.Background(), &zoomv1.ZoomGroup{ObjectMeta: metav1.ObjectMeta{Namespace: tn.ns, Name: name}}); err != nil {
			t.Fatal(err)
		}
		tn.waitGroupGone(name)
	}
	if _, ok := tn.fake.GroupByName("Team a"); ok {
		t.Error("deletionPolicy Delete left the Zoom group")
	}
	if got := tn.memberEmails("Kept"); !slices.Equal(got, []string{"ada@example.com"}) {
		t.Errorf("deletionPolicy Orphan: Zoom group members %v, want it kept with ada", got)
	}
	if _, ok := tn.fake.User("ada@example.com"); !ok {
		t.Error("deleting a group removed its member from Zoom")
	}
}

func (tn *tenant) waitGroupGone(name string) {
	tn.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: name}, &zoomv1.ZoomGroup{})
		if apierrors.IsNotFound(err) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tn.t.Fatalf("ZoomGroup %s was never released", name)
}

// A ZoomUser of another Zoom account is never sent to the group's Zoom:
// it is listed as pending, OtherAccount.
func TestGroupMembersComeFromItsZoomAccount(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
	other, err := testenv.StartZoom(testenv.ZoomOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	tn.create(other.Target().Secret(tn.ns, "other-s2s"))
	tn.create(&zoomv1.ZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "other", Namespace: tn.ns},
		Spec: zoomv1.ZoomAccountSpec{
			CredentialsSecretRef: zoomv1.LocalSecretReference{Name: "other-s2s"},
			AccountSettings:      other.Target().Settings(),
		},
	})
	tn.create(tn.teamUser("ada", "a"))
	bob := tn.teamUser("bob", "a")
	bob.Spec.AccountRef.Name = "other"
	tn.create(bob)
	tn.waitReady("bob")
	tn.create(tn.liveGroup("a", "a"))

	tn.waitMembers("Team a", "ada@example.com")
	zg := tn.waitGroup("a", "Ready with bob pending", func(zg *zoomv1.ZoomGroup) bool {
		return groupReason(zg) == "True/"+zoomv1.ReasonSynced && zg.Status.PendingCount == 1
	})
	want := []zoomv1.PendingMember{{Name: "bob", Reason: zoomv1.PendingOtherAccount}}
	if diff := cmp.Diff(want, zg.Status.PendingMembers); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
	if n := other.Count(zoomfake.EndpointCreateGroup) + other.Count(zoomfake.EndpointAddGroupMembers); n != 0 {
		t.Errorf("the other Zoom account got %d group calls", n)
	}
}

// A ZoomGroup follows the ZoomUser's tenancy: a namespace a
// ClusterZoomAccount does not admit gets Forbidden and no group in Zoom.
func TestGroupInAForbiddenNamespaceMakesNoZoomCalls(t *testing.T) {
	t.Parallel()
	tn := newTenant(t, zoomfake.Options{}, false)
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
	tn.create(tn.liveGroup("intruders", "a", func(zg *zoomv1.ZoomGroup) {
		zg.Spec.AccountRef = zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: name}
	}))
	tn.waitGroup("intruders", "Stalled Forbidden", func(zg *zoomv1.ZoomGroup) bool {
		return groupReason(zg) == "False/"+zoomv1.ReasonForbidden &&
			meta.IsStatusConditionTrue(zg.Status.Conditions, zoomv1.ConditionStalled)
	})
	if n := tn.fake.Count(zoomfake.EndpointListGroups) + tn.fake.Count(zoomfake.EndpointCreateGroup); n != 0 {
		t.Errorf("group calls from a forbidden namespace: %d", n)
	}
}
