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

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// UserType is the Zoom licence type of a user.
// +kubebuilder:validation:Enum=Basic;Licensed;Unassigned;None
type UserType string

const (
	UserTypeBasic      UserType = "Basic"      // Zoom type 1
	UserTypeLicensed   UserType = "Licensed"   // Zoom type 2
	UserTypeUnassigned UserType = "Unassigned" // Zoom type 4: unassigned without Meetings Basic
	UserTypeNone       UserType = "None"       // Zoom type 99: only with ssoCreate
)

// CreateAction is how Zoom creates the user, in Zoom's own words.
// +kubebuilder:validation:Enum=create;autoCreate;custCreate;ssoCreate
type CreateAction string

const (
	ActionCreate     CreateAction = "create"     // Zoom emails an invitation; the user is pending until accepted
	ActionAutoCreate CreateAction = "autoCreate" // managed domains; needs a password
	ActionCustCreate CreateAction = "custCreate" // no password, no portal login
	ActionSSOCreate  CreateAction = "ssoCreate"  // pre-provisioned SSO user
)

// UserState is the desired activation state of a user.
// +kubebuilder:validation:Enum=Active;Inactive
type UserState string

const (
	UserStateActive   UserState = "Active"
	UserStateInactive UserState = "Inactive"
)

// DeletionPolicy says what happens in Zoom when a ZoomUser is deleted.
// +kubebuilder:validation:Enum=Delete;Disassociate;Deactivate;Orphan
type DeletionPolicy string

const (
	DeletionPolicyDelete       DeletionPolicy = "Delete"
	DeletionPolicyDisassociate DeletionPolicy = "Disassociate"
	DeletionPolicyDeactivate   DeletionPolicy = "Deactivate"
	DeletionPolicyOrphan       DeletionPolicy = "Orphan"
)

// ManagementPolicy is one thing the operator may do with a Zoom user, in
// Crossplane's words: Observe (read and report), Create, Update (correct
// drift: activation, names, type, role), Delete (carry out deletionPolicy),
// or * for all of them.
// +kubebuilder:validation:Enum=Observe;Create;Update;Delete;*
type ManagementPolicy string

const (
	ManagementObserve ManagementPolicy = "Observe"
	ManagementCreate  ManagementPolicy = "Create"
	ManagementUpdate  ManagementPolicy = "Update"
	ManagementDelete  ManagementPolicy = "Delete"
	ManagementAll     ManagementPolicy = "*"
)

// ManagementPolicies is what the operator may do with a Zoom user; empty
// means everything.
type ManagementPolicies []ManagementPolicy

// Allow reports whether the policies allow the action.
func (p ManagementPolicies) Allow(action ManagementPolicy) bool {
	if len(p) == 0 {
		return true
	}
	for _, have := range p {
		if have == ManagementAll || have == action {
			return true
		}
	}
	return false
}

// AccountKind names the kind of account a ZoomUser belongs to.
// +kubebuilder:validation:Enum=ZoomAccount;ClusterZoomAccount
type AccountKind string

const (
	AccountKindNamespaced AccountKind = "ZoomAccount"
	AccountKindCluster    AccountKind = "ClusterZoomAccount"
)

// AccountReference points at a ZoomAccount in the ZoomUser's namespace or at
// a ClusterZoomAccount.
type AccountReference struct {
	// kind is ZoomAccount (same namespace) or ClusterZoomAccount.
	// +kubebuilder:default=ClusterZoomAccount
	// +optional
	Kind AccountKind `json:"kind,omitempty"`

	// name of the account.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
}

// SecretKeyReference selects one key of a Secret in the object's namespace.
type SecretKeyReference struct {
	// name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// key in the Secret's data.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Key string `json:"key"`
}

// ZoomUserSpec is the Zoom user the owner wants to exist.
// +kubebuilder:validation:XValidation:rule="has(self.passwordSecretRef) == (self.action == 'autoCreate')",message="passwordSecretRef is required when action is autoCreate and not allowed otherwise"
// +kubebuilder:validation:XValidation:rule="self.type != 'None' || self.action == 'ssoCreate'",message="type None is only allowed with action ssoCreate"
// +kubebuilder:validation:XValidation:rule="self.action != 'autoCreate' || self.deletionPolicy != 'Disassociate'",message="autoCreate users belong to a managed domain, which Zoom never disassociates: set deletionPolicy to Delete, Deactivate or Orphan"
// +kubebuilder:validation:XValidation:rule="!has(self.transferTo) || self.transferTo.lowerAscii() != self.email.lowerAscii()",message="transferTo must name another user than email"
type ZoomUserSpec struct {
	// email of the Zoom user; the key that ties this object to one Zoom user.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9.!#$%&'*+/=?^_{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="email is immutable"
	// +required
	Email string `json:"email"`

	// type is the licence type: Basic, Licensed, Unassigned or None (None only with ssoCreate).
	// +kubebuilder:default=Basic
	// +optional
	Type UserType `json:"type,omitempty"`

	// action is how Zoom creates the user: create (invitation email), autoCreate,
	// custCreate or ssoCreate. Immutable.
	// +kubebuilder:default=create
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="action is immutable"
	// +optional
	Action CreateAction `json:"action,omitempty"`

	// firstName of the user.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	FirstName string `json:"firstName,omitempty"`

	// lastName of the user.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	LastName string `json:"lastName,omitempty"`

	// displayName of the user.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	DisplayName string `json:"displayName,omitempty"`

	// passwordSecretRef holds the initial password; required iff action is autoCreate.
	// +optional
	PasswordSecretRef *SecretKeyReference `json:"passwordSecretRef,omitempty"`

	// state is Active or Inactive (deactivated in Zoom, keeps its data).
	// +kubebuilder:default=Active
	// +optional
	State UserState `json:"state,omitempty"`

	// deletionPolicy says what happens in Zoom when this object is deleted:
	// Delete, Disassociate (default), Deactivate or Orphan. It may be changed
	// while the object is being deleted, e.g. when Zoom refuses to
	// disassociate the user (DeletionRefused). autoCreate users must name
	// another policy than Disassociate: Zoom never disassociates them.
	// +kubebuilder:default=Disassociate
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// transferTo is the email of a user of the same Zoom account who receives
	// the removed user's meetings, webinars, recordings, whiteboards and Zoom
	// Events when deletionPolicy Delete or Disassociate removes the user.
	// Zoom requires it for users who host Zoom Events or Sessions
	// (TransferRequired). It may be set while the object is being deleted.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9.!#$%&'*+/=?^_{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$`
	// +optional
	TransferTo string `json:"transferTo,omitempty"`

	// accountRef is the Zoom account the user lives in. Immutable.
	// +kubebuilder:default={kind: ClusterZoomAccount, name: default}
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="accountRef is immutable"
	// +optional
	AccountRef AccountReference `json:"accountRef,omitzero"`

	// suspend stops every call to Zoom for this object; status is kept.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// role is the name of the Zoom role the user holds, e.g. Member, Admin or
	// a custom role. It must be in the account's allowedRoles; Owner is never
	// assignable. Removing the field leaves the user's role as it is.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self.lowerAscii() != 'owner'",message="the Owner role cannot be assigned"
	// +optional
	Role string `json:"role,omitempty"`

	// managementPolicies is what the operator may do with the Zoom user,
	// with Crossplane's names: Observe, Create, Update, Delete, or * (the
	// default) for all. [Observe] binds the user and reports it without a
	// single write; without Update drift is reported (Synced False, reason
	// Drifted) and not corrected; without Create a missing user is reported,
	// not created; without Delete removing the object never touches Zoom,
	// whatever deletionPolicy says. Binding a Zoom user the operator did not
	// create still needs the account's adoptExistingUsers.
	// +kubebuilder:default={"*"}
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=5
	// +listType=set
	// +kubebuilder:validation:XValidation:rule="self.exists(p, p == '*' || p == 'Observe')",message="managementPolicies must include Observe: the operator always reads the Zoom user first"
	// +kubebuilder:validation:XValidation:rule="!self.exists(p, p == '*') || self.size() == 1",message="'*' already means every policy: list it alone"
	// +optional
	ManagementPolicies ManagementPolicies `json:"managementPolicies,omitempty"`
}

// ObservedUser is what Zoom last said of the user, in the spec's words
// where the API has them.
type ObservedUser struct {
	// type is Zoom's licence type: Basic, Licensed, Unassigned or None, or
	// Zoom's number when the API has no name for it.
	// +optional
	Type string `json:"type,omitempty"`

	// state is Zoom's status: pending, active or inactive.
	// +optional
	State string `json:"state,omitempty"`

	// firstName in Zoom.
	// +optional
	FirstName string `json:"firstName,omitempty"`

	// lastName in Zoom.
	// +optional
	LastName string `json:"lastName,omitempty"`

	// displayName in Zoom.
	// +optional
	DisplayName string `json:"displayName,omitempty"`
}

// ZoomUserStatus is what Zoom last said about the user.
type ZoomUserStatus struct {
	// id is Zoom's user id.
	// +optional
	ID string `json:"id,omitempty"`

	// state is Zoom's status of the user: pending, active or inactive.
	// +optional
	State string `json:"state,omitempty"`

	// adopted is true when the Zoom user existed before this object.
	// +optional
	Adopted bool `json:"adopted,omitempty"`

	// createRequestedAt is when the operator last sent a create for this
	// object whose answer never came (timeout, dropped connection, 5xx,
	// crash). Only a Zoom user created after it (and after the object) can
	// be this object's own without adoption. Only the manager writes it:
	// status is a subresource that namespace editors cannot write, so no
	// tenant can forge ownership of a user. A definite refusal clears it.
	// +optional
	CreateRequestedAt *metav1.Time `json:"createRequestedAt,omitempty"`

	// observed is the Zoom user as last read, after the operator's own
	// changes; compare it with the spec to see drift the policies leave.
	// +optional
	Observed *ObservedUser `json:"observed,omitempty"`

	// observedGeneration is the generation last fully handled.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready, Synced, Reconciling and Stalled.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ZoomUser is a user of a Zoom account, managed from Kubernetes.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=zu,categories=zoom
// +kubebuilder:printcolumn:name="Email",type=string,JSONPath=`.spec.email`
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.status.observed.type`
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="ID",type=string,JSONPath=`.status.id`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`,priority=1
// +kubebuilder:printcolumn:name="Account",type=string,JSONPath=`.spec.accountRef.name`,priority=1
// +kubebuilder:printcolumn:name="Policies",type=string,JSONPath=`.spec.managementPolicies`,priority=1
type ZoomUser struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec ZoomUserSpec `json:"spec"`
	// +optional
	Status ZoomUserStatus `json:"status,omitzero"`
}

// ZoomUserList is a list of ZoomUsers.
// +kubebuilder:object:root=true
type ZoomUserList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ZoomUser `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ZoomUser{}, &ZoomUserList{})
}
