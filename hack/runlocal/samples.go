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
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// applySamples creates every object of the top-level sample files and
// remembers the ZoomUsers and ZoomGroups among them: they are what "ready"
// waits for.
func (s *session) applySamples(ctx context.Context) error {
	files, err := sampleFiles(s.opts.samplesDir)
	if err != nil {
		return err
	}
	objs, err := decodeFiles(files)
	if err != nil {
		return err
	}
	// Namespaces first, so that a sample Namespace is created as written
	// rather than found already made bare for an object inside it.
	sort.SliceStable(objs, func(i, j int) bool { return isNamespace(objs[i]) && !isNamespace(objs[j]) })
	for _, obj := range objs {
		if err := s.applyObject(ctx, obj); err != nil {
			return err
		}
	}
	s.say("applied %d object(s) from %s", len(objs), strings.Join(files, ", "))
	return nil
}

// sampleFiles lists the top-level *.yaml files of dir. kustomization.yaml is
// kustomize's index, not an object, and subdirectories (accounts/) hold
// alternatives to what this program sets up itself.
func sampleFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("samples: %w", err)
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || filepath.Ext(name) != ".yaml" || name == "kustomization.yaml" {
			continue
		}
		files = append(files, filepath.Join(dir, name))
	}
	return files, nil
}

func decodeFiles(files []string) ([]*unstructured.Unstructured, error) {
	var all []*unstructured.Unstructured
	for _, f := range files {
		objs, err := decodeFile(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		all = append(all, objs...)
	}
	return all, nil
}

// decodeFile reads every document of a multi-document YAML file, skipping
// empty ones (a leading "---" or a comment-only document).
func decodeFile(path string) ([]*unstructured.Unstructured, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	dec := yaml.NewYAMLOrJSONDecoder(f, 4096)
	var objs []*unstructured.Unstructured
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(doc) == 0 {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: doc})
	}
}

// applyObject creates obj, first its namespace if that is missing, as
// `kubectl apply` users expect from a sample that names its own namespace.
func (s *session) applyObject(ctx context.Context, obj *unstructured.Unstructured) error {
	namespaced, err := s.client.IsObjectNamespaced(obj)
	if err != nil {
		return fmt.Errorf("%s: %w", s.describe(obj), err)
	}
	if namespaced {
		if obj.GetNamespace() == "" {
			obj.SetNamespace(metav1.NamespaceDefault)
		}
		if err := s.ensureNamespace(ctx, obj.GetNamespace()); err != nil {
			return err
		}
	}
	if err := s.client.Create(ctx, obj); err != nil {
		return fmt.Errorf("creating %s: %w", s.describe(obj), err)
	}
	key := types.NamespacedName{Namespace: obj.GetNamespace(), Name: obj.GetName()}
	switch {
	case isKind(obj, "ZoomUser"):
		s.users = append(s.users, key)
	case isKind(obj, "ZoomGroup"):
		s.groups = append(s.groups, key)
	}
	return nil
}

func (s *session) ensureNamespace(ctx context.Context, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	err := s.client.Create(ctx, ns)
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", name, err)
	}
	return nil
}

func isNamespace(obj *unstructured.Unstructured) bool {
	gvk := obj.GroupVersionKind()
	return gvk.Group == "" && gvk.Kind == "Namespace"
}

func isKind(obj *unstructured.Unstructured, kind string) bool {
	gvk := obj.GroupVersionKind()
	return gvk.Group == zoomv1.GroupVersion.Group && gvk.Kind == kind
}

// describe names an object as "Kind namespace/name" for messages.
func (s *session) describe(obj client.Object) string {
	kind := "object"
	if gvk, err := apiutil.GVKForObject(obj, s.client.Scheme()); err == nil {
		kind = gvk.Kind
	}
	if obj.GetNamespace() == "" {
		return kind + " " + obj.GetName()
	}
	return kind + " " + obj.GetNamespace() + "/" + obj.GetName()
}
