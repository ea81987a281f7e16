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
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// exportPageCaps are the page sizes the fake serves in the export phase:
// 0 honours the client's page_size (2,000, the most List users takes), 300
// is the cap Zoom's pagination guide allows some listings, the worst case
// an account may meet.
var exportPageCaps = []int{0, 300}

// exportResult is what one run of kubectl zoom export measured.
type exportResult struct {
	n       int
	pageCap int // the largest page the fake served; 0: as asked
	limit   limits
	t       time.Duration // the command's wall time, process start to exit
	calls   callStats     // every request, the token's included
	minList int           // list calls no client can do without
	written int           // ZoomUsers the command said it wrote
	err     error
}

// apiCalls are the calls to the API, the token endpoint left out.
func (r *exportResult) apiCalls() int {
	return r.calls.total - r.calls.byEndpoint[zoomfake.EndpointToken]
}

// floor is the time the Medium limit alone needs for the list calls no
// client can do without.
func (r *exportResult) floor() time.Duration {
	return time.Duration(float64(r.minList) / float64(r.limit.medium) * float64(time.Second))
}

// exportStatusShares split an account's users as the onboarding test does:
// seven in ten active, two inactive, one pending.
var exportStatusShares = []struct {
	status string
	tenths int
}{{zoom.StatusActive, 7}, {zoom.StatusInactive, 2}, {zoom.StatusPending, 1}}

// buildPlugin builds kubectl-zoom once; every export run starts it.
func (b *bench) buildPlugin(ctx context.Context) error {
	b.plugin = filepath.Join(b.work, "kubectl-zoom")
	b.say("building kubectl-zoom into %s", b.plugin)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", b.plugin, "./cmd/kubectl-zoom")
	cmd.Dir = b.cfg.repoDir
	if data, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building kubectl-zoom: %w\n%s", err, data)
	}
	return nil
}

// measureExport runs kubectl zoom export against a fake account of n users
// that enforces the plan's limits and serves pages of at most pageCap.
func (b *bench) measureExport(ctx context.Context, n, pageCap int) *exportResult {
	r := &exportResult{n: n, pageCap: pageCap, limit: b.cfg.plan.enforced(b.cfg.scale)}
	r.err = b.measureExportInto(ctx, r)
	return r
}

func (b *bench) measureExportInto(ctx context.Context, r *exportResult) error {
	z, err := testenv.StartZoom(testenv.ZoomOptions{Fake: zoomfake.Options{
		LightPerSecond: r.limit.light, MediumPerSecond: r.limit.medium, Window: b.cfg.window, PageSizeCap: r.pageCap,
	}})
	if err != nil {
		return err
	}
	defer z.Close()
	pageSize := zoom.MaxPageSize
	if r.pageCap > 0 {
		pageSize = min(pageSize, r.pageCap)
	}
	for _, share := range exportStatusShares {
		count := r.n * share.tenths / 10
		for i := range count {
			z.AddUser(zoomfake.User{Email: fmt.Sprintf("%s%06d@example.com", share.status, i), FirstName: "First", LastName: fmt.Sprint(i),
				Type: zoom.TypeBasic, Status: share.status})
		}
		r.minList += max(1, (count+pageSize-1)/pageSize)
	}

	target := z.Target()
	cmd := exec.CommandContext(ctx, b.plugin, "export")
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "ZOOM_") }),
		"ZOOM_ACCOUNT_ID="+target.AccountID, "ZOOM_CLIENT_ID="+target.ClientID, "ZOOM_CLIENT_SECRET="+target.ClientSecret,
		"ZOOM_API_URL="+target.APIURL, "ZOOM_TOKEN_URL="+target.TokenURL, "ZOOM_PLAN="+b.cfg.plan.name)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	err = cmd.Run()
	r.t = time.Since(start)
	r.calls = countCalls(z.Requests())
	if err != nil {
		return fmt.Errorf("kubectl zoom export: %w\n%s", err, stderr.String())
	}
	if _, err := fmt.Sscanf(lastLine(stderr.String()), "wrote %d ZoomUsers", &r.written); err != nil || r.written != r.n {
		return fmt.Errorf("kubectl zoom export wrote %d of %d users:\n%s", r.written, r.n, stderr.String())
	}
	return nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// summary is the line printed when an export run ends.
func (r *exportResult) summary() string {
	if r.err != nil {
		return fmt.Sprintf("export N=%d page cap %d: failed: %v", r.n, r.pageCap, r.err)
	}
	return fmt.Sprintf("export N=%d %s: %s (floor %s), %d API calls (%s per user), %d 429s", r.n, pagesName(r.pageCap),
		seconds(r.t), seconds(r.floor()), r.apiCalls(), fixed(float64(r.apiCalls())/float64(r.n), 4), r.calls.tooMany)
}

func pagesName(pageCap int) string {
	if pageCap == 0 {
		return fmt.Sprintf("pages of %s", thousands(zoom.MaxPageSize))
	}
	return fmt.Sprintf("pages capped at %d", pageCap)
}

// exportTable is the export phase's part of the report.
func (rp *report) exportTable() string {
	var b strings.Builder
	b.WriteString("| N | Pages served | Time (s) | Floor (s) | List calls | API calls per user | 429s | Calls by endpoint |\n")
	b.WriteString("|---:|---|---:|---:|---:|---:|---:|---|\n")
	for _, r := range rp.exports {
		if r.err != nil {
			fmt.Fprintf(&b, "| %s | %s | failed: %s | | | | | |\n", thousands(r.n), pagesName(r.pageCap), escapeCell(r.err.Error()))
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d (at least %d) | %s | %d | %s |\n", thousands(r.n), pagesName(r.pageCap),
			fixed(r.t.Seconds(), 2), fixed(r.floor().Seconds(), 2), r.calls.byEndpoint[zoomfake.EndpointListUsers], r.minList,
			fixed(float64(r.apiCalls())/float64(r.n), 4), r.calls.tooMany, endpoints(r.calls))
	}
	return b.String()
}
