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

// Package testenv is the one test environment of the project: a control
// plane (envtest's kube-apiserver and etcd with the CRDs installed), the
// manager's identity bound only to the generated ClusterRole, the fake Zoom
// served over HTTP, the objects of a tenant (namespace, credentials Secret,
// account) and the manager binary as a child process with its log.
//
// The controllers tests, test/deploy, test/reliability, hack/bench and
// hack/runlocal all start what they need from here, so that a change to how
// the operator is run (a new flag, a new object) is made once.
package testenv
