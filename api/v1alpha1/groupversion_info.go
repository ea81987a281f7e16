// Package v1alpha1 holds the zoom.zoomoperator.dev/v1alpha1 API: ZoomUser,
// ZoomAccount and ClusterZoomAccount.
// +kubebuilder:object:generate=true
// +groupName=zoom.zoomoperator.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of every kind in this package.
	GroupVersion = schema.GroupVersion{Group: "zoom.zoomoperator.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the kinds of this package with a scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the kinds of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
