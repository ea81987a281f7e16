package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomcache"
)

// clockSkewAllowance is how much Zoom's clock may run behind the operator's
// and a Zoom user still count as created by this operator (see owned). It is
// also how long before a create request someone else's user could be taken
// for this object's own, so it stays small.
const clockSkewAllowance = 5 * time.Second

// userSync is one pass of observe -> create or adopt -> update for a ZoomUser.
type userSync struct {
	r    *ZoomUserReconciler
	acct *account
	zu   *zoomv1.ZoomUser
}

func (s *userSync) run(ctx context.Context) outcome {
	remote, err := s.observe(ctx)
	if err != nil {
		return zoomOutcome(err, s.r.now())
	}
	if remote == nil {
		return s.create(ctx)
	}
	if err := s.r.ensureFinalizer(ctx, s.zu); err != nil {
		return failed(zoomv1.ReasonProgressing, err)
	}
	if s.zu.Status.ID == "" {
		return s.claim(ctx, remote)
	}
	return s.update(ctx, remote)
}

// observe finds the Zoom user: from the account's snapshot when it can
// answer, else by id, else by email; nil means absent. A user whose id
// vanished (deleted in Zoom) is looked up by email again, so it is recreated
// rather than lost.
func (s *userSync) observe(ctx context.Context) (*zoom.User, error) {
	cached, answer, err := s.acct.cache.Lookup(ctx, s.acct.api, s.zu.Spec.Email)
	if err != nil {
		return nil, err
	}
	switch {
	case answer == zoomcache.Found:
		if s.zu.Status.ID != "" && cached.ID != s.zu.Status.ID {
			s.forget() // the user this object knew is gone; this is another
		}
		return &cached, nil
	case answer == zoomcache.Absent && s.zu.Status.ID == "" && !s.createRequested():
		return nil, nil // a create that races someone else's gets a 409
	}
	if id := s.zu.Status.ID; id != "" {
		u, err := s.get(ctx, id)
		if u != nil || err != nil {
			return u, err
		}
		s.forget()
	}
	return s.get(ctx, s.zu.Spec.Email)
}

// createRequested tells whether this object ever sent a create: then a
// snapshot taken before it may not show the user it made (e.g. when the
// create timed out but Zoom made the user), so Zoom is asked.
func (s *userSync) createRequested() bool {
	_, ok := s.zu.Annotations[zoomv1.CreateRequestedAnnotation]
	return ok
}

func (s *userSync) forget() {
	s.zu.Status.ID, s.zu.Status.State, s.zu.Status.Adopted = "", "", false
}

func (s *userSync) get(ctx context.Context, idOrEmail string) (*zoom.User, error) {
	u, err := s.acct.api.GetUser(ctx, idOrEmail)
	if zoom.Classify(err) == zoom.KindNotFound {
		return nil, nil
	}
	return u, err
}

// create asks Zoom for the user. A 409 means it exists after all (a lost
// response, or someone else): observe it and decide whether to claim it.
func (s *userSync) create(ctx context.Context) outcome {
	now := s.r.now()
	if s.zu.Spec.Action == zoomv1.ActionCreate {
		if until := s.acct.gate.closedUntil(now); !until.IsZero() {
			return dailyLimited(until, now)
		}
	}
	req, out, ok := s.createRequest(ctx)
	if !ok {
		return out
	}
	if err := s.r.markCreateRequested(ctx, s.zu, now); err != nil {
		return failed(zoomv1.ReasonProgressing, err)
	}
	created, err := s.acct.api.CreateUser(ctx, req)
	switch zoom.Classify(err) {
	case zoom.KindNone:
		completeCreated(created, req, now)
		s.acct.cache.Put(*created)
		s.record(created, false)
		s.event(zoomv1.ReasonCreated, "created Zoom user %s", created.ID)
		return s.update(ctx, created)
	case zoom.KindAlreadyExists:
		return s.claimExisting(ctx)
	case zoom.KindRateLimitedDaily:
		s.acct.gate.pause(zoom.ResumeAt(err, now))
	}
	return zoomOutcome(err, now)
}

// completeCreated fills what Zoom's 201 leaves out (status, display name,
// creation time) from the request, so that the update that follows sees no
// false drift, and a later claim from the snapshot (after a failed status
// write) knows the user as this object's own.
func completeCreated(u *zoom.User, req zoom.CreateUserRequest, now time.Time) {
	if u.UserCreatedAt == "" {
		u.UserCreatedAt = now.UTC().Format(time.RFC3339)
	}
	if u.Status == "" {
		u.Status = zoom.StatusActive
		if req.Action == string(zoomv1.ActionCreate) {
			u.Status = zoom.StatusPending
		}
	}
	if u.DisplayName == "" {
		u.DisplayName = req.UserInfo.DisplayName
	}
}

func (s *userSync) claimExisting(ctx context.Context) outcome {
	remote, err := s.get(ctx, s.zu.Spec.Email)
	if err != nil {
		return zoomOutcome(err, s.r.now())
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

// claim binds a Zoom user found by email to this object. A user Zoom
// created after this object asked for it is this object's own (a create
// whose answer was lost, e.g. in a crash); any other is adopted, and only
// where the account allows it.
func (s *userSync) claim(ctx context.Context, remote *zoom.User) outcome {
	if s.owned(remote) {
		s.record(remote, false)
		return s.update(ctx, remote)
	}
	if !s.acct.settings.AdoptExistingUsers {
		return stalled(zoomv1.ReasonAlreadyExists, fmt.Sprintf(
			"Zoom user %s already exists and the account does not allow adopting existing users (adoptExistingUsers: false)", s.zu.Spec.Email))
	}
	s.record(remote, true)
	s.event(zoomv1.ReasonAdopted, "adopted existing Zoom user %s", remote.ID)
	return s.update(ctx, remote)
}

func (s *userSync) owned(remote *zoom.User) bool {
	requested, err := time.Parse(time.RFC3339, s.zu.Annotations[zoomv1.CreateRequestedAnnotation])
	if err != nil {
		return false // never asked Zoom to create it
	}
	// user_created_at, not the deprecated created_at, which is when the
	// latest login type was made (the time of the call for a pending user).
	created, err := time.Parse(time.RFC3339, remote.UserCreatedAt)
	if err != nil {
		return false // unknown age: the safe answer is "not ours"
	}
	return !created.Before(requested.Add(-clockSkewAllowance))
}

func (s *userSync) record(u *zoom.User, adopted bool) {
	s.zu.Status.ID = u.ID
	s.zu.Status.State = u.Status
	s.zu.Status.Adopted = adopted
}

// update corrects names, type and activation. A pending user is left alone:
// Zoom accepts changes to it and silently ignores them.
func (s *userSync) update(ctx context.Context, remote *zoom.User) outcome {
	s.zu.Status.State = remote.Status
	if remote.Status == zoom.StatusPending {
		return ready(zoomv1.ReasonInvitePending, "Zoom invited "+s.zu.Spec.Email+"; the user is pending until they accept")
	}
	if patch, changed := drift(&s.zu.Spec, remote); changed {
		if err := s.acct.api.UpdateUser(ctx, remote.ID, patch); err != nil {
			return s.updateFailed(remote, err)
		}
		applyPatch(remote, patch)
		s.acct.cache.Put(*remote)
		s.event(zoomv1.ReasonUpdated, "updated Zoom user %s", remote.ID)
	}
	if want := s.zu.Spec.State != zoomv1.UserStateInactive; want != (remote.Status == zoom.StatusActive) {
		if err := s.acct.api.SetUserStatus(ctx, remote.ID, want); err != nil {
			return s.updateFailed(remote, err)
		}
		remote.Status = map[bool]string{true: zoom.StatusActive, false: zoom.StatusInactive}[want]
		s.zu.Status.State = remote.Status
		s.acct.cache.Put(*remote)
		s.event(zoomv1.ReasonUpdated, "set Zoom user %s %s", remote.ID, s.zu.Status.State)
	}
	return ready(zoomv1.ReasonSynced, "Zoom user matches the spec")
}

// updateFailed handles a refused change. A 404 means the snapshot was
// stale (the user went since): forget it and look again shortly.
func (s *userSync) updateFailed(remote *zoom.User, err error) outcome {
	if zoom.Classify(err) == zoom.KindNotFound {
		s.acct.cache.Remove(remote.Email)
		s.forget()
		return waiting(zoomv1.ReasonProgressing, "the Zoom user vanished; looking again", time.Second)
	}
	return zoomOutcome(err, s.r.now())
}

// applyPatch mirrors a successful PATCH in the local copy of the user.
func applyPatch(u *zoom.User, p zoom.UpdateUserRequest) {
	for dst, src := range map[*string]*string{&u.FirstName: p.FirstName, &u.LastName: p.LastName, &u.DisplayName: p.DisplayName} {
		if src != nil {
			*dst = *src
		}
	}
	if p.Type != nil {
		u.Type = *p.Type
	}
}

// drift returns the PATCH that makes the Zoom user match the spec. Empty
// optional fields are not managed, so Zoom's own defaults stay.
func drift(spec *zoomv1.ZoomUserSpec, remote *zoom.User) (zoom.UpdateUserRequest, bool) {
	var patch zoom.UpdateUserRequest
	changed := false
	field := func(want, have string, dst **string) {
		if want != "" && want != have {
			*dst = &want
			changed = true
		}
	}
	field(spec.FirstName, remote.FirstName, &patch.FirstName)
	field(spec.LastName, remote.LastName, &patch.LastName)
	field(spec.DisplayName, remote.DisplayName, &patch.DisplayName)
	if t := zoomType(spec.Type); t != remote.Type {
		patch.Type = &t
		changed = true
	}
	return patch, changed
}

// createRequest builds the POST body; autoCreate reads its password from
// the referenced Secret, which is never logged or written to status.
func (s *userSync) createRequest(ctx context.Context) (zoom.CreateUserRequest, outcome, bool) {
	spec := &s.zu.Spec
	req := zoom.CreateUserRequest{Action: string(spec.Action), UserInfo: zoom.UserInfo{
		Email: spec.Email, Type: zoomType(spec.Type),
		FirstName: spec.FirstName, LastName: spec.LastName, DisplayName: spec.DisplayName,
	}}
	if spec.PasswordSecretRef == nil {
		return req, outcome{}, true
	}
	password, err := s.password(ctx)
	if err != nil {
		return req, waiting(zoomv1.ReasonInvalidSpec, err.Error(), accountRetryInterval), false
	}
	req.UserInfo.Password = password
	return req, outcome{}, true
}

func (s *userSync) password(ctx context.Context) (string, error) {
	ref := s.zu.Spec.PasswordSecretRef
	var secret corev1.Secret
	err := s.r.accounts.live.Get(ctx, types.NamespacedName{Namespace: s.zu.Namespace, Name: ref.Name}, &secret)
	if apierrors.IsNotFound(err) {
		return "", fmt.Errorf("password Secret %s not found", ref.Name)
	}
	if err != nil {
		return "", fmt.Errorf("reading password Secret %s: %w", ref.Name, err)
	}
	// A trailing newline is what `kubectl create secret --from-file` leaves.
	password := strings.TrimRight(string(secret.Data[ref.Key]), "\r\n")
	if password == "" {
		return "", fmt.Errorf("password Secret %s has no key %q", ref.Name, ref.Key)
	}
	return password, nil
}

func (s *userSync) event(reason, format string, args ...any) {
	s.r.eventf(s.zu, corev1.EventTypeNormal, reason, format, args...)
}

// zoomType maps the API's names to Zoom's numbers.
func zoomType(t zoomv1.UserType) int {
	switch t {
	case zoomv1.UserTypeLicensed:
		return zoom.TypeLicensed
	case zoomv1.UserTypeUnassigned:
		return zoom.TypeUnassigned
	case zoomv1.UserTypeNone:
		return zoom.TypeNone
	default:
		return zoom.TypeBasic
	}
}
