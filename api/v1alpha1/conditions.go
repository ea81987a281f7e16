package v1alpha1

// Condition types, following kstatus: Ready is the summary, Reconciling is
// True while work is under way, Stalled is True when only a change of spec or
// of the outside world can help.
const (
	ConditionReady       = "Ready"
	ConditionReconciling = "Reconciling"
	ConditionStalled     = "Stalled"
)

// Condition reasons. Each is also the reason of the matching event.
const (
	ReasonCreated         = "Created"
	ReasonAdopted         = "Adopted"
	ReasonSynced          = "Synced"
	ReasonUpdated         = "Updated"
	ReasonInvitePending   = "InvitePending"
	ReasonProgressing     = "Progressing"
	ReasonRateLimited     = "RateLimited"
	ReasonAccountNotReady = "AccountNotReady"
	ReasonInvalidSpec     = "InvalidSpec"
	ReasonForbidden       = "Forbidden"
	ReasonAlreadyExists   = "AlreadyExists"
	ReasonConflict        = "Conflict"
	ReasonZoomError       = "ZoomError"
	ReasonZoomUnavailable = "ZoomUnavailable"
	ReasonDeleting        = "Deleting"
	ReasonSuspended       = "Suspended"
	ReasonAuthenticated   = "Authenticated"
	ReasonAuthFailed      = "AuthFailed"
	ReasonSecretInvalid   = "SecretInvalid"
	// ReasonRoleNotAllowed: spec.role is not in the account's allowedRoles.
	ReasonRoleNotAllowed = "RoleNotAllowed"
	// ReasonRoleNotFound: the Zoom account has no role of that name.
	ReasonRoleNotFound = "RoleNotFound"
	// ReasonAccountOwner: the user owns the Zoom account, whose role is not managed.
	ReasonAccountOwner = "AccountOwner"
)

// CreateRequestedAnnotation records, before each POST /users, when the
// operator asked Zoom to create the user. A Zoom user found later without a
// status.id is this object's own only if Zoom created it after that time
// (the create's answer was lost, e.g. in a crash); any other is adopted.
const CreateRequestedAnnotation = "zoom.zoomoperator.dev/create-requested-at"

// Finalizer guards the Zoom user behind a ZoomUser until deletionPolicy ran.
const Finalizer = "zoom.zoomoperator.dev/finalizer"

// Keys of an account's credentials Secret.
const (
	SecretKeyAccountID    = "accountID"
	SecretKeyClientID     = "clientID"
	SecretKeyClientSecret = "clientSecret"
)

// Event reasons for what happened to the Zoom user on deletion.
const (
	ReasonDeleted       = "Deleted"
	ReasonDisassociated = "Disassociated"
	ReasonDeactivated   = "Deactivated"
	ReasonOrphaned      = "Orphaned"
)
