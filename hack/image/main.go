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

// Command image builds the manager's multi-arch OCI image without a
// container engine, and pushes it.
//
//	go run ./hack/image build --version 0.1.0 --out dist/zoom-operator-0.1.0.oci.tar
//	go run ./hack/image push --from dist/zoom-operator-0.1.0.oci.tar ghcr.io/you/zoom-operator:0.1.0
//
// build cross-compiles a static manager for each platform (CGO_ENABLED=0,
// -trimpath, version, commit and date stamped with -ldflags), puts it as
// /manager in a single layer on an empty base, and writes an OCI image index
// as an OCI layout in a tar file: what "skopeo copy oci-archive:FILE" reads,
// what "docker load" (Docker 25 and later) reads, and, unpacked, what
// "crane push --index DIR" reads. The manager carries Go's fallback CA roots,
// so the empty base needs no CA bundle.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch os.Args[1] {
	case "build":
		err = buildCommand(ctx, os.Args[2:])
	case "push":
		err = pushCommand(ctx, os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: image build [flags] | image push --from FILE REFERENCE")
	os.Exit(2)
}

func buildCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("build", flag.ExitOnError)
	var o buildOptions
	var platforms string
	fs.StringVar(&o.Version, "version", "0.0.0-dev", "Version stamped into the binary and the image labels.")
	fs.StringVar(&o.Commit, "commit", "unknown", "Source commit stamped into the binary and the image labels.")
	fs.StringVar(&o.Date, "date", "", "Build date, RFC 3339 (default: now); the commit's date makes the build reproducible.")
	fs.StringVar(&o.Source, "source", "https://github.com/zoom-operator/zoom-operator", "Source repository, for the labels.")
	fs.StringVar(&o.Name, "name", "ghcr.io/zoom-operator/zoom-operator:0.0.0-dev", "Image name and tag recorded in the layout, for skopeo and docker load.")
	fs.StringVar(&o.ModuleDir, "module", ".", "Directory of the module whose root package is the manager.")
	fs.StringVar(&platforms, "platforms", "linux/amd64,linux/arm64", "Comma-separated OS/architecture pairs.")
	fs.StringVar(&o.Out, "out", "", "Where to write the OCI layout tar file.")
	_ = fs.Parse(args)
	if o.Out == "" {
		return fmt.Errorf("--out is required")
	}
	for _, p := range strings.Split(platforms, ",") {
		goos, goarch, ok := strings.Cut(strings.TrimSpace(p), "/")
		if !ok {
			return fmt.Errorf("platform %q is not OS/ARCH", p)
		}
		o.Platforms = append(o.Platforms, platform{OS: goos, Arch: goarch})
	}
	digest, err := build(ctx, o)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s: %s %s\n", o.Out, o.Name, digest)
	return nil
}

func pushCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("push", flag.ExitOnError)
	from := fs.String("from", "", "The OCI layout tar file written by build.")
	_ = fs.Parse(args)
	if *from == "" || fs.NArg() != 1 {
		return fmt.Errorf("usage: push --from FILE REFERENCE")
	}
	digest, err := push(ctx, *from, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Printf("pushed %s@%s\n", fs.Arg(0), digest)
	return nil
}
