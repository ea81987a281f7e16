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
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// kustomizationFiles are the names kustomize looks for in a directory.
var kustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// manifestReader reads ZoomUsers from -f arguments, as kubectl apply -f
// would find them: files, "-" for stdin, and directories. A directory with
// a kustomization is read through its resources (and namespace); any other
// directory by its .yaml, .yml and .json files. Other kinds are counted and
// left out.
type manifestReader struct {
	stdin   io.Reader
	users   []zoomv1.ZoomUser
	skipped int
	seen    map[string]bool // files and directories already read
}

func readManifests(paths []string, stdin io.Reader) (users []zoomv1.ZoomUser, skipped int, err error) {
	r := &manifestReader{stdin: stdin, seen: map[string]bool{}}
	for _, p := range paths {
		if err := r.path(p, ""); err != nil {
			return nil, 0, err
		}
	}
	return r.users, r.skipped, nil
}

// path reads a file or directory; namespace, from a kustomization, is set
// on every object read below it.
func (r *manifestReader) path(p, namespace string) error {
	if p == "-" {
		return r.stream("stdin", r.stdin, namespace)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return err
	}
	if r.seen[abs] {
		return nil // named twice, or a kustomization cycle
	}
	r.seen[abs] = true
	info, err := os.Stat(p)
	if err != nil {
		return err
	}
	if info.IsDir() {
		return r.dir(p, namespace)
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return r.stream(p, f, namespace)
}

func (r *manifestReader) dir(dir, namespace string) error {
	for _, name := range kustomizationFiles {
		k := filepath.Join(dir, name)
		if _, err := os.Stat(k); err == nil {
			return r.kustomization(k, namespace)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
			if err := r.path(filepath.Join(dir, e.Name()), namespace); err != nil {
				return err
			}
		}
	}
	return nil
}

// kustomization is the part of a kustomization file the plan reads.
type kustomization struct {
	Namespace string   `json:"namespace"`
	Resources []string `json:"resources"`
}

// kustomization reads the resources a kustomization lists, in order. An
// outer kustomization's namespace wins over an inner one's, as in kustomize.
func (r *manifestReader) kustomization(file, namespace string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var k kustomization
	if err := yaml.Unmarshal(data, &k); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if namespace == "" {
		namespace = k.Namespace
	}
	for _, res := range k.Resources {
		if strings.Contains(res, "://") || strings.HasPrefix(res, "github.com/") {
			return fmt.Errorf("%s: remote resource %s: only local files and directories are read", file, res)
		}
		if err := r.path(filepath.Join(filepath.Dir(file), res), namespace); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	return nil
}

// stream reads every YAML or JSON document of one file.
func (r *manifestReader) stream(name string, in io.Reader, namespace string) error {
	docs := utilyaml.NewYAMLReader(bufio.NewReader(in))
	for n := 1; ; n++ {
		doc, err := docs.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := r.document(doc, namespace); err != nil {
			return fmt.Errorf("%s: document %d: %w", name, n, err)
		}
	}
}

func (r *manifestReader) document(doc []byte, namespace string) error {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil
	}
	var meta metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return err
	}
	if meta.APIVersion == "" && meta.Kind == "" {
		return nil // only comments
	}
	if meta.Kind != "ZoomUser" || !strings.HasPrefix(meta.APIVersion, zoomv1.GroupVersion.Group+"/") {
		r.skipped++
		return nil
	}
	if meta.APIVersion != zoomv1.GroupVersion.String() {
		return fmt.Errorf("ZoomUser of apiVersion %s: this plugin knows %s", meta.APIVersion, zoomv1.GroupVersion)
	}
	var zu zoomv1.ZoomUser
	// Strict, so that a misspelt field is an error here rather than a
	// field the API server drops.
	if err := yaml.UnmarshalStrict(doc, &zu); err != nil {
		return err
	}
	if namespace != "" {
		zu.Namespace = namespace
	}
	applyDefaults(&zu.Spec)
	r.users = append(r.users, zu)
	return nil
}

// applyDefaults fills in what the CRD defaults when a manifest leaves it
// out, so that the plan sees the object the API server would store.
func applyDefaults(spec *zoomv1.ZoomUserSpec) {
	spec.Type = orDefault(spec.Type, zoomv1.UserTypeBasic)
	spec.Action = orDefault(spec.Action, zoomv1.ActionCreate)
	spec.State = orDefault(spec.State, zoomv1.UserStateActive)
	spec.DeletionPolicy = orDefault(spec.DeletionPolicy, zoomv1.DeletionPolicyDisassociate)
	spec.AccountRef.Kind = orDefault(spec.AccountRef.Kind, zoomv1.AccountKindCluster)
	spec.AccountRef.Name = orDefault(spec.AccountRef.Name, "default")
	if len(spec.ManagementPolicies) == 0 {
		spec.ManagementPolicies = zoomv1.ManagementPolicies{zoomv1.ManagementAll}
	}
}
