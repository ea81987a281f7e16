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
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/userapi"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

func TestZoomOutcome(t *testing.T) {
	now := time.Date(2026, 11, 28, 17, 0, 0, 0, time.UTC)
	tomorrow := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		err         error
		wantReason  string
		wantStalled bool
		wantErr     bool
		minWait     time.Duration
		maxWait     time.Duration
	}{
		"qps 429 waits about a second": {
			err:        &zoom.APIError{StatusCode: 429, Code: 429, RateLimitType: "QPS"},
			wantReason: zoomv1.ReasonRateLimited, minWait: time.Second, maxWait: 2 * time.Second,
		},
		"daily 429 waits for the reset": {
			err:        &zoom.APIError{StatusCode: 429, RateLimitType: "Daily-limit", RetryAfter: tomorrow},
			wantReason: zoomv1.ReasonRateLimited, minWait: 7 * time.Hour, maxWait: 7*time.Hour + 5*time.Second,
		},
		"401 is an account problem": {
			err:        &zoom.APIError{StatusCode: 401, Code: 124, Message: "Invalid access token."},
			wantReason: zoomv1.ReasonAccountNotReady, minWait: time.Minute, maxWait: time.Minute,
		},
		"a missing scope stalls until the app changes": {
			err:        &zoom.APIError{StatusCode: 400, Code: 4711, Message: "Invalid access token, does not contain scopes:[user:read:list_users:admin]."},
			wantReason: zoomv1.ReasonMissingScope, wantStalled: true,
		},
		"a refused disassociation waits for another policy": {
			err:        &zoom.APIError{StatusCode: 400, Code: 1107, Message: "You can not disassociate a user with managed domain.", Endpoint: "DELETE /users/{userId}"},
			wantReason: zoomv1.ReasonDeletionRefused, wantStalled: true,
		},
		"a removal without transfer target asks for transferTo": {
			err:        &zoom.APIError{StatusCode: 400, Code: 300, Message: "This user has published events on Zoom Events and you do not specify a target user to transfer data.", Endpoint: "DELETE /users/{userId}"},
			wantReason: zoomv1.ReasonTransferRequired, wantStalled: true,
		},
		"another code 300 of a removal is an invalid spec": {
			err:        &zoom.APIError{StatusCode: 400, Code: 300, Message: "The destination user does not have a Zoom Events license and cannot receive this data.", Endpoint: "DELETE /users/{userId}"},
			wantReason: zoomv1.ReasonInvalidSpec, wantStalled: true,
		},
		"code 300 is an invalid spec": {
			err:        &zoom.APIError{StatusCode: 400, Code: 300, Message: "Invalid parameter: password"},
			wantReason: zoomv1.ReasonInvalidSpec, wantStalled: true,
		},
		"other 4xx stalls": {
			err:        &zoom.APIError{StatusCode: 400, Code: 200, Message: "No privilege."},
			wantReason: zoomv1.ReasonZoomError, wantStalled: true,
		},
		"5xx is retried with backoff": {
			err:        &zoom.APIError{StatusCode: http.StatusBadGateway},
			wantReason: zoomv1.ReasonZoomUnavailable, wantErr: true,
		},
		"network error is retried with backoff": {
			err:        errors.New("dial tcp: connection refused"),
			wantReason: zoomv1.ReasonZoomUnavailable, wantErr: true,
		},
	} {
		t.Run(name, func(t *testing.T) {
			out := zoomOutcome(tc.err, now)
			if out.reason != tc.wantReason || out.stalled != tc.wantStalled || (out.err != nil) != tc.wantErr {
				t.Fatalf("outcome = %+v, want reason %s stalled %v err %v", out, tc.wantReason, tc.wantStalled, tc.wantErr)
			}
			if out.wait < tc.minWait || out.wait > tc.maxWait {
				t.Errorf("wait = %v, want within [%v, %v]", out.wait, tc.minWait, tc.maxWait)
			}
		})
	}
}

func TestResultNeverFeedsBackoffForWaits(t *testing.T) {
	res, err := result(waiting(zoomv1.ReasonRateLimited, "", 3*time.Second), time.Minute)
	if err != nil || res.RequeueAfter != 3*time.Second {
		t.Errorf("wait: result = %+v, %v", res, err)
	}
	if res.Priority != nil {
		t.Errorf("wait: Priority = %d, want none: the request keeps the priority it came with", *res.Priority)
	}
	res, err = result(ready(zoomv1.ReasonSynced, ""), time.Minute)
	if err != nil || res.RequeueAfter < time.Minute || res.RequeueAfter > time.Minute+6*time.Second {
		t.Errorf("ready: result = %+v, %v, want the jittered resync", res, err)
	}
	switch {
	case res.Priority == nil:
		t.Error("ready: no Priority, want the resync at handler.LowPriority")
	case *res.Priority != handler.LowPriority:
		t.Errorf("ready: Priority = %d, want handler.LowPriority (%d)", *res.Priority, handler.LowPriority)
	}
	boom := errors.New("boom")
	if _, err := result(failed(zoomv1.ReasonZoomUnavailable, boom), time.Minute); !errors.Is(err, boom) {
		t.Errorf("failure: err = %v, want it returned for backoff", err)
	}
}

func TestUserControllerUsesPriorityQueue(t *testing.T) {
	for _, baseline := range []bool{false, true} {
		opts := userControllerOptions(4, baseline, nil)
		if opts.UsePriorityQueue == nil || !*opts.UsePriorityQueue {
			t.Errorf("baseline %v: UsePriorityQueue = %v, want true", baseline, opts.UsePriorityQueue)
		}
		if opts.MaxConcurrentReconciles != 4 || (opts.RateLimiter == nil) == !baseline {
			t.Errorf("baseline %v: MaxConcurrentReconciles = %d, own backoff %v", baseline, opts.MaxConcurrentReconciles, opts.RateLimiter != nil)
		}
	}
}

func TestApplyConditions(t *testing.T) {
	type conds map[string]string // type -> status/reason
	summary := func(zu *zoomv1.ZoomUser) conds {
		out := conds{}
		for _, c := range zu.Status.Conditions {
			out[c.Type] = string(c.Status) + "/" + c.Reason
		}
		return out
	}
	readyUser := func() *zoomv1.ZoomUser {
		zu := &zoomv1.ZoomUser{ObjectMeta: metav1.ObjectMeta{Generation: 2}, Status: zoomv1.ZoomUserStatus{ID: "z1"}}
		applyConditions(zu, ready(zoomv1.ReasonSynced, "ok"))
		return zu
	}
	for name, tc := range map[string]struct {
		start  func() *zoomv1.ZoomUser
		out    outcome
		want   conds
		wantOG int64
	}{
		"ready": {
			start: func() *zoomv1.ZoomUser { return &zoomv1.ZoomUser{ObjectMeta: metav1.ObjectMeta{Generation: 2}} },
			out:   ready(zoomv1.ReasonSynced, "ok"), want: conds{"Ready": "True/Synced", "Synced": "True/Synced"}, wantOG: 2,
		},
		"stalled sets observedGeneration": {
			start: func() *zoomv1.ZoomUser { return &zoomv1.ZoomUser{ObjectMeta: metav1.ObjectMeta{Generation: 2}} },
			out:   stalled(zoomv1.ReasonZoomError, "no"),
			want:  conds{"Ready": "False/ZoomError", "Stalled": "True/ZoomError", "Synced": "False/ZoomError"}, wantOG: 2,
		},
		"a wait on a new object is not Ready": {
			start: func() *zoomv1.ZoomUser { return &zoomv1.ZoomUser{ObjectMeta: metav1.ObjectMeta{Generation: 1}} },
			out:   waiting(zoomv1.ReasonRateLimited, "later", time.Second),
			want:  conds{"Ready": "False/RateLimited", "Reconciling": "True/RateLimited", "Synced": "False/RateLimited"}, wantOG: 0,
		},
		"a wait during a resync keeps Ready": {
			start: readyUser, out: waiting(zoomv1.ReasonRateLimited, "later", time.Second),
			want: conds{"Ready": "True/Synced", "Reconciling": "True/RateLimited", "Synced": "True/Synced"}, wantOG: 2,
		},
		"a user gone from Zoom is not Ready while it waits": {
			start: func() *zoomv1.ZoomUser { zu := readyUser(); zu.Status.ID = ""; return zu },
			out:   waiting(zoomv1.ReasonRateLimited, "later", time.Second),
			want:  conds{"Ready": "False/RateLimited", "Reconciling": "True/RateLimited", "Synced": "False/RateLimited"}, wantOG: 2,
		},
		"a new generation clears Stalled on success": {
			start: func() *zoomv1.ZoomUser {
				zu := &zoomv1.ZoomUser{ObjectMeta: metav1.ObjectMeta{Generation: 1}}
				applyConditions(zu, stalled(zoomv1.ReasonZoomError, "no"))
				zu.Generation = 2
				return zu
			},
			out: ready(zoomv1.ReasonSynced, "ok"), want: conds{"Ready": "True/Synced", "Synced": "True/Synced"}, wantOG: 2,
		},
		// Zoom ignores changes to an invitation: whether it matches is not known.
		"a pending invitation is Ready, Synced unknown": {
			start: func() *zoomv1.ZoomUser { return &zoomv1.ZoomUser{ObjectMeta: metav1.ObjectMeta{Generation: 2}} },
			out:   ready(zoomv1.ReasonInvitePending, "invited"),
			want:  conds{"Ready": "True/InvitePending", "Synced": "Unknown/InvitePending"}, wantOG: 2,
		},
		// Drift the policies leave: bound and reported, not Synced.
		"drift left by the policies is Ready, not Synced": {
			start: readyUser, out: ready(zoomv1.ReasonDrifted, "type differs"),
			want: conds{"Ready": "True/Drifted", "Synced": "False/Drifted"}, wantOG: 2,
		},
	} {
		t.Run(name, func(t *testing.T) {
			zu := tc.start()
			applyConditions(zu, tc.out)
			if diff := cmp.Diff(tc.want, summary(zu)); diff != "" {
				t.Errorf("conditions (-want +got):\n%s", diff)
			}
			if zu.Status.ObservedGeneration != tc.wantOG {
				t.Errorf("observedGeneration = %d, want %d", zu.Status.ObservedGeneration, tc.wantOG)
			}
		})
	}
}

func TestWinsIsAStableOrder(t *testing.T) {
	old := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	young := metav1.NewTime(old.Add(time.Hour))
	user := func(name string, created metav1.Time, id string) *zoomv1.ZoomUser {
		return &zoomv1.ZoomUser{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, CreationTimestamp: created},
			Status: zoomv1.ZoomUserStatus{ID: id}}
	}
	for name, tc := range map[string]struct {
		a, b *zoomv1.ZoomUser
		want bool
	}{
		"holder beats older":   {user("a", young, "id"), user("b", old, ""), true},
		"older beats younger":  {user("a", old, ""), user("b", young, ""), true},
		"younger loses":        {user("a", young, ""), user("b", old, ""), false},
		"name breaks the tie":  {user("a", old, ""), user("b", old, ""), true},
		"name tie other order": {user("b", old, ""), user("a", old, ""), false},
	} {
		t.Run(name, func(t *testing.T) {
			if got := wins(tc.a, tc.b); got != tc.want {
				t.Errorf("wins = %v, want %v", got, tc.want)
			}
		})
	}
}

// recordingZoom records deletion calls for TestApplyDeletionPolicy.
type recordingZoom struct {
	userapi.API
	calls []string
}

func (f *recordingZoom) Delete(_ context.Context, t userapi.Target, opts zoom.RemoveOptions) error {
	call := "DELETE " + t.ID + " " + opts.Action
	if opts.TransferEmail != "" {
		call += fmt.Sprintf(" to %s meeting=%v webinar=%v recording=%v whiteboard=%v", opts.TransferEmail,
			opts.TransferMeeting, opts.TransferWebinar, opts.TransferRecording, opts.TransferWhiteboard)
	}
	f.calls = append(f.calls, call)
	return nil
}

func (f *recordingZoom) SetStatus(_ context.Context, t userapi.Target, activate bool) error {
	f.calls = append(f.calls, "STATUS "+t.ID+" "+map[bool]string{true: "activate", false: "deactivate"}[activate])
	return nil
}

func TestApplyDeletionPolicy(t *testing.T) {
	const to = " to heir@example.com meeting=true webinar=true recording=true whiteboard=true"
	for name, tc := range map[string]struct {
		policy     zoomv1.DeletionPolicy
		state      string
		want       []string
		reason     string
		transferTo string
	}{
		"delete with transfer":       {zoomv1.DeletionPolicyDelete, "active", []string{"DELETE id delete" + to}, zoomv1.ReasonDeleted, "heir@example.com"},
		"disassociate with transfer": {zoomv1.DeletionPolicyDisassociate, "inactive", []string{"DELETE id disassociate" + to}, zoomv1.ReasonDisassociated, "heir@example.com"},
		"invitation moves nothing":   {zoomv1.DeletionPolicyDelete, "pending", []string{"DELETE id disassociate"}, zoomv1.ReasonDisassociated, "heir@example.com"},
		"deactivate transfers none":  {zoomv1.DeletionPolicyDeactivate, "active", []string{"STATUS id deactivate"}, zoomv1.ReasonDeactivated, "heir@example.com"},
		"delete":                     {zoomv1.DeletionPolicyDelete, "active", []string{"DELETE id delete"}, zoomv1.ReasonDeleted, ""},
		"delete pending":             {zoomv1.DeletionPolicyDelete, "pending", []string{"DELETE id disassociate"}, zoomv1.ReasonDisassociated, ""},
		"disassociate":               {zoomv1.DeletionPolicyDisassociate, "active", []string{"DELETE id disassociate"}, zoomv1.ReasonDisassociated, ""},
		"deactivate":                 {zoomv1.DeletionPolicyDeactivate, "active", []string{"STATUS id deactivate"}, zoomv1.ReasonDeactivated, ""},
		"deactivate inactive":        {zoomv1.DeletionPolicyDeactivate, "inactive", nil, zoomv1.ReasonDeactivated, ""},
		"deactivate pending user":    {zoomv1.DeletionPolicyDeactivate, "pending", []string{"DELETE id disassociate"}, zoomv1.ReasonDisassociated, ""},
	} {
		t.Run(name, func(t *testing.T) {
			api := &recordingZoom{}
			zu := &zoomv1.ZoomUser{Spec: zoomv1.ZoomUserSpec{DeletionPolicy: tc.policy, TransferTo: tc.transferTo}, Status: zoomv1.ZoomUserStatus{ID: "id", State: tc.state}}
			reason, err := applyDeletionPolicy(context.Background(), api, zu)
			if err != nil || reason != tc.reason {
				t.Errorf("reason, err = %s, %v; want %s", reason, err, tc.reason)
			}
			if diff := cmp.Diff(tc.want, api.calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDailyLimitedMessageNamesTheResume(t *testing.T) {
	now := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC)
	out := dailyLimited(now.Add(time.Hour), now)
	if !strings.Contains(out.message, "2026-11-29T00:00:00Z") || out.reason != zoomv1.ReasonRateLimited {
		t.Errorf("outcome = %+v", out)
	}
}

// A wait the operator's own pacing asked for (nothing was sent) shows in
// the conditions but is not announced as a failure; a Zoom 429 is.
func TestPacedWaitIsNoFailureToAnnounce(t *testing.T) {
	now := time.Date(2026, 11, 28, 17, 0, 0, 0, time.UTC)
	ready := []metav1.Condition{{Type: zoomv1.ConditionReady, Status: metav1.ConditionTrue, Reason: zoomv1.ReasonSynced}}
	for name, tc := range map[string]struct {
		err  error
		want bool
	}{
		"token fetch under way": {&zoom.WaitError{Delay: time.Second, Reason: "another request is fetching the account's token"}, false},
		"budget spent":          {fmt.Errorf("zoom: GET /users: %w", &zoom.WaitError{Delay: 3 * time.Second}), false},
		"Zoom's 429":            {&zoom.APIError{StatusCode: http.StatusTooManyRequests, Code: 429}, true},
	} {
		out := zoomOutcome(tc.err, now)
		after := []metav1.Condition{{Type: zoomv1.ConditionReady, Status: metav1.ConditionFalse, Reason: out.reason, Message: out.message}}
		if got := newFailure(ready, after, out); got != tc.want {
			t.Errorf("%s: newFailure = %v, want %v", name, got, tc.want)
		}
	}
}
