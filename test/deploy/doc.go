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

// Package deploy tests what ships beside the manager binary: the kustomize
// tree under config/, the Argo CD health checks, and how kubectl, kstatus and
// Argo CD read a ZoomUser's status. Its tests live in the _test.go files;
// those that need a control plane run against envtest and skip when
// KUBEBUILDER_ASSETS is unset.
package deploy
