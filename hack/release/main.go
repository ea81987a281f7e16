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

// Command release writes a release's files into a directory (dist/ by
// "make release"): install.yaml (config/default with the image), the Helm
// chart's .tgz, the image's OCI layout tar file (built before by
// "make image") and SHA256SUMS over them. It needs no container engine and
// no kubectl: kustomize and Helm run as Go packages.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/zoom-operator/zoom-operator/internal/release"
)

func main() {
	var o options
	flag.StringVar(&o.root, "root", ".", "The repository's root.")
	flag.StringVar(&o.out, "out", "dist", "Where to write the release's files.")
	flag.StringVar(&o.image, "img", "", "The manager's image in install.yaml (default: the Makefile's IMAGE_REPO:VERSION).")
	flag.StringVar(&o.imageTar, "image-tar", "", "The image's OCI layout tar file, to list in SHA256SUMS (must be in --out).")
	flag.BoolVar(&o.installOnly, "install-only", false, "Write install.yaml only.")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

type options struct {
	root, out, image, imageTar string
	installOnly                bool
}

func run(o options) error {
	if o.image == "" {
		info, err := release.ReadInfo(o.root)
		if err != nil {
			return err
		}
		o.image = info.Image()
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	install, err := release.InstallYAML(o.root, o.image)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.out, "install.yaml"), install, 0o644); err != nil {
		return err
	}
	fmt.Println("wrote", filepath.Join(o.out, "install.yaml"))
	if o.installOnly {
		return nil
	}
	chartTgz, err := release.PackageChart(o.root, o.out)
	if err != nil {
		return err
	}
	fmt.Println("wrote", chartTgz)
	files := []string{"install.yaml", filepath.Base(chartTgz)}
	if o.imageTar != "" {
		if filepath.Clean(filepath.Dir(o.imageTar)) != filepath.Clean(o.out) {
			return fmt.Errorf("--image-tar %s is not in %s", o.imageTar, o.out)
		}
		files = append(files, filepath.Base(o.imageTar))
	}
	sums, err := sha256Sums(o.out, files)
	if err != nil {
		return err
	}
	fmt.Println("wrote", filepath.Join(o.out, "SHA256SUMS"))
	return os.WriteFile(filepath.Join(o.out, "SHA256SUMS"), sums, 0o644)
}

// sha256Sums returns the lines "sha256sum -c" checks, for files in dir.
func sha256Sums(dir string, files []string) ([]byte, error) {
	slices.Sort(files)
	var b strings.Builder
	for _, name := range files {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), name)
	}
	return []byte(b.String()), nil
}
