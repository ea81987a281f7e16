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
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	"github.com/zoom-operator/zoom-operator/controllers"
)

// cacheOptions keep the manager's cache lean and free of secrets: no object
// keeps its managedFields (the reconcilers never read them), and objects
// watched as metadata only (Secrets, Namespaces) keep no annotations either,
// since kubectl's last-applied-configuration annotation holds a Secret's data.
// With --watch-namespaces, namespaced objects are cached from those
// namespaces only, for teams that cannot grant cluster-wide reads. A
// replica of several (--shard-id) caches only the ZoomUsers and ZoomGroups
// labelled for it, and the member Leases.
func cacheOptions(watchNamespaces string, sharded *controllers.ShardOptions) cache.Options {
	opts := cache.Options{DefaultTransform: leanMetadata}
	if namespaces := parseNamespaces(watchNamespaces); len(namespaces) > 0 {
		opts.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range namespaces {
			opts.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	if sharded != nil {
		opts.ByObject = sharded.CacheByObject()
	}
	return opts
}

// parseNamespaces splits a comma-separated list, dropping blanks and repeats.
func parseNamespaces(list string) []string {
	var out []string
	for _, ns := range strings.Split(list, ",") {
		ns = strings.TrimSpace(ns)
		if ns != "" && !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	return out
}

func leanMetadata(obj any) (any, error) {
	if tomb, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		return tomb, nil
	}
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return obj, nil
	}
	accessor.SetManagedFields(nil)
	if pom, ok := obj.(*metav1.PartialObjectMetadata); ok {
		pom.Annotations = nil // metadata-only watches read labels at most
	}
	return obj, nil
}
