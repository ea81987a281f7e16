// Package deploy tests what ships beside the manager binary: the kustomize
// tree under config/, the Argo CD health checks, and how kubectl, kstatus and
// Argo CD read a ZoomUser's status. Its tests live in the _test.go files;
// those that need a control plane run against envtest and skip when
// KUBEBUILDER_ASSETS is unset.
package deploy
