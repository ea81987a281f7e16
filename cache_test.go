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
	"flag"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

func TestLeanMetadataDropsSecretDataCarriers(t *testing.T) {
	secret := &metav1.PartialObjectMetadata{
		TypeMeta: metav1.TypeMeta{Kind: "Secret", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "zoom-s2s", Labels: map[string]string{"a": "b"},
			Annotations:   map[string]string{corev1.LastAppliedConfigAnnotation: `{"data":{"clientSecret":"c2VjcmV0"}}`},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
		},
	}
	if _, err := leanMetadata(secret); err != nil {
		t.Fatal(err)
	}
	if secret.Annotations != nil || secret.ManagedFields != nil || secret.Labels["a"] != "b" {
		t.Errorf("metadata = %+v, want labels only", secret.ObjectMeta)
	}
	zu := &zoomv1.ZoomUser{ObjectMeta: metav1.ObjectMeta{
		Annotations: map[string]string{"keep": "me"}, ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "argocd"}},
	}}
	if _, err := leanMetadata(zu); err != nil {
		t.Fatal(err)
	}
	if zu.ManagedFields != nil || zu.Annotations["keep"] != "me" {
		t.Errorf("ZoomUser metadata = %+v, want annotations kept and managedFields gone", zu.ObjectMeta)
	}
}

func TestBadFlagsFailAtStart(t *testing.T) {
	good := options{resync: 1, maxConcurrent: 1, rateScale: 1, kubeQPS: 1, kubeBurst: 1, allowedHosts: "api.zoom.us"}
	if _, err := good.controllerOptions(); err != nil {
		t.Fatalf("good options refused: %v", err)
	}
	for name, edit := range map[string]func(*options){
		"zero resync":      func(o *options) { o.resync = 0 },
		"negative resync":  func(o *options) { o.resync = -1 },
		"no workers":       func(o *options) { o.maxConcurrent = 0 },
		"negative timeout": func(o *options) { o.zoomTimeout = -1 },
		"no hosts":         func(o *options) { o.allowedHosts = " , " },
		"host with scheme": func(o *options) { o.allowedHosts = "https://api.zoom.us" },
		"zero kube qps":    func(o *options) { o.kubeQPS = 0 },
		"zero rate scale":  func(o *options) { o.rateScale = 0 },
		"negative list":    func(o *options) { o.listMaxUsers = -5 },
	} {
		o := good
		edit(&o)
		if _, err := o.controllerOptions(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestProductionBinaryHasNoBenchmarkSwitches(t *testing.T) {
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	registerBenchmarkFlags(fs, &options{})
	for _, name := range []string{"baseline", "zoom-rate-scale"} {
		if fs.Lookup(name) != nil {
			t.Errorf("--%s is in the production binary", name)
		}
	}
}
