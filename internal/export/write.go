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

package export

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"
)

// WriteYAML writes the manifests as one multi-document YAML stream.
func WriteYAML(w io.Writer, manifests []Manifest) error {
	for i := range manifests {
		data, err := yaml.Marshal(&manifests[i])
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "---\n%s", data); err != nil {
			return err
		}
	}
	return nil
}

// Kustomization lists the files of an export directory.
type Kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Resources  []string `json:"resources"`
}

// WriteDir writes one file per manifest, NAME.yaml, and a
// kustomization.yaml listing them, into dir (made if missing). Files of an
// earlier export that are not rewritten are left alone, but are no longer
// listed.
func WriteDir(dir string, manifests []Manifest) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	k := Kustomization{APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization", Resources: []string{}}
	for i := range manifests {
		file := manifests[i].Metadata.Name + ".yaml"
		data, err := yaml.Marshal(&manifests[i])
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
			return err
		}
		k.Resources = append(k.Resources, file)
	}
	data, err := yaml.Marshal(&k)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "kustomization.yaml"), data, 0o644)
}
