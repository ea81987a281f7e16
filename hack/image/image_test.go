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
	"archive/tar"
	"context"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// TestImage builds the release image for amd64 and arm64 the way
// "make image" does, opens the tar file as skopeo or crane would, and checks
// each platform's config, that its binary is a static executable for its
// architecture, and that the host's binary, run from the layer, reports the
// stamped version.
func TestImage(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the manager twice")
	}
	o := buildOptions{
		Version: "9.8.7-test", Commit: "0123abc", Date: "2026-01-02T03:04:05Z",
		Source: "https://example.com/zoom-operator", Name: "registry.example/zoom-operator:9.8.7-test",
		ModuleDir: filepath.Join("..", ".."), Out: filepath.Join(t.TempDir(), "image.oci.tar"),
		Platforms: []platform{{"linux", "amd64"}, {"linux", "arm64"}},
	}
	if _, err := build(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	idx, err := openIndex(o.Out, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// Every blob is present and matches its digest and size.
	if err := validate.Index(idx); err != nil {
		t.Fatalf("the image index does not validate: %v", err)
	}
	if mt, _ := idx.MediaType(); mt != types.OCIImageIndex {
		t.Errorf("index media type = %s, want %s", mt, types.OCIImageIndex)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, desc := range m.Manifests {
		platforms = append(platforms, desc.Platform.OS+"/"+desc.Platform.Architecture)
		img, err := idx.Image(desc.Digest)
		if err != nil {
			t.Fatal(err)
		}
		checkConfig(t, img, o, desc.Platform.Architecture)
		bin := extractManager(t, img)
		checkStaticELF(t, bin, desc.Platform.Architecture)
		if desc.Platform.Architecture == runtime.GOARCH {
			out, err := exec.Command(bin, "--version").CombinedOutput()
			if err != nil {
				t.Fatalf("%s --version: %v\n%s", entrypoint, err, out)
			}
			want := "zoom-operator 9.8.7-test (commit 0123abc, built 2026-01-02T03:04:05Z)"
			if got := strings.TrimSpace(string(out)); got != want {
				t.Errorf("%s --version = %q, want %q", entrypoint, got, want)
			}
		}
	}
	slices.Sort(platforms)
	if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64"}, platforms); diff != "" {
		t.Errorf("platforms (-want +got):\n%s", diff)
	}
}

func checkConfig(t *testing.T, img v1.Image, o buildOptions, arch string) {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	type shape struct {
		OS, Arch, User string
		Entrypoint     []string
		Labels         map[string]string
	}
	want := shape{OS: "linux", Arch: arch, User: "65532:65532", Entrypoint: []string{"/manager"}, Labels: map[string]string{
		"org.opencontainers.image.title":       "zoom-operator",
		"org.opencontainers.image.description": "Manages Zoom users as Kubernetes objects",
		"org.opencontainers.image.version":     "9.8.7-test",
		"org.opencontainers.image.revision":    "0123abc",
		"org.opencontainers.image.source":      "https://example.com/zoom-operator",
		"org.opencontainers.image.created":     "2026-01-02T03:04:05Z",
		"org.opencontainers.image.licenses":    "Apache-2.0",
	}}
	got := shape{OS: cfg.OS, Arch: cfg.Architecture, User: cfg.Config.User, Entrypoint: cfg.Config.Entrypoint, Labels: cfg.Config.Labels}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s image config (-want +got):\n%s", arch, diff)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("%s image has %d layers (%v), want 1 on an empty base", arch, len(layers), err)
	}
}

// extractManager copies /manager out of the image's filesystem.
func extractManager(t *testing.T, img v1.Image) string {
	t.Helper()
	fs := mutate.Extract(img)
	defer fs.Close()
	tr := tar.NewReader(fs)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			t.Fatalf("no %s in the image", entrypoint)
		}
		if err != nil {
			t.Fatal(err)
		}
		if "/"+strings.TrimPrefix(hdr.Name, "/") != entrypoint {
			continue
		}
		if hdr.Mode&0o111 == 0 {
			t.Errorf("%s has mode %o, not executable", entrypoint, hdr.Mode)
		}
		path := filepath.Join(t.TempDir(), "manager")
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(f, tr); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return path
	}
}

// checkStaticELF fails unless bin is an executable for arch that needs no
// dynamic loader: the image has no libc.
func checkStaticELF(t *testing.T, bin, arch string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("%s binary: %v", arch, err)
	}
	defer f.Close()
	machine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]
	if f.Machine != machine {
		t.Errorf("%s binary is for %s", arch, f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s binary asks for a dynamic loader; the image has none", arch)
		}
	}
}
