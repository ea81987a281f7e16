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
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/groups"
	"github.com/zoom-operator/zoom-operator/internal/patch"
	"github.com/zoom-operator/zoom-operator/internal/shard"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// groupSync is one pass of bind (create or adopt) -> membership for a
// ZoomGroup. It talks to Zoom only through acct.Groups.
type groupSync struct {
	r    *ZoomGroupReconciler
	p    *patch.Helper[*zoomv1.ZoomGroup]
	zg   *zoomv1.ZoomGroup
	acct *accountpool.Account
}

func (s *groupSync) run(ctx context.Context) outcome {
	acct, err := s.r.accounts.resolve(ctx, s.zg.Namespace, s.zg.Spec.AccountRef)
	if err != nil {
		return accountOutcome(err, s.r.now(), s.r.timing.accountRetry)
	}
	s.acct = acct
	if err := s.ensureFinalizer(ctx); err != nil {
		return failed(zoomv1.ReasonProgressing, err)
	}
	if s.zg.Status.ID == "" {
		if out, ok := s.bind(ctx); !ok {
			return out
		}
	}
	return s.syncMembers(ctx)
}

// ensureFinalizer adds the finalizer before the object creates or adopts a
// Zoom group, so that deletionPolicy always runs.
func (s *groupSync) ensureFinalizer(ctx context.Context) error {
	return s.p.AddFinalizer(ctx, s.zg, zoomv1.Finalizer)
}

// bind finds the Zoom group of spec.name, adopting it only where the
// account allows, or creates it. The id is written at once: a group whose
// id was lost would be found by name next time and, without adoption,
// refused as someone else's.
func (s *groupSync) bind(ctx context.Context) (outcome, bool) {
	existing, err := s.acct.Groups.FindGroupByName(ctx, s.zg.Spec.Name)
	if err != nil {
		return s.zoomOutcome(err), false
	}
	if existing != nil {
		return s.adopt(ctx, existing)
	}
	created, err := s.acct.Groups.CreateGroup(ctx, s.zg.Spec.Name)
	if zoom.IsGroupNameTaken(err) {
		// Made meanwhile by someone else: look again, adoption rules apply.
		return waiting(zoomv1.ReasonProgressing, "the group name was taken meanwhile; looking again", time.Second), false
	}
	if err != nil {
		return s.zoomOutcome(err), false
	}
	s.record(created.ID, false)
	s.event(zoomv1.ReasonCreated, "created Zoom group %s (%s)", created.Name, created.ID)
	return outcome{}, s.saveBinding(ctx)
}

func (s *groupSync) adopt(ctx context.Context, g *zoom.Group) (outcome, bool) {
	if !s.acct.Settings.AdoptExistingGroups {
		return stalled(zoomv1.ReasonAlreadyExists, fmt.Sprintf(
			"Zoom group %q already exists and the account does not allow adopting existing groups (adoptExistingGroups: false)", g.Name)), false
	}
	s.record(g.ID, true)
	s.event(zoomv1.ReasonAdopted, "adopted existing Zoom group %s (%s)", g.Name, g.ID)
	return outcome{}, s.saveBinding(ctx)
}

func (s *groupSync) record(id string, adopted bool) {
	s.zg.Status.ID, s.zg.Status.Adopted, s.zg.Status.AddedMembers = id, adopted, nil
}

// saveBinding writes the new id; when that fails the deferred write tries
// again, so the reconcile goes on either way.
func (s *groupSync) saveBinding(ctx context.Context) bool {
	_ = s.p.Status(ctx, s.zg)
	return true
}

// syncMembers makes the group's members what internal/groups computes, and
// records progress even when a call fails half way.
func (s *groupSync) syncMembers(ctx context.Context) outcome {
	current, err := s.acct.Groups.ListAllGroupMembers(ctx, s.zg.Status.ID)
	if zoom.IsGroupNotFound(err) || zoom.Classify(err) == zoom.KindNotFound {
		// Deleted in Zoom: bind again (create, or find it renamed back).
		s.event(zoomv1.ReasonProgressing, "Zoom group %s is gone; binding again", s.zg.Status.ID)
		s.record("", false)
		return waiting(zoomv1.ReasonProgressing, "the Zoom group vanished; creating it again", time.Second)
	}
	if err != nil {
		return s.zoomOutcome(err)
	}
	plan, err := s.plan(ctx, s.r.Client, current)
	if err == nil && len(plan.Remove) > 0 && s.r.shards != nil {
		// A group handed over from another replica may arrive before its
		// users do: a removal is planned again from the API server itself.
		plan, err = s.plan(ctx, s.r.live, current)
	}
	var invalid *invalidSelectorError
	if errors.As(err, &invalid) {
		return stalled(zoomv1.ReasonInvalidSpec, err.Error()) // only the selector can be wrong
	}
	if err != nil {
		return failed(zoomv1.ReasonProgressing, err)
	}
	// The pending members are recorded with the outcome, not with the
	// members recorded before the calls (see apply), so that no status
	// shows the new pending list beside the last pass's Ready and count.
	out, ok := s.apply(ctx, plan, len(current))
	s.zg.Status.PendingMembers, s.zg.Status.PendingCount = plan.Pending, int32(len32(plan.PendingCount))
	if !ok {
		return out
	}
	return ready(zoomv1.ReasonSynced, readyMessage(plan))
}

// plan computes the membership changes from the ZoomUsers that reader
// lists; a selector that cannot be parsed is an invalidSelectorError.
func (s *groupSync) plan(ctx context.Context, reader client.Reader, current []zoom.GroupMember) (groups.Plan, error) {
	var users zoomv1.ZoomUserList
	if err := reader.List(ctx, &users, client.InNamespace(s.zg.Namespace)); err != nil {
		return groups.Plan{}, err
	}
	selected, err := s.candidates(ctx, users.Items)
	if err != nil {
		return groups.Plan{}, &invalidSelectorError{err}
	}
	return groups.Compute(groups.Input{
		Account: identityString(s.acct.Identity), Selected: selected, Current: current,
		Added: s.zg.Status.AddedMembers, RemoveUnmanaged: s.zg.Spec.RemoveUnmanagedMembers,
		Frozen: frozenIDs(users.Items),
	}), nil
}

// invalidSelectorError is a selector that cannot be parsed: only the spec can fix it.
type invalidSelectorError struct{ error }

// apply makes the plan's calls: the adds in batches, then the removals.
func (s *groupSync) apply(ctx context.Context, plan groups.Plan, members int) (outcome, bool) {
	before := s.zg.Status.AddedMembers
	var adds []zoom.MemberRef
	for _, batch := range plan.Add {
		adds = append(adds, batch...)
	}
	if len(adds) > 0 {
		// Recorded before the calls, under the optimistic lock: a reconcile
		// that started from a stale copy stops here instead of adding
		// members whose record its conflicting status write would lose
		// (they would then pass for members someone else added).
		s.zg.Status.AddedMembers = groups.Progress(before, adds, nil)
		if err := s.p.Status(ctx, s.zg); err != nil {
			s.zg.Status.AddedMembers = before
			return failed(zoomv1.ReasonProgressing, err), false
		}
	}
	done, err := s.acct.Groups.AddGroupMembersBatched(ctx, s.zg.Status.ID, adds)
	var removed []string
	if err == nil {
		for _, id := range plan.Remove {
			if err = s.acct.Groups.RemoveGroupMember(ctx, s.zg.Status.ID, id); err != nil && zoom.Classify(err) != zoom.KindNotFound {
				break
			}
			err = nil
			removed = append(removed, id)
		}
	}
	s.zg.Status.MemberCount = int32(len32(members + len(done) - len(removed)))
	if err != nil {
		// Keep what was recorded before the calls: an add whose answer was
		// lost may have happened. An id that is no member and no longer
		// wanted drops out of the next Plan.
		s.zg.Status.AddedMembers = groups.Progress(s.zg.Status.AddedMembers, done, removed)
		return s.zoomOutcome(err), false
	}
	s.zg.Status.AddedMembers = plan.Added
	if len(done) > 0 || len(removed) > 0 {
		s.event(zoomv1.ReasonUpdated, "added %d and removed %d members of Zoom group %s", len(done), len(removed), s.zg.Status.ID)
	}
	return outcome{}, true
}

// candidates picks the ZoomUsers of the namespace the group selects. A user's Zoom
// account is compared by identity, so that two account objects of one Zoom
// account share groups and a look-alike of another account never joins.
func (s *groupSync) candidates(ctx context.Context, users []zoomv1.ZoomUser) ([]groups.Candidate, error) {
	known := map[zoomv1.AccountReference]string{}
	accountOf := func(zu *zoomv1.ZoomUser) string {
		ref := zu.Spec.AccountRef
		if id, ok := known[ref]; ok {
			return id
		}
		id := "unusable:" + string(accountKey(zu.Namespace, ref))
		if ident, ok := s.r.accounts.identity(ctx, zu.Namespace, ref); ok {
			id = identityString(ident)
		}
		known[ref] = id
		return id
	}
	return groups.Select(s.zg, users, accountOf)
}

// frozenIDs are the Zoom users whose group memberships the operator must
// leave alone: their ZoomUsers' managementPolicies exclude Update.
func frozenIDs(users []zoomv1.ZoomUser) []string {
	var ids []string
	for i := range users {
		if zu := &users[i]; zu.Status.ID != "" && groups.Frozen(zu) {
			ids = append(ids, zu.Status.ID)
		}
	}
	return ids
}

func identityString(id accountpool.Identity) string { return shard.Key(id.APIURL, id.AccountID) }

// readyMessage counts the members; waiting users are in status.pendingCount
// (and the Argo CD health check appends their number), not repeated here.
func readyMessage(plan groups.Plan) string {
	return fmt.Sprintf("Zoom group has the %d selected users that can be members", plan.Members)
}

func len32(n int) int { return min(n, 1<<31-1) }

func (s *groupSync) zoomOutcome(err error) outcome { return zoomOutcome(err, s.r.now()) }

func (s *groupSync) event(reason, format string, args ...any) {
	s.r.eventf(s.zg, corev1.EventTypeNormal, reason, format, args...)
}
