package controllers

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

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

// Waits that are not rate limits. accountRetryInterval is set once, by
// Setup (Options.AccountRetryInterval).
var accountRetryInterval = 30 * time.Second

const authRetryInterval = time.Minute

// zoomOutcome maps a failed Zoom call to an outcome. It is the only place
// that decides what a Zoom error means for a ZoomUser.
func zoomOutcome(err error, now time.Time) outcome {
	switch zoom.Classify(err) {
	case zoom.KindRateLimitedQPS:
		return waiting(zoomv1.ReasonRateLimited, "Zoom's per-second rate limit was reached; retrying shortly", qpsWait())
	case zoom.KindRateLimitedDaily:
		return dailyLimited(zoom.ResumeAt(err, now), now)
	case zoom.KindUnauthorized:
		return waiting(zoomv1.ReasonAccountNotReady, "Zoom refused the account's credentials: "+err.Error(), authRetryInterval)
	case zoom.KindTerminal, zoom.KindNotFound, zoom.KindAlreadyExists:
		return stalled(terminalReason(err), "Zoom refused the request: "+err.Error())
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

// terminalReason tells a spec Zoom cannot accept (code 300, invalid
// parameter) from other refusals.
func terminalReason(err error) string {
	var apiErr *zoom.APIError
	if errors.As(err, &apiErr) && apiErr.Code == 300 {
		return zoomv1.ReasonInvalidSpec
	}
	return zoomv1.ReasonZoomError
}

// accountOutcome maps an account resolution failure to an outcome.
func accountOutcome(err error) outcome {
	var accErr *accountError
	if !errors.As(err, &accErr) {
		return failed(zoomv1.ReasonAccountNotReady, err)
	}
	if accErr.reason == zoomv1.ReasonForbidden {
		return stalled(accErr.reason, accErr.message)
	}
	return waiting(accErr.reason, accErr.message, accountRetryInterval)
}

// qpsWait is about a second with jitter, as Zoom asks after a QPS 429.
func qpsWait() time.Duration { return time.Second + jitter(time.Second) }

func jitter(max time.Duration) time.Duration {
	return time.Duration(rand.Int64N(int64(max)))
}

// applyConditions writes the outcome into the status following kstatus:
// Ready summarises, Reconciling and Stalled are present only when True.
// observedGeneration moves only when this generation was fully handled.
func applyConditions(zu *zoomv1.ZoomUser, out outcome) {
	conds := &zu.Status.Conditions
	switch {
	case out.ready:
		setCondition(zu, zoomv1.ConditionReady, metav1.ConditionTrue, out.reason, out.message)
		meta.RemoveStatusCondition(conds, zoomv1.ConditionReconciling)
		meta.RemoveStatusCondition(conds, zoomv1.ConditionStalled)
		zu.Status.ObservedGeneration = zu.Generation
	case out.stalled:
		setCondition(zu, zoomv1.ConditionReady, metav1.ConditionFalse, out.reason, out.message)
		setCondition(zu, zoomv1.ConditionStalled, metav1.ConditionTrue, out.reason, out.message)
		meta.RemoveStatusCondition(conds, zoomv1.ConditionReconciling)
		zu.Status.ObservedGeneration = zu.Generation
	default:
		setCondition(zu, zoomv1.ConditionReconciling, metav1.ConditionTrue, out.reason, out.message)
		meta.RemoveStatusCondition(conds, zoomv1.ConditionStalled)
		// A user already Ready at this generation stays Ready through a
		// transient wait during a resync; anything else (including a user
		// that vanished from Zoom and waits to be recreated) is not Ready.
		if !readyAtGeneration(zu) || zu.Status.ID == "" {
			setCondition(zu, zoomv1.ConditionReady, metav1.ConditionFalse, out.reason, out.message)
		}
	}
}

// markSuspended keeps Ready's status, since nothing was checked, and shows
// the Suspended reason so that `kubectl get` tells why nothing happens.
func markSuspended(zu *zoomv1.ZoomUser) {
	status := metav1.ConditionUnknown
	if c := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReady); c != nil {
		status = c.Status
	}
	setCondition(zu, zoomv1.ConditionReady, status, zoomv1.ReasonSuspended, "reconciliation is suspended by spec.suspend")
	meta.RemoveStatusCondition(&zu.Status.Conditions, zoomv1.ConditionReconciling)
}

func readyAtGeneration(zu *zoomv1.ZoomUser) bool {
	return zu.Status.ObservedGeneration == zu.Generation &&
		meta.IsStatusConditionTrue(zu.Status.Conditions, zoomv1.ConditionReady)
}

func setCondition(zu *zoomv1.ZoomUser, typ string, status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(&zu.Status.Conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: message, ObservedGeneration: zu.Generation,
	})
}

// result turns an outcome into the controller's answer. Waits never return
// an error: a rate limit is not a failure and must not feed the per-item
// exponential backoff.
func result(out outcome, resync time.Duration) (ctrl.Result, error) {
	switch {
	case out.err != nil:
		return ctrl.Result{}, out.err
	case out.wait > 0:
		return ctrl.Result{RequeueAfter: out.wait}, nil
	default:
		return ctrl.Result{RequeueAfter: resync + jitter(resync/10)}, nil
	}
}
