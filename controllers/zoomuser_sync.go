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
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/desired"
	"github.com/zoom-operator/zoom-operator/internal/patch"
	"github.com/zoom-operator/zoom-operator/internal/userapi"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// userSync is one pass of observe -> create or claim -> update for a
// ZoomUser. It talks to Zoom only through acct.Users and makes every
// Kubernetes write (finalizer, status) itself.
type userSync struct {
	r    *ZoomUserReconciler
	p    *patch.Helper[*zoomv1.ZoomUser]
	acct *accountpool.Account
	zu   *zoomv1.ZoomUser
}

func (s *userSync) run(ctx context.Context) outcome {
	remote, err := s.observe(ctx)
	if err != nil {
		return s.zoomOutcome(err)
	}
	if remote == nil {
		return s.absent(ctx)
	}
	if err := s.ensureFinalizer(ctx); err != nil {
		return failed(zoomv1.ReasonProgressing, err)
	}
	if s.zu.Status.ID != "" && remote.ID != s.zu.Status.ID {
		s.forget() // the user this object knew is gone; this is another
	}
	if s.zu.Status.ID == "" {
		return s.claim(ctx, remote)
	}
	return s.update(ctx, remote)
}

// absent handles a Zoom user that does not exist: created when the
// policies allow it, else reported (an identity provider may create it).
func (s *userSync) absent(ctx context.Context) outcome {
	if !s.allows(zoomv1.ManagementCreate) {
		s.forget()
		return stalled(zoomv1.ReasonNotInZoom, fmt.Sprintf(
			"Zoom has no user %s and managementPolicies exclude Create: it is reported, not created", s.zu.Spec.Email))
	}
	return s.create(ctx)
}

func (s *userSync) allows(action zoomv1.ManagementPolicy) bool {
	return s.zu.Spec.ManagementPolicies.Allow(action)
}

// observe finds the Zoom user; nil means absent. A snapshot may say
// "absent" on its own only while no create was ever sent: a create whose
// answer was lost may have made a user the snapshot predates.
func (s *userSync) observe(ctx context.Context) (*zoom.User, error) {
	trustAbsence := s.zu.Status.ID == "" && s.zu.Status.CreateRequestedAt == nil
	return s.acct.Users.Observe(ctx, s.target(), trustAbsence)
}

func (s *userSync) target() userapi.Target {
	return userapi.Target{ID: s.zu.Status.ID, Email: s.zu.Spec.Email}
}

// ensureFinalizer adds the finalizer before this object binds or creates a
// Zoom user, so that no Zoom user can outlive its object unnoticed. Without
// the Delete policy there is nothing to do in Zoom when the object goes.
func (s *userSync) ensureFinalizer(ctx context.Context) error {
	if !s.allows(zoomv1.ManagementDelete) {
		return nil
	}
	return s.p.AddFinalizer(ctx, s.zu, zoomv1.Finalizer)
}

func (s *userSync) forget() { forgetBinding(s.zu) }

// forgetBinding clears what status says of a Zoom user the object no
// longer holds, so that nothing (a deletion, kubectl get) acts on it.
func forgetBinding(zu *zoomv1.ZoomUser) {
	zu.Status.ID, zu.Status.State, zu.Status.Adopted = "", "", false
	zu.Status.Observed = nil
}

// create asks Zoom for the user. The request is recorded in status first,
// where only the manager writes, so that a user made by a create whose
// answer is lost (a crash, a timeout) is later found as this object's own.
// A 409 means it exists after all: observe it and decide whether to claim it.
func (s *userSync) create(ctx context.Context) outcome {
	now := s.r.now()
	if s.zu.Spec.Action == zoomv1.ActionCreate {
		if until := s.acct.Gate.ClosedUntil(now); !until.IsZero() {
			return dailyLimited(until, now)
		}
	}
	req, password, out, ok := s.createRequest(ctx)
	if !ok {
		return out
	}
	if err := s.recordCreateRequest(ctx, now); err != nil {
		return failed(zoomv1.ReasonProgressing, err)
	}
	created, err := s.acct.Users.Create(ctx, req)
	err = redact(err, password)
	if refusedForSure(err) {
		s.zu.Status.CreateRequestedAt = nil // no user came of it
	}
	switch zoom.Classify(err) {
	case zoom.KindNone:
		s.zu.Status.CreateRequestedAt = nil
		s.record(created, false)
		s.event(zoomv1.ReasonCreated, "created Zoom user %s", created.ID)
		return s.update(ctx, created)
	case zoom.KindAlreadyExists:
		return s.claimExisting(ctx)
	case zoom.KindRateLimitedDaily:
		if !zoom.IsTokenError(err) {
			s.acct.Gate.Pause(zoom.ResumeAt(err, now))
		}
	}
	return s.zoomOutcome(err)
}

func (s *userSync) recordCreateRequest(ctx context.Context, now time.Time) error {
	if err := s.ensureFinalizer(ctx); err != nil {
		return err
	}
	s.zu.Status.CreateRequestedAt = &metav1.Time{Time: now}
	return s.p.Status(ctx, s.zu)
}

func (s *userSync) claimExisting(ctx context.Context) outcome {
	remote, err := s.acct.Users.Observe(ctx, userapi.Target{Email: s.zu.Spec.Email}, false)
	if err != nil {
		return s.zoomOutcome(err)
	}
	if remote == nil {
		// Zoom says the email is taken but shows no such user here: it
		// belongs to another Zoom account, or is an invitation Zoom does
		// not expose. Only a change outside this object can help.
		return stalled(zoomv1.ReasonAlreadyExists, fmt.Sprintf(
			"Zoom reports %s as already used, but not as a user of this account (another Zoom account, or an invitation Zoom does not show)", s.zu.Spec.Email))
	}
	return s.claim(ctx, remote)
}

// claim binds a Zoom user found by email to this object: its own when
// owned says so, else adopted, and only where the account allows it.
func (s *userSync) claim(ctx context.Context, remote *zoom.User) outcome {
	if owned(s.zu, remote) {
		s.record(remote, false)
		return s.update(ctx, remote)
	}
	if !s.acct.Settings.AdoptExistingUsers {
		return stalled(zoomv1.ReasonAlreadyExists, fmt.Sprintf(
			"Zoom user %s already exists and the account does not allow adopting existing users (adoptExistingUsers: false)", s.zu.Spec.Email))
	}
	s.record(remote, true)
	s.event(zoomv1.ReasonAdopted, "adopted existing Zoom user %s", remote.ID)
	return s.update(ctx, remote)
}

func (s *userSync) record(u *zoom.User, adopted bool) {
	s.zu.Status.ID = u.ID
	s.zu.Status.Adopted = adopted
	s.zu.Status.CreateRequestedAt = nil
	s.observed(*u)
}

// observed records what Zoom holds now, after the operator's own changes.
func (s *userSync) observed(u zoom.User) {
	s.zu.Status.State = u.Status
	s.zu.Status.Observed = &zoomv1.ObservedUser{
		Type: desired.TypeName(u.Type), State: u.Status,
		FirstName: u.FirstName, LastName: u.LastName, DisplayName: u.DisplayName,
	}
}

// update corrects activation, names, type and, for an active user, role. A pending user is left
// alone: Zoom accepts changes to it and silently ignores them. Activation
// comes first: Zoom strips the licence of a user it deactivates and keeps
// no type change made while it is inactive, so the type is restored only
// on the active user (desired.Drift). Without the Update policy the
// difference is reported instead.
func (s *userSync) update(ctx context.Context, remote *zoom.User) outcome {
	s.observed(*remote)
	if remote.Status == zoom.StatusPending {
		return ready(zoomv1.ReasonInvitePending, "Zoom invited "+s.zu.Spec.Email+"; the user is pending until they accept")
	}
	if !s.allows(zoomv1.ManagementUpdate) {
		role, err := s.roleDrift(ctx, remote)
		if err != nil {
			return s.zoomOutcome(err)
		}
		return reportDrift(append(desired.Changes(&s.zu.Spec, remote), role...))
	}
	now := *remote
	if want := desired.Active(&s.zu.Spec); want != (now.Status == zoom.StatusActive) {
		if err := s.acct.Users.SetStatus(ctx, s.target(), want); err != nil {
			return s.updateFailed(err)
		}
		now = desired.AfterActivation(now, want)
		s.observed(now)
		s.event(zoomv1.ReasonUpdated, "set Zoom user %s %s", remote.ID, now.Status)
	}
	if patch, fields := desired.Drift(&s.zu.Spec, &now); len(fields) > 0 {
		if err := s.acct.Users.Update(ctx, s.target(), patch); err != nil {
			return s.updateFailed(err)
		}
		now = desired.Applied(now, patch)
		s.observed(now)
		s.event(zoomv1.ReasonUpdated, "updated %v of Zoom user %s", fields, remote.ID)
	}
	if desired.TypeWaits(&s.zu.Spec, &now) {
		return ready(zoomv1.ReasonSynced, fmt.Sprintf(
			"Zoom user matches the spec; type %s applies when the user is active (Zoom removes the licence of an inactive user)", s.zu.Spec.Type))
	}
	if s.zu.Status.State == zoom.StatusActive {
		if out, ok := s.syncRole(ctx, remote); !ok {
			return out
		}
	}
	return ready(zoomv1.ReasonSynced, "Zoom user matches the spec")
}

// reportDrift is the outcome for a user the policies do not let the
// operator change: bound and Ready, and Drifted when Zoom differs.
func reportDrift(changes []desired.Change) outcome {
	if len(changes) == 0 {
		return ready(zoomv1.ReasonSynced, "Zoom user matches the spec")
	}
	diffs := make([]string, len(changes))
	for i, c := range changes {
		diffs[i] = fmt.Sprintf("%s is %q in Zoom, %q in the spec", c.Field, c.From, c.To)
	}
	return ready(zoomv1.ReasonDrifted, "managementPolicies exclude Update, so the difference is left as it is: "+strings.Join(diffs, "; "))
}

// updateFailed handles a refused change. A 404 means the user went since it
// was observed (the snapshot forgot it): look again shortly.
func (s *userSync) updateFailed(err error) outcome {
	if zoom.Classify(err) == zoom.KindNotFound {
		s.forget()
		return waiting(zoomv1.ReasonProgressing, "the Zoom user vanished; looking again", time.Second)
	}
	return s.zoomOutcome(err)
}

func (s *userSync) zoomOutcome(err error) outcome {
	return zoomOutcome(err, s.r.now())
}

func (s *userSync) event(reason, format string, args ...any) {
	s.r.eventf(s.zu, corev1.EventTypeNormal, reason, format, args...)
}
