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
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	ctrlzap "sigs.k8s.io/controller-runtime/pkg/log/zap"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

const samplesDir = "../../config/samples"

// TestRunLocalSamplesBecomeReady runs the whole local setup as `make
// run-local` does, with --exit-when-ready, and checks on the live cluster that
// every sample ZoomUser became Ready with a Zoom id.
func TestRunLocalSamplesBecomeReady(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set; run with KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh)")
	}
	ctrllog.SetLogger(ctrlzap.New(ctrlzap.WriteTo(io.Discard)))
	tmp := t.TempDir()
	want := sampleUserKeys(t)

	var out syncBuffer
	var got []string
	var group zoomv1.ZoomGroup
	opts := options{
		managerPath:   buildManager(t, tmp),
		managerLog:    filepath.Join(tmp, "manager.log"),
		samplesDir:    samplesDir,
		crdDir:        "../../config/crd/bases",
		kubeconfigOut: filepath.Join(tmp, "kubeconfig"),
		zoomAddr:      "127.0.0.1:0",
		exitWhenReady: true,
		existingUsers: 9,
		timeout:       2 * time.Minute,
		out:           &out,
		logs:          &out,
		getenv:        fakeZoomEnv,
		onReady: func(ctx context.Context, c client.Client) error {
			var err error
			if got, err = readyUsers(ctx, c); err != nil {
				return err
			}
			return c.Get(ctx, client.ObjectKey{Namespace: "default", Name: "platform"}, &group)
		},
	}

	err := run(context.Background(), opts)
	t.Logf("output:\n%s", out.String())
	if err != nil {
		logFile(t, opts.managerLog)
		t.Fatalf("run: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Ready sample ZoomUsers with an id (-want +got):\n%s", diff)
	}
	// The sample group holds the two sample users of team platform.
	if group.Status.MemberCount != 2 || group.Status.ID == "" {
		t.Errorf("sample ZoomGroup: id %q, memberCount %d; want bound with 2 members", group.Status.ID, group.Status.MemberCount)
	}
	for _, s := range []string{"ready in ", "export KUBECONFIG=" + opts.kubeconfigOut, "kubectl get zoomusers -A", "kubectl get zoomgroups -A", "ZOOMGROUP", "Fake Zoom: http://127.0.0.1:",
		"the fake Zoom holds 9 users made before the operator, in corp.example", "adoptExistingUsers true"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q", s)
		}
	}
	if _, err := os.Stat(opts.kubeconfigOut); err != nil {
		t.Errorf("kubeconfig not left in place: %v", err)
	}
}

// fakeZoomEnv hides any real Zoom credentials of the developer's shell, so
// that the test never talks to Zoom itself.
func fakeZoomEnv(name string) string {
	if strings.HasPrefix(name, "ZOOM_") {
		return ""
	}
	return os.Getenv(name)
}

func buildManager(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "manager")
	if err := testenv.BuildManager(t.Context(), "../..", bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// sampleUserKeys reads the ZoomUsers of the samples' top-level files, sorted
// as readyUsers returns them.
func sampleUserKeys(t *testing.T) []string {
	t.Helper()
	files, err := sampleFiles(samplesDir)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decodeFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, obj := range objs {
		if isKind(obj, "ZoomUser") {
			keys = append(keys, orDefault(obj.GetNamespace(), metav1.NamespaceDefault)+"/"+obj.GetName())
		}
	}
	if len(keys) == 0 {
		t.Fatalf("no ZoomUser in %s", samplesDir)
	}
	slices.Sort(keys)
	return keys
}

// readyUsers lists the ZoomUsers that are Ready (or InvitePending) and have
// a Zoom id, independently of the progress table.
func readyUsers(ctx context.Context, c client.Client) ([]string, error) {
	var list zoomv1.ZoomUserList
	if err := c.List(ctx, &list); err != nil {
		return nil, err
	}
	var keys []string
	for _, zu := range list.Items {
		ready := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReady)
		if ready == nil || zu.Status.ID == "" {
			continue
		}
		if ready.Status == metav1.ConditionTrue || ready.Reason == zoomv1.ReasonInvitePending {
			keys = append(keys, zu.Namespace+"/"+zu.Name)
		}
	}
	slices.Sort(keys)
	return keys, nil
}

func logFile(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Logf("reading %s: %v", path, err)
		return
	}
	t.Logf("%s:\n%s", path, data)
}

func TestSampleFilesSkipsKustomizationAndSubdirectories(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.yaml", "a.yaml", "kustomization.yaml", "notes.md", "c.yml", "sub/d.yaml"} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := sampleFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sampleFiles (-want +got):\n%s", diff)
	}
}

func TestPrefixWriter(t *testing.T) {
	tests := map[string]struct {
		writes []string
		want   string
	}{
		"whole lines":          {writes: []string{"a\nb\n"}, want: "m| a\nm| b\n"},
		"line split in writes": {writes: []string{"he", "llo\nwor", "ld\n"}, want: "m| hello\nm| world\n"},
		"unterminated last":    {writes: []string{"a\nb"}, want: "m| a\nm| b\n"},
		"nothing":              {want: ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			p := newPrefixWriter(&b, "m| ")
			for _, w := range tc.writes {
				if _, err := fmt.Fprint(p, w); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUserRowDone(t *testing.T) {
	tests := map[string]struct {
		row  userRow
		want bool
	}{
		"ready with id":         {row: userRow{ready: "True", reason: zoomv1.ReasonCreated, id: "x"}, want: true},
		"invite pending":        {row: userRow{ready: "True", reason: zoomv1.ReasonInvitePending, id: "x"}, want: true},
		"invite pending, false": {row: userRow{ready: "False", reason: zoomv1.ReasonInvitePending, id: "x"}, want: true},
		"ready without id":      {row: userRow{ready: "True", reason: zoomv1.ReasonCreated}},
		"not ready":             {row: userRow{ready: "False", reason: zoomv1.ReasonRateLimited, id: "x"}},
		"no conditions yet":     {row: userRow{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.row.done(); got != tc.want {
				t.Errorf("done() = %v, want %v", got, tc.want)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer that the fake Zoom's goroutine may write to
// while run writes too.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
