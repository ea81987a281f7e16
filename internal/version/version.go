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

// Package version holds what a build of the manager says about itself. The
// release build sets the variables with -ldflags "-X"; a plain go build
// leaves the defaults, which say so.
package version

import "fmt"

// Set at link time by the Makefile and hack/image, e.g.
// -X github.com/zoom-operator/zoom-operator/internal/version.Version=0.1.0.
var (
	Version = "0.0.0-dev"
	Commit  = "unknown"
	Date    = "unknown" // build time, RFC 3339 in UTC
)

// Package is the import path the -X flags name.
const Package = "github.com/zoom-operator/zoom-operator/internal/version"

// String is the one line --version prints.
func String() string {
	return fmt.Sprintf("zoom-operator %s (commit %s, built %s)", Version, Commit, Date)
}

// LDFlags returns the -X flags that stamp version, commit and date into a
// binary, for the builds that do so.
func LDFlags(version, commit, date string) string {
	return fmt.Sprintf("-X %[1]s.Version=%[2]s -X %[1]s.Commit=%[3]s -X %[1]s.Date=%[4]s", Package, version, commit, date)
}
