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
