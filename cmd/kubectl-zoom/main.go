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

// kubectl-zoom is the kubectl plugin of the zoom-operator: `kubectl zoom
// export` writes the users of a Zoom account as ZoomUser manifests, and
// `kubectl zoom plan` shows what the operator would do with ZoomUsers.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	flag "github.com/spf13/pflag"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	// exitChanges is plan's "the operator would do something": plan's
	// usage errors are exitError, so that 2 means only this.
	exitChanges = 2
)

// usageError is a mistake in the command line or the environment: exit
// code exitUsage for export.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

var errNoCredentials = usageError{errors.New(
	"no credentials: set ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET, or use --from-account (see --help)")}

// exitCodeOf is exitUsage for a usageError, else exitError.
func exitCodeOf(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return exitUsage
	}
	return exitError
}

const usage = `kubectl zoom manages Zoom accounts alongside the zoom-operator.

Commands:
  export   Write the users of a Zoom account as ZoomUser manifests.
  plan     Show what the operator would do in Zoom for ZoomUser manifests or
           the ZoomUsers of a namespace, without changing anything.

Credentials come from an account object of the cluster (--from-account
ClusterZoomAccount/NAME, read with your kubeconfig) or from ZOOM_*
environment variables; plan can also use each ZoomUser's own accountRef.

Run "kubectl zoom COMMAND --help" for the flags of a command.
`

// run is the whole program, with its surroundings passed in so that tests
// run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "export":
		return runExport(ctx, args[1:], getenv, stdout, stderr)
	case "plan":
		return runPlan(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "kubectl zoom: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
}

// parseFlags parses a command's flags. done says the command must stop
// with code: after --help, printed to stdout with every flag, or after a
// flag error (usageCode).
func parseFlags(fs *flag.FlagSet, args []string, help string, usageCode int, stdout, stderr io.Writer) (code int, done bool) {
	fs.SetOutput(stderr)
	// pflag would print the help to stderr on --help; it goes to stdout.
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, help)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return exitOK, true
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v (see --help)\n", fs.Name(), err)
		return usageCode, true
	}
	return 0, false
}
