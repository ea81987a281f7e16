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

// Command run-local brings up the whole operator on one machine in one
// command: a local control plane (envtest's kube-apiserver and etcd), a fake
// Zoom server in-process (or real Zoom when ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID
// and ZOOM_CLIENT_SECRET are set), the manager binary as a child process and
// the sample ZoomUsers. It shows their status until all are Ready, then keeps
// running until Ctrl-C.
//
// Usage (normally through `make run-local`):
//
//	KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh) bin/run-local --manager=bin/manager --samples=config/samples [-- manager flags...]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	ctrlzap "sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// options is everything run needs; flags fill it in main, tests directly.
type options struct {
	managerPath   string
	managerArgs   []string // extra manager flags, given after "--"
	managerLog    string   // file for the manager's output; empty: prefixed on logs
	samplesDir    string
	crdDir        string
	kubeconfigOut string
	zoomAddr      string
	exitWhenReady bool
	existingUsers int           // users the fake Zoom starts with; the account then allows adoption
	timeout       time.Duration // 0: wait for Ready forever

	out    io.Writer           // progress, the table and usage hints
	logs   io.Writer           // the manager's output when managerLog is empty
	getenv func(string) string // ZOOM_* and KUBEBUILDER_ASSETS
	// onReady runs against the live cluster once every sample is Ready, so
	// tests can look at it before everything is stopped.
	onReady func(context.Context, client.Client) error
}

func main() {
	opts, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "run-local:", err)
		os.Exit(2)
	}
	// envtest logs through controller-runtime; without a logger it would
	// warn with a stack trace after 30s.
	ctrllog.SetLogger(ctrlzap.New(ctrlzap.WriteTo(io.Discard)))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, opts); err != nil {
		fmt.Fprintln(os.Stderr, "run-local:", err)
		stop()
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	o := options{out: os.Stdout, logs: os.Stderr, getenv: os.Getenv}
	fs := flag.NewFlagSet("run-local", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: run-local [flags] [-- manager flags]")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.managerPath, "manager", "bin/manager", "Manager binary to run.")
	fs.StringVar(&o.managerLog, "manager-log", "", "Write the manager's output to this file instead of stderr (prefixed \"manager| \").")
	fs.StringVar(&o.samplesDir, "samples", "config/samples", "Directory whose top-level *.yaml files (except kustomization.yaml) are applied.")
	fs.StringVar(&o.crdDir, "crds", "config/crd/bases", "Directory of the CRDs to install.")
	fs.StringVar(&o.kubeconfigOut, "kubeconfig-out", "bin/run-local.kubeconfig", "Where to write the admin kubeconfig.")
	fs.StringVar(&o.zoomAddr, "zoom-addr", "127.0.0.1:0", "Listen address of the fake Zoom server.")
	fs.IntVar(&o.existingUsers, "existing-users", 0, "Start the fake Zoom with this many users made before the operator (in corp.example), and let the account adopt existing users: try kubectl zoom export and plan on them.")
	fs.BoolVar(&o.exitWhenReady, "exit-when-ready", false, "Stop everything and exit 0 as soon as every sample ZoomUser is Ready.")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "Exit 1 if the sample ZoomUsers are not all Ready by then (0: no limit).")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.managerArgs = fs.Args()
	return o, nil
}
