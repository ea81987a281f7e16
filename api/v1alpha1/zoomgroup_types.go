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

// GroupDeletionPolicy says what happens in Zoom when a ZoomGroup is deleted.
// +kubebuilder:validation:Enum=Delete;Orphan
type GroupDeletionPolicy string

const (
	// GroupDeletionPolicyDelete deletes the Zoom group. Its members stay in
	// the account; they only leave the group.
	GroupDeletionPolicyDelete GroupDeletionPolicy = "Delete"
	// GroupDeletionPolicyOrphan leaves the Zoom group and its members as they are.
	GroupDeletionPolicyOrphan GroupDeletionPolicy = "Orphan"
)

// ZoomGroupSpec is the Zoom group the owner wants, and who should be in it.
// +kubebuilder:validation:XValidation:rule="has(self.memberSelector) || (has(self.members) && size(self.members) > 0)",message="at least one of memberSelector or members is required"
type ZoomGroupSpec struct {
	// name of the Zoom group; unique within the Zoom account. It may change
	// until the object is bound to a Zoom group (status.id is set), and is
	// immutable after.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +required
	Name string `json:"name"`

	// memberSelector selects ZoomUsers of this namespace by label; the
	// members are the union of the selected users and members.
	// +optional
	MemberSelector *metav1.LabelSelector `json:"memberSelector,omitempty"`

	// members names ZoomUsers of this namespace.
	// +kubebuilder:validation:MaxItems=1000
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=253
	// +listType=set
	// +optional
	Members []string `json:"members,omitempty"`

	// accountRef is the Zoom account the group lives in. Immutable. Only
	// ZoomUsers of the same account can be members.
	// +kubebuilder:default={kind: ClusterZoomAccount, name: default}
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="accountRef is immutable"
	// +optional
	AccountRef AccountReference `json:"accountRef,omitzero"`

	// deletionPolicy says what happens in Zoom when this object is deleted:
	// Delete (default) removes the Zoom group, Orphan leaves it.
	// +kubebuilder:default=Delete
	// +optional
	DeletionPolicy GroupDeletionPolicy `json:"deletionPolicy,omitempty"`

	// removeUnmanagedMembers lets the operator remove members it did not add
	// (added in Zoom by hand, by an identity provider, or before adoption).
	// By default only members the operator added are ever removed.
	// +optional
	RemoveUnmanagedMembers bool `json:"removeUnmanagedMembers,omitempty"`

	// suspend stops every call to Zoom for this object; status is kept.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// PendingReason says why a selected ZoomUser is not a member of the Zoom group yet.
// +kubebuilder:validation:Enum=NotFound;NotReady;InvitePending;OtherAccount;ObserveOnly
type PendingReason string

const (
	// PendingNotFound: a name in spec.members has no ZoomUser in the namespace.
	PendingNotFound PendingReason = "NotFound"
	// PendingNotReady: the ZoomUser is not bound to a Zoom user, or not Ready.
	PendingNotReady PendingReason = "NotReady"
	// PendingInvitePending: the Zoom user has not accepted the invitation
	// yet; Zoom adds only members of the account to groups.
	PendingInvitePending PendingReason = "InvitePending"
	// PendingOtherAccount: the ZoomUser lives in another Zoom account.
	PendingOtherAccount PendingReason = "OtherAccount"
	// PendingObserveOnly: the ZoomUser's managementPolicies exclude Update,
	// so the operator neither adds it to a group nor removes it from one.
	PendingObserveOnly PendingReason = "ObserveOnly"
)

// PendingMember is a selected ZoomUser that is not a member yet.
type PendingMember struct {
	// name of the ZoomUser.
	// +required
	Name string `json:"name"`

	// reason is NotFound, NotReady, InvitePending or OtherAccount.
	// +required
	Reason PendingReason `json:"reason"`
}

// ZoomGroupStatus is what Zoom last said about the group.
type ZoomGroupStatus struct {
	// id is Zoom's group id.
	// +optional
	ID string `json:"id,omitempty"`

	// adopted is true when the Zoom group existed before this object.
	// +optional
	Adopted bool `json:"adopted,omitempty"`

	// memberCount is Zoom's count of the group's members, including members
	// the operator did not add.
	// +optional
	MemberCount int32 `json:"memberCount,omitempty"`

	// addedMembers are the Zoom user ids the operator added to the group.
	// Only these are removed when their ZoomUser leaves the selection
	// (unless removeUnmanagedMembers is set).
	// +listType=set
	// +optional
	AddedMembers []string `json:"addedMembers,omitempty"`

	// pendingCount is how many selected ZoomUsers are not members yet.
	// +optional
	PendingCount int32 `json:"pendingCount,omitempty"`

	// pendingMembers lists selected ZoomUsers that are not members yet and
	// why, sorted by name; at most the first 50, pendingCount has the total.
	// +listType=map
	// +listMapKey=name
	// +optional
	PendingMembers []PendingMember `json:"pendingMembers,omitempty"`

	// observedGeneration is the generation last fully handled.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready, Reconciling and Stalled.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ZoomGroup is a Zoom group whose members are ZoomUsers of its namespace.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=zg,categories=zoom
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.status) || !has(oldSelf.status.id) || self.spec.name == oldSelf.spec.name",message="spec.name is immutable once the group is bound to a Zoom group"
// +kubebuilder:printcolumn:name="Group",type=string,JSONPath=`.spec.name`
// +kubebuilder:printcolumn:name="Members",type=integer,JSONPath=`.status.memberCount`
// +kubebuilder:printcolumn:name="Pending",type=integer,JSONPath=`.status.pendingCount`,priority=1
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="ID",type=string,JSONPath=`.status.id`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ZoomGroup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec ZoomGroupSpec `json:"spec"`
	// +optional
	Status ZoomGroupStatus `json:"status,omitzero"`
}

// ZoomGroupList is a list of ZoomGroups.
// +kubebuilder:object:root=true
type ZoomGroupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ZoomGroup `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ZoomGroup{}, &ZoomGroupList{})
}
