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

package onboarding

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	ctrlzap "sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

// repoRoot is where the binaries are built from.
const repoRoot = "../.."

// The binaries built once for the package run; empty when
// KUBEBUILDER_ASSETS is unset and every test skips.
var managerBin, pluginBin string

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
	dir, err := os.MkdirTemp("", "zoom-operator-onboarding-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	managerBin = filepath.Join(dir, "manager")
	pluginBin = filepath.Join(dir, "kubectl-zoom")
	if err := testenv.BuildManager(context.Background(), repoRoot, managerBin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := buildPlugin(pluginBin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// buildPlugin builds kubectl-zoom as a user installs it.
func buildPlugin(out string) error {
	cmd := exec.Command("go", "build", "-o", out, "./cmd/kubectl-zoom")
	cmd.Dir = repoRoot
	if data, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building kubectl-zoom: %w\n%s", err, data)
	}
	return nil
}
