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
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSpliceBlockKeepsHandWrittenText(t *testing.T) {
	doc := "# Benchmarks\n\nAnalysis by hand.\n\n<!-- bench:results -->\nold figures\n<!-- /bench:results -->\n\nMore analysis.\n\n" +
		"<!-- bench:reference -->\nold reference\n<!-- /bench:reference -->\n"
	got, err := spliceBlock(doc, "results", "new figures\n")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(doc, "old figures", "new figures", 1)
	if got != want {
		t.Errorf("spliced:\n%s\nwant:\n%s", got, want)
	}

	got, err = spliceBlock(doc, "shards", "shard figures")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "More analysis.\n\n## Results: shards\n\n<!-- bench:shards -->\nshard figures\n<!-- /bench:shards -->\n\n<!-- bench:reference -->") {
		t.Errorf("a new block is not placed before the reference block:\n%s", got)
	}
	if !strings.Contains(got, "old figures") || !strings.Contains(got, "Analysis by hand.") {
		t.Errorf("adding a block changed the rest:\n%s", got)
	}
}

func TestSpliceBlockRefusesBrokenMarkers(t *testing.T) {
	for name, doc := range map[string]string{
		"no end":     "<!-- bench:results -->\nfigures\nhand-written text\n",
		"twice":      "<!-- bench:results -->\n<!-- /bench:results -->\n<!-- bench:results -->\n<!-- /bench:results -->\n",
		"end before": "<!-- /bench:results -->\nhand-written text\n<!-- bench:results -->\n",
	} {
		if got, err := spliceBlock(doc, "results", "new"); err == nil {
			t.Errorf("%s: spliced without complaint:\n%s", name, got)
		}
	}
}

// TestUpdateFileWritesOnlyItsBlocks runs a shards report's update over a
// document that holds another run's results and hand-written analysis.
func TestUpdateFileWritesOnlyItsBlocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "benchmarks.md")
	rp := &report{cfg: config{args: []string{"--sizes=10"}}}
	if err := rp.updateFile(path); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(first), "<!-- /bench:results -->", "figures of the last make bench\n<!-- /bench:results -->\n\nWhat they show, by hand.", 1)
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	rp.cfg.replicas, rp.cfg.accounts = 3, 9
	if err := rp.updateFile(path); err != nil {
		t.Fatal(err)
	}
	second, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"figures of the last make bench", "What they show, by hand.", "<!-- bench:shards -->", "## How to reproduce"} {
		if !strings.Contains(string(second), want) {
			t.Errorf("document lacks %q:\n%s", want, second)
		}
	}
	if n := strings.Count(string(second), "## How to reproduce"); n != 1 {
		t.Errorf("%d reference sections, want 1", n)
	}
}

func TestSectionNames(t *testing.T) {
	for _, name := range []string{"", "results", "n-100000"} {
		if !validSection(name) {
			t.Errorf("%q refused", name)
		}
	}
	for _, name := range []string{"Results", "a b", "x-->", "a_b"} {
		if validSection(name) {
			t.Errorf("%q accepted", name)
		}
	}
	if _, err := parseFlags([]string{"--section=x-->"}); err == nil {
		t.Error("--section accepted a marker breaker")
	}
}

// TestCommittedDocumentIsCurrent checks docs/benchmarks.md against the
// generator: its reference block is what reference() writes now, so that a
// change to the flags or their meaning reaches the document without waiting
// for the next hour-long run, and each block's markers are sound.
func TestCommittedDocumentIsCurrent(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "benchmarks.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, name := range []string{"results", "accounts", "shards", referenceBlock} {
		if got, err := spliceBlock(doc, name, "x"); err != nil || !strings.Contains(got, beginMarker(name)+"\nx\n"+endMarker(name)) {
			t.Errorf("block %q: %v", name, err)
		}
	}
	want, err := spliceBlock(doc, referenceBlock, reference())
	if err != nil {
		t.Fatal(err)
	}
	if doc != want {
		t.Error("docs/benchmarks.md's reference block differs from hack/bench/doc.go's reference(); run `go run ./hack/bench --reference-only --out docs/benchmarks.md`")
	}
}

func TestCheckBlocksBeforeARun(t *testing.T) {
	dir := t.TempDir()
	if err := checkBlocks(filepath.Join(dir, "missing.md"), "results"); err != nil {
		t.Errorf("a missing document: %v", err)
	}
	broken := filepath.Join(dir, "broken.md")
	if err := os.WriteFile(broken, []byte("<!-- bench:shards -->\nhand-written text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkBlocks(broken, "shards"); err == nil {
		t.Error("a block without its end marker passed the check")
	}
	b := &bench{cfg: config{repoDir: "../..", assets: "x", crdDir: "../../config/crd/bases", out: broken, replicas: 3, accounts: 9}}
	if err := b.preflight(); err == nil || !strings.Contains(err.Error(), "shards") {
		t.Errorf("preflight with a broken shards block: %v, want it refused", err)
	}
}

func TestCommitOf(t *testing.T) {
	if got := commitOf(t.Context(), "../.."); !strings.HasPrefix(got, "`") {
		t.Errorf("commitOf(the repository) = %q, want a commit", got)
	}
	if got := commitOf(t.Context(), t.TempDir()); got != "unknown (no git)" {
		t.Errorf("commitOf(no repository) = %q", got)
	}
}
