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

package v1alpha1

// Condition types, following kstatus: Ready is the summary, Reconciling is
// True while work is under way, Stalled is True when only a change of spec or
// of the outside world can help.
const (
	ConditionReady       = "Ready"
	ConditionReconciling = "Reconciling"
	ConditionStalled     = "Stalled"
	// ConditionSynced is True when the Zoom user matches the spec, False
	// while it does not (reason Drifted when managementPolicies leave the
	// difference uncorrected, else the reason of what stands in the way).
	ConditionSynced = "Synced"
)

// Condition reasons of a ZoomUser. A failure's reason is also the reason of
// the Warning event that announces it.
const (
	ReasonSynced           = "Synced"           // Ready: Zoom matches the spec
	ReasonInvitePending    = "InvitePending"    // Ready: invited, waiting for the person to accept
	ReasonProgressing      = "Progressing"      // a step is under way (e.g. a user vanished and is looked up again)
	ReasonRateLimited      = "RateLimited"      // Zoom's or the account budget's rate limit: waiting
	ReasonAccountNotReady  = "AccountNotReady"  // the account, its Secret or its credentials do not work yet
	ReasonInvalidSpec      = "InvalidSpec"      // Zoom refused the spec's values (code 300), or a password Secret is unusable
	ReasonForbidden        = "Forbidden"        // the namespace may not use the ClusterZoomAccount
	ReasonAlreadyExists    = "AlreadyExists"    // the Zoom user exists and adoption is not allowed
	ReasonConflict         = "Conflict"         // another ZoomUser manages this email in this Zoom account
	ReasonZoomError        = "ZoomError"        // Zoom refused the request for another reason (code and message shown)
	ReasonZoomUnavailable  = "ZoomUnavailable"  // 5xx, timeouts, network: retried with backoff
	ReasonSuspended        = "Suspended"        // spec.suspend is true: no calls to Zoom
	ReasonRoleNotAllowed   = "RoleNotAllowed"   // spec.role is not in the account's allowedRoles
	ReasonRoleNotFound     = "RoleNotFound"     // the Zoom account has no role of that name
	ReasonAccountOwner     = "AccountOwner"     // the user owns the Zoom account, whose role is not managed
	ReasonDeletionRefused  = "DeletionRefused"  // Zoom refused to disassociate the user (1107 managed domain, 1117 admin): change deletionPolicy
	ReasonTransferRequired = "TransferRequired" // Zoom removes the user only with a transfer target: set spec.transferTo
	ReasonMissingScope     = "MissingScope"     // the account's Zoom app lacks a scope the call needs (Zoom code 4711): add it to the app
	ReasonDrifted          = "Drifted"          // Ready and Synced False: Zoom differs from the spec and managementPolicies exclude Update
	ReasonNotInZoom        = "NotInZoom"        // Zoom has no such user and managementPolicies exclude Create
)

// Condition reasons of a ZoomAccount or ClusterZoomAccount.
const (
	ReasonAuthenticated  = "Authenticated"  // Ready: Zoom issued a token for the credentials
	ReasonAuthFailed     = "AuthFailed"     // Zoom refused the credentials
	ReasonSecretInvalid  = "SecretInvalid"  // the Secret is missing or lacks a key
	ReasonHostNotAllowed = "HostNotAllowed" // apiURL or tokenURL is outside the manager's --allowed-zoom-hosts
	// ZoomUnavailable (above) also applies: the token endpoint failed.
)

// Event reasons (Normal events) for what the operator did to a Zoom user.
const (
	ReasonCreated       = "Created"
	ReasonAdopted       = "Adopted"
	ReasonUpdated       = "Updated"
	ReasonDeleted       = "Deleted"
	ReasonDisassociated = "Disassociated"
	ReasonDeactivated   = "Deactivated"
	ReasonOrphaned      = "Orphaned" // released without a call to Zoom, or left in Zoom
)

// Finalizer guards the Zoom user behind a ZoomUser until deletionPolicy ran.
const Finalizer = "zoom.zoomoperator.dev/finalizer"

// PasswordSecretLabel must be "true" on a Secret that a ZoomUser's
// passwordSecretRef names: a tenant who may write ZoomUsers but not read
// Secrets must not get the manager to send any Secret's value to Zoom.
const PasswordSecretLabel = "zoom.zoomoperator.dev/password-secret"

// Keys of an account's credentials Secret.
const (
	SecretKeyAccountID    = "accountID"
	SecretKeyClientID     = "clientID"
	SecretKeyClientSecret = "clientSecret"
)
