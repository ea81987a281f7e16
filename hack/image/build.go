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
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/zoom-operator/zoom-operator/internal/version"
)

// The image's fixed shape, which the tests and the manifests under config/
// rely on.
const (
	entrypoint = "/manager"
	user       = "65532:65532" // nonroot, as in distroless
	license    = "Apache-2.0"
)

type platform struct{ OS, Arch string }

func (p platform) String() string { return p.OS + "/" + p.Arch }

type buildOptions struct {
	Version, Commit, Date, Source string
	Name                          string // e.g. ghcr.io/zoom-operator/zoom-operator:0.1.0
	ModuleDir                     string
	Platforms                     []platform
	Out                           string
}

// build writes the image index for every platform as an OCI layout tar file
// at o.Out, and returns the index's digest.
func build(ctx context.Context, o buildOptions) (v1.Hash, error) {
	if o.Date == "" {
		o.Date = time.Now().UTC().Format(time.RFC3339)
	}
	created, err := time.Parse(time.RFC3339, o.Date)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("--date: %w", err)
	}
	work, err := os.MkdirTemp("", "zoom-operator-image-")
	if err != nil {
		return v1.Hash{}, err
	}
	defer os.RemoveAll(work)

	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range o.Platforms {
		bin := filepath.Join(work, "manager-"+p.OS+"-"+p.Arch)
		if err := compile(ctx, o, p, bin); err != nil {
			return v1.Hash{}, err
		}
		img, err := imageFor(bin, p, o, created)
		if err != nil {
			return v1.Hash{}, fmt.Errorf("%s: %w", p, err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: p.OS, Architecture: p.Arch}},
		})
	}
	digest, err := idx.Digest()
	if err != nil {
		return v1.Hash{}, err
	}
	if err := writeLayoutTar(idx, o.Name, filepath.Join(work, "layout"), o.Out); err != nil {
		return v1.Hash{}, err
	}
	return digest, nil
}

// compile builds the manager for one platform: static, without local paths,
// stripped, and stamped with the version.
func compile(ctx context.Context, o buildOptions, p platform, out string) error {
	ldflags := "-s -w " + version.LDFlags(o.Version, o.Commit, o.Date)
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", ldflags, "-o", abs, ".")
	cmd.Dir = o.ModuleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Arch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build for %s: %w", p, err)
	}
	return nil
}

// imageFor puts the binary at /manager in one layer on an empty base and
// describes how to run it.
func imageFor(bin string, p platform, o buildOptions, created time.Time) (v1.Image, error) {
	layerTar, err := binaryLayer(bin)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:   layer,
		History: v1.History{Created: v1.Time{Time: created}, CreatedBy: "hack/image: go build -trimpath, CGO_ENABLED=0", Comment: "the manager"},
	})
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = p.OS, p.Arch
	cfg.Created = v1.Time{Time: created}
	cfg.Config.User = user
	cfg.Config.Entrypoint = []string{entrypoint}
	cfg.Config.WorkingDir = "/"
	cfg.Config.Labels = labels(o)
	return mutate.ConfigFile(img, cfg)
}

// labels are the OCI annotations a registry or scanner shows.
func labels(o buildOptions) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       "zoom-operator",
		"org.opencontainers.image.description": "Manages Zoom users as Kubernetes objects",
		"org.opencontainers.image.version":     o.Version,
		"org.opencontainers.image.revision":    o.Commit,
		"org.opencontainers.image.source":      o.Source,
		"org.opencontainers.image.created":     o.Date,
		"org.opencontainers.image.licenses":    license,
	}
}

// binaryLayer is an uncompressed tar holding the binary as /manager, owned
// by root and executable by anyone, with a fixed time so that the layer's
// digest depends on the binary alone.
func binaryLayer(bin string) ([]byte, error) {
	data, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{
		Name: entrypoint[1:], Mode: 0o755, Size: int64(len(data)),
		Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0), Format: tar.FormatPAX,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(data); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeLayoutTar writes idx as an OCI layout in dir, named name (the
// annotations skopeo and containerd read), then tars the layout to out.
func writeLayoutTar(idx v1.ImageIndex, name, dir, out string) error {
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	_, tag := splitTag(name)
	if err := lp.AppendIndex(idx, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": tag,
		"io.containerd.image.name":          name,
	})); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return tarDir(dir, out)
}
