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

// Package export turns the users of a Zoom account into ZoomUser manifests
// that the operator adopts without a single write to Zoom: every field is
// what Zoom already has, so desired.Drift finds nothing to change.
package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/desired"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// Statuses are Zoom's user statuses, in the order they are listed.
var Statuses = []string{zoom.StatusActive, zoom.StatusInactive, zoom.StatusPending}

// Lister lists every user of one status; *zoom.Client is one.
type Lister interface {
	ListAllUsersCounted(ctx context.Context, status string) ([]zoom.User, int, error)
}

// Listing is what List found.
type Listing struct {
	Users []zoom.User
	// ByStatus counts the users of each status listed.
	ByStatus map[string]int
	// Calls is the number of list calls made to Zoom.
	Calls int
}

// List lists the users of each status in turn (Zoom lists one status at a
// time) and reports the counts on progress. A listing that Zoom throttles
// or fails for a moment starts over, up to maxAttempts times.
func List(ctx context.Context, l Lister, statuses []string, progress io.Writer) (Listing, error) {
	return listWith(ctx, l, statuses, progress, sleep)
}

// maxAttempts bounds the listings of one status.
const maxAttempts = 5

// waitFunc waits d, or less if ctx ends; tests pass one that only records.
type waitFunc func(ctx context.Context, d time.Duration) error

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func listWith(ctx context.Context, l Lister, statuses []string, progress io.Writer, wait waitFunc) (Listing, error) {
	out := Listing{ByStatus: map[string]int{}}
	for _, status := range statuses {
		users, err := listStatus(ctx, l, status, &out, progress, wait)
		if err != nil {
			return out, fmt.Errorf("listing %s users: %w", status, err)
		}
		out.Users = append(out.Users, users...)
		out.ByStatus[status] = len(users)
	}
	parts := make([]string, 0, len(statuses))
	for _, status := range statuses {
		parts = append(parts, fmt.Sprintf("%s %d", status, out.ByStatus[status]))
	}
	fmt.Fprintf(progress, "listed %d users (%s)\n", len(out.Users), strings.Join(parts, ", "))
	return out, nil
}

// listStatus lists one status, starting over after a pause when Zoom
// throttles or fails for a moment. It adds the calls it made to out.
func listStatus(ctx context.Context, l Lister, status string, out *Listing, progress io.Writer, wait waitFunc) ([]zoom.User, error) {
	var users []zoom.User
	err := retrying(ctx, "listing "+status+" users", progress, wait, func() error {
		var calls int
		var err error
		users, calls, err = l.ListAllUsersCounted(ctx, status)
		out.Calls += calls
		if err == nil {
			fmt.Fprintf(progress, "listed %d %s users in %d calls\n", len(users), status, calls)
		}
		return err
	})
	return users, err
}

// retrying runs try until it succeeds, waiting between attempts as
// retryDelay says, at most maxAttempts times. what names the work in the
// progress lines.
func retrying(ctx context.Context, what string, progress io.Writer, wait waitFunc, try func() error) error {
	for attempt := 1; ; attempt++ {
		err := try()
		if err == nil {
			return nil
		}
		delay, ok := retryDelay(ctx, err, attempt)
		if !ok || attempt == maxAttempts {
			return err
		}
		fmt.Fprintf(progress, "%s: %v; starting over in %s\n", what, err, delay.Round(time.Millisecond))
		if err := wait(ctx, delay); err != nil {
			return err
		}
	}
}

// retryDelay says whether a failed listing is worth another try, and
// after how long: Zoom's own time for a per-second 429, the budget's for a
// client-side wait, else a second per attempt for errors that pass.
func retryDelay(ctx context.Context, err error, attempt int) (time.Duration, bool) {
	if ctx.Err() != nil || errors.Is(err, zoom.ErrListTooLong) {
		return 0, false
	}
	if d, ok := zoom.WaitFor(err); ok {
		return d, true
	}
	switch zoom.Classify(err) {
	case zoom.KindRateLimitedQPS:
		return time.Until(zoom.ResumeAt(err, time.Now())), true
	case zoom.KindRetryable:
		return time.Duration(attempt) * time.Second, true
	default:
		return 0, false
	}
}

// Options say what the manifests look like and which users they cover.
type Options struct {
	Namespace   string
	AccountKind zoomv1.AccountKind
	AccountName string
	// Action is the create action written into every spec. It only matters
	// if the user is gone from Zoom when the operator reconciles; see
	// ActionFor.
	Action         zoomv1.CreateAction
	DeletionPolicy zoomv1.DeletionPolicy
	// Domains, when not empty, keeps only users whose email domain is one
	// of these (lower case).
	Domains []string
	// Emails, when not nil, keeps only these users (lower case).
	Emails map[string]bool
	// GroupMembers, when not nil, keeps only these users (lower-case
	// emails, see GroupMembers).
	GroupMembers map[string]bool
	// ManagementPolicies is written into every spec; nil leaves the field
	// out, which the API reads as every policy.
	ManagementPolicies zoomv1.ManagementPolicies
}

// Keep reports whether opts select u.
func (o *Options) Keep(u *zoom.User) bool {
	email := strings.ToLower(u.Email)
	if o.Emails != nil && !o.Emails[email] {
		return false
	}
	if o.GroupMembers != nil && !o.GroupMembers[email] {
		return false
	}
	if len(o.Domains) == 0 {
		return true
	}
	_, domain, _ := strings.Cut(email, "@")
	return slices.Contains(o.Domains, domain)
}

// ActionFor is the action of an exported user: opts.Action, except that
// Zoom's type None exists only for users pre-provisioned through SSO, which
// the API allows with ssoCreate alone.
func (o *Options) ActionFor(t zoomv1.UserType) zoomv1.CreateAction {
	if t == zoomv1.UserTypeNone {
		return zoomv1.ActionSSOCreate
	}
	return o.Action
}

// Missing returns, sorted, the emails of opts.Emails that none of users
// has: a typo, or a user of a status that was not listed.
func (o *Options) Missing(users []zoom.User) []string {
	found := map[string]bool{}
	for i := range users {
		found[strings.ToLower(users[i].Email)] = true
	}
	var missing []string
	for e := range o.Emails {
		if !found[e] {
			missing = append(missing, e)
		}
	}
	slices.Sort(missing)
	return missing
}

// Manifest is one exported object: a ZoomUser without status or server-set
// metadata, so the YAML holds only what a person would write.
type Manifest struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        Metadata            `json:"metadata"`
	Spec            zoomv1.ZoomUserSpec `json:"spec"`
}

// Metadata is the part of ObjectMeta an export sets.
type Metadata struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// Spec is the ZoomUser spec that matches u as Zoom has it. Zoom shows a
// display name of "First Last" when none was set, so that one is left out
// and stays Zoom's to derive.
func Spec(u *zoom.User, opts *Options) (zoomv1.ZoomUserSpec, error) {
	t, ok := desired.UserType(u.Type)
	if !ok {
		return zoomv1.ZoomUserSpec{}, fmt.Errorf("zoom user %s has type %d, which ZoomUser cannot express", u.Email, u.Type)
	}
	state := zoomv1.UserStateActive
	if u.Status == zoom.StatusInactive {
		state = zoomv1.UserStateInactive
	}
	spec := zoomv1.ZoomUserSpec{
		Email:          u.Email,
		Type:           t,
		Action:         opts.ActionFor(t),
		FirstName:      u.FirstName,
		LastName:       u.LastName,
		State:          state,
		DeletionPolicy: opts.DeletionPolicy,
		AccountRef:     zoomv1.AccountReference{Kind: opts.AccountKind, Name: opts.AccountName},
		// A copy: the manifests must not share one slice.
		ManagementPolicies: slices.Clone(opts.ManagementPolicies),
	}
	if u.DisplayName != strings.TrimSpace(u.FirstName+" "+u.LastName) {
		spec.DisplayName = u.DisplayName
	}
	return spec, nil
}

// Build returns the manifests of the users opts select, sorted by name.
func Build(users []zoom.User, opts *Options) ([]Manifest, error) {
	var kept []zoom.User
	for i := range users {
		if opts.Keep(&users[i]) {
			kept = append(kept, users[i])
		}
	}
	emails := make([]string, len(kept))
	for i := range kept {
		emails[i] = kept[i].Email
	}
	names := Names(emails)
	out := make([]Manifest, 0, len(kept))
	for i := range kept {
		spec, err := Spec(&kept[i], opts)
		if err != nil {
			return nil, err
		}
		out = append(out, Manifest{
			TypeMeta: metav1.TypeMeta{APIVersion: zoomv1.GroupVersion.String(), Kind: "ZoomUser"},
			Metadata: Metadata{Name: names[strings.ToLower(kept[i].Email)], Namespace: opts.Namespace},
			Spec:     spec,
		})
	}
	slices.SortFunc(out, func(a, b Manifest) int { return strings.Compare(a.Metadata.Name, b.Metadata.Name) })
	return out, nil
}
