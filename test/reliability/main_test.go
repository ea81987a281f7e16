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

package reliability

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	ctrlzap "sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

// repoRoot is where `go build` finds the manager's main package.
const repoRoot = "../.."

// managerBin is the manager binary built once for the whole package run;
// empty when KUBEBUILDER_ASSETS is unset and every test skips.
var managerBin string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return m.Run() // each test skips and says why
	}
	// envtest logs through controller-runtime; without a logger it warns
	// with a stack trace after 30s.
	ctrllog.SetLogger(ctrlzap.New(ctrlzap.WriteTo(io.Discard)))
	dir, err := os.MkdirTemp("", "zoom-operator-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	managerBin = filepath.Join(dir, "manager")
	if err := testenv.BuildManager(context.Background(), repoRoot, managerBin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
