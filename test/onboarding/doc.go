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

// Package onboarding tests the way an account that already has users is
// brought under the operator: kubectl zoom export (the built binary) lists
// a fake Zoom holding more than a thousand users over HTTP, its manifests
// are applied with kubectl to a local control plane (envtest's
// kube-apiserver and etcd), and the manager binary adopts every user
// without a single write to Zoom. Its tests skip when KUBEBUILDER_ASSETS is
// unset.
package onboarding
