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

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"

	"github.com/zoom-operator/zoom-operator/internal/release"
)

// TestRelease writes a release (with a stand-in image tar file: the image
// itself is tested in hack/image) and checks the files, the chart archive
// and SHA256SUMS with sha256sum -c.
func TestRelease(t *testing.T) {
	root := filepath.Join("..", "..")
	out := t.TempDir()
	imageTar := filepath.Join(out, "zoom-operator-test.oci.tar")
	if err := os.WriteFile(imageTar, []byte("stand-in"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(options{root: root, out: out, imageTar: imageTar}); err != nil {
		t.Fatal(err)
	}
	info, err := release.ReadInfo(root)
	if err != nil {
		t.Fatal(err)
	}
	install, err := os.ReadFile(filepath.Join(out, "install.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(install), "image: "+info.Image()+"\n") {
		t.Errorf("install.yaml does not run %s", info.Image())
	}
	tgz := filepath.Join(out, "zoom-operator-"+info.Version+".tgz")
	c, err := loader.Load(tgz)
	if err != nil {
		t.Fatalf("the packaged chart does not load: %v", err)
	}
	if c.Metadata.Version != info.Version || len(c.CRDObjects()) == 0 {
		t.Errorf("packaged chart: version %s, %d CRDs", c.Metadata.Version, len(c.CRDObjects()))
	}
	sums, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"install.yaml", filepath.Base(tgz), filepath.Base(imageTar)} {
		if !strings.Contains(string(sums), "  "+name+"\n") {
			t.Errorf("SHA256SUMS lacks %s:\n%s", name, sums)
		}
	}
	if _, err := exec.LookPath("sha256sum"); err == nil {
		check := exec.Command("sha256sum", "-c", "SHA256SUMS")
		check.Dir = out
		if b, err := check.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c: %v\n%s", err, b)
		}
	}
}
