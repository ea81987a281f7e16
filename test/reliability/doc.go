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

// Package reliability runs the manager binary as a real process against a
// local control plane (envtest's kube-apiserver and etcd) and the fake Zoom,
// and checks that what it promises survives the failures of real clusters:
// a manager killed between Zoom's answer and the status write, managers
// killed at random while hundreds of users converge, a leader handing over
// to a standby, a kube-apiserver restarted under load and status writes that
// lose optimistic-lock races. Its tests live in the _test.go files and skip
// when KUBEBUILDER_ASSETS is unset.
package reliability
