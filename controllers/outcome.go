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
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// outcome is what one reconcile concluded. It is turned into conditions,
// an event and a requeue in one place, so every path reports the same way.
type outcome struct {
	ready   bool   // Zoom matches the spec at this generation
	stalled bool   // only a change of the spec or of Zoom can help
	reason  string // a zoomv1.Reason* constant
	message string
	// wait asks for a requeue after that long without an error: rate limits,
	// accounts not ready. Zero means the resync interval.
	wait time.Duration
	// err is a transient failure: controller-runtime retries with backoff.
	err error
	// paced means nothing was sent: the operator's own budget or a token
	// fetch under way asked to wait. It shows in the conditions but is no
	// failure to announce with a Warning event.
	paced bool
	// elsewhere means another replica owns the object's Zoom account:
	// nothing was sent and nothing is written (see sharding).
	elsewhere bool
}

func ready(reason, message string) outcome {
	return outcome{ready: true, reason: reason, message: message}
}

func stalled(reason, message string) outcome {
	return outcome{stalled: true, reason: reason, message: message}
}

func waiting(reason, message string, wait time.Duration) outcome {
	return outcome{reason: reason, message: message, wait: wait}
}

func failed(reason string, err error) outcome {
	return outcome{reason: reason, message: err.Error(), err: err}
}

// zoomOutcome maps a failed Zoom call to an outcome. It is the only place
// that decides what a Zoom error means for a ZoomUser.
func zoomOutcome(err error, now time.Time) outcome {
	if wait, ok := zoom.WaitFor(err); ok {
		// Nothing was sent: the account's budget or token is busy. Come
		// back then rather than hold a worker.
		out := waiting(zoomv1.ReasonRateLimited, err.Error(), wait+jitter(wait/10+time.Millisecond))
		out.paced = true
		return out
	}
	switch zoom.Classify(err) {
	case zoom.KindRateLimitedQPS:
		return waiting(zoomv1.ReasonRateLimited, "Zoom's per-second rate limit was reached; retrying shortly", qpsWait())
	case zoom.KindRateLimitedDaily:
		return dailyLimited(zoom.ResumeAt(err, now), now)
	case zoom.KindUnauthorized:
		return waiting(zoomv1.ReasonAccountNotReady, "Zoom refused the account's credentials: "+err.Error(), time.Minute)
	case zoom.KindMissingScope:
		return missingScope(err)
	case zoom.KindTerminal, zoom.KindNotFound, zoom.KindAlreadyExists:
		return refused(err)
	default:
		return failed(zoomv1.ReasonZoomUnavailable, err)
	}
}

func dailyLimited(resume, now time.Time) outcome {
	msg := fmt.Sprintf("Zoom's daily rate limit was reached; calls resume at %s", resume.UTC().Format(time.RFC3339))
	// A little jitter spreads the objects of one account over the first
	// seconds after the reset instead of all at once.
	return waiting(zoomv1.ReasonRateLimited, msg, resume.Sub(now)+jitter(5*time.Second))
}

// missingScope names the scopes Zoom asked for. It is Stalled: only a
// change of the app in Zoom helps, and the resync sees it when it comes.
func missingScope(err error) outcome {
	scopes := strings.Join(zoom.MissingScopes(err), ", ")
	if scopes == "" {
		scopes = "the one Zoom names"
	}
	return stalled(zoomv1.ReasonMissingScope, fmt.Sprintf(
		"the account's Zoom app lacks the scope %s: add it to the app in the Zoom App Marketplace (Zoom said: %v)", scopes, err))
}

// refused maps a definite refusal to the reason that names what a person
// must change: deletionPolicy (DeletionRefused), spec.transferTo
// (TransferRequired), another spec value (InvalidSpec: code 300), or
// something outside the spec (ZoomError).
func refused(err error) outcome {
	var apiErr *zoom.APIError
	switch {
	case zoom.IsDisassociationRefused(err):
		return stalled(zoomv1.ReasonDeletionRefused, fmt.Sprintf(
			"Zoom refused to disassociate the user (%v); deletionPolicy %s", err, workingPolicies(err)))
	case zoom.IsTransferRequired(err):
		return stalled(zoomv1.ReasonTransferRequired, fmt.Sprintf(
			"Zoom removes this user only with a transfer target (it hosts Zoom Events or Sessions): set spec.transferTo to the email of a user who receives its data, or set deletionPolicy Deactivate or Orphan (Zoom said: %v)", err))
	case errors.As(err, &apiErr) && apiErr.Code == 300:
		return stalled(zoomv1.ReasonInvalidSpec, "Zoom refused the request: "+err.Error())
	}
	return stalled(zoomv1.ReasonZoomError, "Zoom refused the request: "+err.Error())
}

// workingPolicies says which deletion policies remain once Zoom refused to
// disassociate: an admin (1117) cannot be deactivated either (code 200,
// docs/zoom-contract.md U6a), a user of a managed domain (1107) can.
func workingPolicies(err error) string {
	var apiErr *zoom.APIError
	if errors.As(err, &apiErr) && apiErr.Code == 1117 {
		return "Delete or Orphan works for an admin (Zoom does not deactivate admins); change spec.deletionPolicy to finish the deletion, or remove the user's admin role in Zoom"
	}
	return "Delete, Deactivate or Orphan works for a user of a managed domain; change spec.deletionPolicy to finish the deletion"
}

// accountOutcome maps an account resolution failure to an outcome.
func (r *ZoomUserReconciler) accountOutcome(err error) outcome {
	return accountOutcome(err, r.now(), r.timing.accountRetry)
}

// accountOutcome maps an account resolution failure of a ZoomUser or a
// ZoomGroup to an outcome; retry is the wait for an account not ready.
func accountOutcome(err error, now time.Time, retry time.Duration) outcome {
	if errors.Is(err, errElsewhere) {
		return outcome{elsewhere: true, wait: elsewhereRetry}
	}
	var accErr *accountError
	if !errors.As(err, &accErr) {
		// Reading Kubernetes or reaching Zoom's token endpoint failed, or
		// a token fetch is under way: Zoom's kinds say what to do.
		return zoomOutcome(err, now)
	}
	if accErr.reason == zoomv1.ReasonForbidden {
		return stalled(accErr.reason, accErr.message)
	}
	return waiting(accErr.reason, accErr.message, retry)
}

// qpsWait is about a second with jitter, as Zoom asks after a QPS 429.
func qpsWait() time.Duration { return time.Second + jitter(time.Second) }

func jitter(max time.Duration) time.Duration {
	return time.Duration(rand.Int64N(int64(max)))
}

// statusView is the part of an object's status the conditions are made
// in, so that ZoomUsers and ZoomGroups report the same way.
type statusView struct {
	generation int64
	conds      *[]metav1.Condition
	observed   *int64
	// bound is true when the object holds a Zoom object (status.id).
	bound bool
}

func userView(zu *zoomv1.ZoomUser) statusView {
	return statusView{generation: zu.Generation, conds: &zu.Status.Conditions, observed: &zu.Status.ObservedGeneration, bound: zu.Status.ID != ""}
}

// applyConditions writes the outcome into the status following kstatus:
// Ready summarises, Reconciling and Stalled are present only when True.
// observedGeneration moves only when this generation was fully handled.
func applyConditions(zu *zoomv1.ZoomUser, out outcome) {
	userView(zu).apply(out)
	markSynced(zu)
}

// markSynced says whether the Zoom user matches the spec. It follows Ready,
// with Ready's reason and message, except where Ready does not say: a user
// the policies leave drifted is Ready (bound and reported, as asked) but not
// Synced; a pending invitation (Zoom ignores changes to it) and a suspended
// object (nothing was compared) are Unknown.
func markSynced(zu *zoomv1.ZoomUser) {
	r := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReady)
	if r == nil {
		return
	}
	status := r.Status
	switch r.Reason {
	case zoomv1.ReasonDrifted:
		status = metav1.ConditionFalse
	case zoomv1.ReasonInvitePending, zoomv1.ReasonSuspended:
		status = metav1.ConditionUnknown
	}
	setCondition(zu, zoomv1.ConditionSynced, status, r.Reason, r.Message)
}

func (v statusView) apply(out outcome) {
	switch {
	case out.ready:
		v.set(zoomv1.ConditionReady, metav1.ConditionTrue, out.reason, out.message)
		meta.RemoveStatusCondition(v.conds, zoomv1.ConditionReconciling)
		meta.RemoveStatusCondition(v.conds, zoomv1.ConditionStalled)
		*v.observed = v.generation
	case out.stalled:
		v.set(zoomv1.ConditionReady, metav1.ConditionFalse, out.reason, out.message)
		v.set(zoomv1.ConditionStalled, metav1.ConditionTrue, out.reason, out.message)
		meta.RemoveStatusCondition(v.conds, zoomv1.ConditionReconciling)
		*v.observed = v.generation
	default:
		v.set(zoomv1.ConditionReconciling, metav1.ConditionTrue, out.reason, out.message)
		meta.RemoveStatusCondition(v.conds, zoomv1.ConditionStalled)
		// An object already Ready at this generation stays Ready through a
		// transient wait during a resync; anything else (including one whose
		// Zoom object vanished and waits to be recreated) is not Ready.
		if !v.readyAtGeneration() || !v.bound {
			v.set(zoomv1.ConditionReady, metav1.ConditionFalse, out.reason, out.message)
		}
	}
}

// markSuspended keeps Ready's status, since nothing was checked, and shows
// the Suspended reason so that `kubectl get` tells why nothing happens.
func markSuspended(zu *zoomv1.ZoomUser) {
	userView(zu).markSuspended()
	markSynced(zu)
}

func (v statusView) markSuspended() {
	status := metav1.ConditionUnknown
	if c := meta.FindStatusCondition(*v.conds, zoomv1.ConditionReady); c != nil {
		status = c.Status
	}
	v.set(zoomv1.ConditionReady, status, zoomv1.ReasonSuspended, "reconciliation is suspended by spec.suspend")
	meta.RemoveStatusCondition(v.conds, zoomv1.ConditionReconciling)
}

func readyAtGeneration(zu *zoomv1.ZoomUser) bool { return userView(zu).readyAtGeneration() }

func (v statusView) readyAtGeneration() bool {
	return *v.observed == v.generation && meta.IsStatusConditionTrue(*v.conds, zoomv1.ConditionReady)
}

func setCondition(zu *zoomv1.ZoomUser, typ string, status metav1.ConditionStatus, reason, message string) {
	userView(zu).set(typ, status, reason, message)
}

func (v statusView) set(typ string, status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(v.conds, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: message, ObservedGeneration: v.generation,
	})
}

// newFailure reports whether Ready turned to a failure it did not show
// before, so that a person sees each problem once rather than at every retry.
func newFailure(before, after []metav1.Condition, out outcome) bool {
	if out.ready || out.paced || out.reason == "" {
		return false
	}
	return readyChanged(before, after)
}

// readyChanged reports whether Ready's reason or message changed.
func readyChanged(before, after []metav1.Condition) bool {
	old := meta.FindStatusCondition(before, zoomv1.ConditionReady)
	cur := meta.FindStatusCondition(after, zoomv1.ConditionReady)
	return cur != nil && (old == nil || old.Reason != cur.Reason || old.Message != cur.Message)
}

// result turns an outcome into the controller's answer. Waits never return
// an error: a rate limit is not a failure and must not feed the per-item
// exponential backoff. A paced wait (the account's budget sent the request
// away) comes back at handler.LowPriority, as a retry behind the events of
// new and changed objects, which the budget also serves first; other waits
// keep the priority the request came with. A resync goes to the back of the
// priority queue, since nothing changed and someone's new change must not
// wait behind it (without a Priority, controller-runtime would requeue it
// at the priority it was taken with).
func result(out outcome, resync time.Duration) (ctrl.Result, error) {
	switch {
	case out.err != nil:
		return ctrl.Result{}, out.err
	case out.wait > 0 && out.paced:
		return ctrl.Result{RequeueAfter: out.wait, Priority: new(handler.LowPriority)}, nil
	case out.wait > 0:
		return ctrl.Result{RequeueAfter: out.wait}, nil
	default:
		return ctrl.Result{RequeueAfter: resync + jitter(resync/10), Priority: new(handler.LowPriority)}, nil
	}
}
