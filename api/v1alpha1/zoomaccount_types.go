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

// Plan is the Zoom plan of an account; it sets the client-side request budget.
// +kubebuilder:validation:Enum=Free;Pro;Business
type Plan string

const (
	PlanFree     Plan = "Free"
	PlanPro      Plan = "Pro"
	PlanBusiness Plan = "Business"
)

// AccountSettings are the settings shared by ZoomAccount and ClusterZoomAccount.
type AccountSettings struct {
	// plan is the account's Zoom plan: Free, Pro or Business.
	// +kubebuilder:default=Pro
	// +optional
	Plan Plan `json:"plan,omitempty"`

	// apiURL is the base of Zoom's REST API.
	// +kubebuilder:default="https://api.zoom.us/v2"
	// +kubebuilder:validation:Pattern=`^https?://`
	// +kubebuilder:validation:MaxLength=512
	// +optional
	APIURL string `json:"apiURL,omitempty"`

	// tokenURL is Zoom's OAuth token endpoint.
	// +kubebuilder:default="https://zoom.us/oauth/token"
	// +kubebuilder:validation:Pattern=`^https?://`
	// +kubebuilder:validation:MaxLength=512
	// +optional
	TokenURL string `json:"tokenURL,omitempty"`

	// adoptExistingUsers lets a ZoomUser take over a Zoom user it did not
	// create, and later delete or disassociate it.
	// +optional
	AdoptExistingUsers bool `json:"adoptExistingUsers,omitempty"`

	// adoptExistingGroups lets a ZoomGroup take over a Zoom group of the same
	// name that it did not create, manage its membership and, with
	// deletionPolicy Delete, delete it.
	// +optional
	AdoptExistingGroups bool `json:"adoptExistingGroups,omitempty"`

	// allowedRoles are the Zoom role names a ZoomUser of this account may ask
	// for in spec.role, so that a tenant cannot make itself an admin. Owner is
	// never allowed.
	// +kubebuilder:default={Member}
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self.all(r, r.lowerAscii() != 'owner')",message="the Owner role cannot be allowed"
	// +listType=set
	// +optional
	AllowedRoles []string `json:"allowedRoles,omitempty"`
}

// LocalSecretReference names a Secret in the object's own namespace.
type LocalSecretReference struct {
	// name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
}

// SecretReference names a Secret in a given namespace.
type SecretReference struct {
	// name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// namespace of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +required
	Namespace string `json:"namespace"`
}

// AccountStatus is the observed state of an account.
type AccountStatus struct {
	// observedGeneration is the generation last fully handled.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready is True once a token was obtained.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ZoomAccountSpec is a Zoom account whose Server-to-Server OAuth credentials
// live in a Secret of the ZoomAccount's own namespace.
type ZoomAccountSpec struct {
	// credentialsSecretRef names a Secret in this namespace with the keys
	// accountID, clientID and clientSecret.
	// +required
	CredentialsSecretRef LocalSecretReference `json:"credentialsSecretRef"`

	AccountSettings `json:",inline"`
}

// ZoomAccount is a Zoom account that ZoomUsers of its namespace can use.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=za,categories=zoom
// +kubebuilder:printcolumn:name="Plan",type=string,JSONPath=`.spec.plan`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ZoomAccount struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec ZoomAccountSpec `json:"spec"`
	// +optional
	Status AccountStatus `json:"status,omitzero"`
}

// ZoomAccountList is a list of ZoomAccounts.
// +kubebuilder:object:root=true
type ZoomAccountList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ZoomAccount `json:"items"`
}

// NamespacesFrom says which namespaces may use a ClusterZoomAccount.
// +kubebuilder:validation:Enum=All;Selector
type NamespacesFrom string

const (
	NamespacesFromAll      NamespacesFrom = "All"
	NamespacesFromSelector NamespacesFrom = "Selector"
)

// AllowedNamespaces limits which namespaces' ZoomUsers may use an account.
// +kubebuilder:validation:XValidation:rule="has(self.selector) == (self.from == 'Selector')",message="selector is required when from is Selector and not allowed otherwise"
type AllowedNamespaces struct {
	// from is All or Selector.
	// +kubebuilder:default=All
	// +optional
	From NamespacesFrom `json:"from,omitempty"`

	// selector of the namespaces' labels; required when from is Selector.
	// +optional
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

// ClusterZoomAccountSpec is a Zoom account shared across namespaces.
type ClusterZoomAccountSpec struct {
	// credentialsSecretRef names a Secret with the keys accountID, clientID and clientSecret.
	// +required
	CredentialsSecretRef SecretReference `json:"credentialsSecretRef"`

	AccountSettings `json:",inline"`

	// allowedNamespaces limits which namespaces' ZoomUsers may use this account.
	// +kubebuilder:default={from: All}
	// +optional
	AllowedNamespaces AllowedNamespaces `json:"allowedNamespaces,omitzero"`
}

// ClusterZoomAccount is a Zoom account that ZoomUsers of allowed namespaces can use.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=cza,categories=zoom
// +kubebuilder:printcolumn:name="Plan",type=string,JSONPath=`.spec.plan`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ClusterZoomAccount struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec ClusterZoomAccountSpec `json:"spec"`
	// +optional
	Status AccountStatus `json:"status,omitzero"`
}

// ClusterZoomAccountList is a list of ClusterZoomAccounts.
// +kubebuilder:object:root=true
type ClusterZoomAccountList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterZoomAccount `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ZoomAccount{}, &ZoomAccountList{}, &ClusterZoomAccount{}, &ClusterZoomAccountList{})
}
