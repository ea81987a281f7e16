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

// Package release renders what a release ships beside the image: the
// install.yaml of config/default, the Helm chart, and the version they all
// carry. "make release" (hack/release) and the tests share it, so what is
// tested is what ships.
package release

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// ChartDir is the chart's directory, relative to the repository's root.
const ChartDir = "charts/zoom-operator"

// Info is the release's identity as the Makefile states it.
type Info struct {
	Version   string // e.g. 0.1.0
	ImageRepo string // e.g. ghcr.io/zoom-operator/zoom-operator
}

// Image is the image reference a release of this version ships.
func (i Info) Image() string { return i.ImageRepo + ":" + i.Version }

var (
	makeVersion   = regexp.MustCompile(`(?m)^VERSION \?= (\S+)$`)
	makeImageRepo = regexp.MustCompile(`(?m)^IMAGE_REPO \?= (\S+)$`)
)

// ReadInfo reads VERSION and IMAGE_REPO's defaults from the Makefile.
func ReadInfo(root string) (Info, error) {
	data, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		return Info{}, err
	}
	v, r := makeVersion.FindSubmatch(data), makeImageRepo.FindSubmatch(data)
	if v == nil || r == nil {
		return Info{}, fmt.Errorf("the Makefile lacks \"VERSION ?= \" or \"IMAGE_REPO ?= \"")
	}
	return Info{Version: string(v[1]), ImageRepo: string(r[1])}, nil
}

// Kustomize builds a kustomization directory, as "kubectl kustomize" does.
func Kustomize(dir string) ([]byte, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, err
	}
	return m.AsYaml()
}

// InstallYAML renders config/default with image in place of the image that
// config/manager names (the release's own).
func InstallYAML(root, image string) ([]byte, error) {
	info, err := ReadInfo(root)
	if err != nil {
		return nil, err
	}
	out, err := Kustomize(filepath.Join(root, "config", "default"))
	if err != nil {
		return nil, err
	}
	def := []byte("image: " + info.Image() + "\n")
	if n := bytes.Count(out, def); n != 1 {
		return nil, fmt.Errorf("config/default names the image %s %d times, want once", info.Image(), n)
	}
	return bytes.Replace(out, def, []byte("image: "+image+"\n"), 1), nil
}

// LoadChart loads the chart from the repository.
func LoadChart(root string) (*chart.Chart, error) {
	return loader.Load(filepath.Join(root, ChartDir))
}

// RenderChart renders the chart's templates as "helm template" does, for a
// release name and namespace and values over the chart's defaults. It
// returns the manifests by template name, empty ones left out.
func RenderChart(c *chart.Chart, name, namespace string, values map[string]any) (map[string]string, error) {
	vals, err := chartutil.ToRenderValues(c, values, chartutil.ReleaseOptions{
		Name: name, Namespace: namespace, Revision: 1, IsInstall: true,
	}, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, err
	}
	out, err := engine.Render(c, vals)
	if err != nil {
		return nil, err
	}
	for k, v := range out {
		if len(bytes.TrimSpace([]byte(v))) == 0 || filepath.Base(k) == "NOTES.txt" {
			delete(out, k)
		}
	}
	return out, nil
}

// PackageChart writes the chart's .tgz into dir, as "helm package" does,
// and returns its path.
func PackageChart(root, dir string) (string, error) {
	c, err := LoadChart(root)
	if err != nil {
		return "", err
	}
	if err := c.Validate(); err != nil {
		return "", err
	}
	return chartutil.Save(c, dir)
}
