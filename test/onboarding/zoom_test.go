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

package onboarding

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// Zoom's Pro plan: Light 30/s, Medium 20/s. An account's own rate limits
// are part of what onboarding meets, and an export or adoption that only
// works without them would be no proof.
const (
	proLight  = 30
	proMedium = 20
)

// startZoom serves a fake Zoom account of its own (accountID) at Pro limits.
func startZoom(t *testing.T, accountID string) *testenv.Zoom {
	t.Helper()
	z, err := testenv.StartZoom(testenv.ZoomOptions{Fake: zoomfake.Options{
		AccountID: accountID, LightPerSecond: proLight, MediumPerSecond: proMedium,
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(z.Close)
	return z
}

// seedUsers fills the account with n users made before the operator came:
// seven in ten active (Basic, Licensed, a few Unassigned or None), two
// inactive, one pending; most with names, some with a display name of
// their own, some emails that no object name can hold as they are.
func seedUsers(z *testenv.Zoom, n int) {
	created := time.Now().Add(-30 * 24 * time.Hour)
	for i := range n {
		u := zoomfake.User{
			Email:     fmt.Sprintf("user%04d@example.com", i),
			FirstName: fmt.Sprintf("First%d", i),
			LastName:  fmt.Sprintf("Last%d", i),
			Type:      zoom.TypeBasic,
			Status:    zoom.StatusActive,
			CreatedAt: created,
		}
		switch i % 10 {
		case 0, 1, 2:
			u.Type = zoom.TypeLicensed
		case 3:
			u.Type = []int{zoom.TypeBasic, zoom.TypeUnassigned, zoom.TypeNone}[i/10%3]
		case 7, 8:
			u.Status = zoom.StatusInactive
		case 9:
			u.Status = zoom.StatusPending
		}
		switch i % 7 {
		case 0:
			u.FirstName, u.LastName = "", ""
		case 1:
			u.DisplayName = fmt.Sprintf("Nick %d", i)
		case 2:
			u.Email = fmt.Sprintf("First.Last+%d@Example.COM", i)
		}
		if u.DisplayName == "" {
			u.DisplayName = strings.TrimSpace(u.FirstName + " " + u.LastName)
		}
		z.AddUser(u)
	}
}

// exportUsers runs the built kubectl-zoom against z with the ZOOM_*
// variables a person would set, and writes its manifests to a file.
func exportUsers(t *testing.T, z *testenv.Zoom, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	target := z.Target()
	cmd := exec.CommandContext(ctx, pluginBin, append([]string{"export"}, args...)...)
	cmd.Env = append(withoutZoomEnv(os.Environ()),
		"ZOOM_ACCOUNT_ID="+target.AccountID, "ZOOM_CLIENT_ID="+target.ClientID, "ZOOM_CLIENT_SECRET="+target.ClientSecret,
		"ZOOM_API_URL="+target.APIURL, "ZOOM_TOKEN_URL="+target.TokenURL, "ZOOM_PLAN=Pro")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("kubectl zoom export %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	t.Logf("kubectl zoom export %s in %s:\n%s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond), stderr.String())
	file := filepath.Join(t.TempDir(), "zoom-users.yaml")
	if err := os.WriteFile(file, stdout.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// Exit codes of kubectl zoom plan.
const (
	exitOK      = 0
	exitChanges = 2
)

// wantPlan runs the built kubectl zoom plan as the cluster's admin, with
// each ZoomUser's account read through the kubeconfig as a person's would
// be, and checks its exit code and summary line.
func (c *cluster) wantPlan(t *testing.T, code int, summary string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	args = append([]string{"plan", "--kubeconfig", c.cp.Kubeconfig, "--allowed-zoom-hosts", "127.0.0.1"}, args...)
	cmd := exec.CommandContext(ctx, pluginBin, args...)
	cmd.Env = withoutZoomEnv(os.Environ())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	var exitErr *exec.ExitError
	got := 0
	if errors.As(err, &exitErr) {
		got = exitErr.ExitCode()
	} else if err != nil {
		t.Fatalf("kubectl zoom plan: %v", err)
	}
	if got != code || !strings.Contains(stdout.String(), summary) {
		t.Errorf("kubectl zoom %s: exit %d, want %d with %q; stdout tail:\n%s\nstderr:\n%s",
			strings.Join(args, " "), got, code, summary, tail(stdout.String(), 5), stderr.String())
	}
	t.Logf("kubectl zoom plan %s in %s: exit %d", strings.Join(args[5:], " "), time.Since(start).Round(time.Millisecond), got)
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// withoutZoomEnv drops ZOOM_* variables the test's own environment may
// hold: the export must reach the fake and nothing else.
func withoutZoomEnv(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "ZOOM_") })
}

// writes counts the write calls z saw, by endpoint: every request that is
// neither a GET nor the token endpoint's, whatever its route.
func writes(z *testenv.Zoom) map[string]int { return z.WritesByEndpoint() }

// callsByEndpoint summarises what z was asked, for the test log.
func callsByEndpoint(z *testenv.Zoom) map[string]int {
	out := map[string]int{}
	for _, r := range z.Requests() {
		out[r.Endpoint]++
	}
	return out
}

// waitQuiet waits until z has seen no request for quiet, at most timeout:
// a write that follows the last Ready would come in that time.
func waitQuiet(t *testing.T, z *testenv.Zoom, quiet, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last, since := z.Count(""), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if n := z.Count(""); n != last {
			last, since = n, time.Now()
			continue
		}
		if time.Since(since) >= quiet {
			return
		}
	}
	t.Logf("Zoom never went quiet for %s within %s", quiet, timeout)
}
