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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// docs/benchmarks.md is kept in blocks. Each kind of run (one account, many
// accounts, shards, or a --section the caller names) writes its own block
// between markers, and every run rewrites the reference block: how to
// reproduce, what each figure means. Text outside the blocks is the
// analysis of what the figures show, written by hand; no run touches it, so
// that one `make bench-shards` cannot erase what the last `make bench` found.

const referenceBlock = "reference"

func beginMarker(name string) string { return "<!-- bench:" + name + " -->" }
func endMarker(name string) string   { return "<!-- /bench:" + name + " -->" }

// updateFile writes the report's block and the reference block into the
// document at path, which is created when missing.
func (rp *report) updateFile(path string) error {
	return rewrite(path, true, rp.update)
}

// updateReference rewrites only the reference block of the document at
// path, which must exist.
func updateReference(path string) error {
	return rewrite(path, false, func(doc string) (string, error) {
		return spliceBlock(doc, referenceBlock, reference())
	})
}

// rewrite replaces the document at path with what edit makes of it; a
// missing document is edited from "" when missingOK.
func rewrite(path string, missingOK bool, edit func(string) (string, error)) error {
	old, err := os.ReadFile(path)
	if err != nil && !(missingOK && errors.Is(err, os.ErrNotExist)) {
		return err
	}
	doc, err := edit(string(old))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeFileAtomic(path, doc)
}

// checkBlocks fails when the document at path (if there is one) has
// markers that a run could not splice into, so that the run fails before
// its hour of measuring rather than after.
func checkBlocks(path, name string) error {
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, n := range []string{name, referenceBlock} {
		if _, err := spliceBlock(string(data), n, ""); err != nil {
			return fmt.Errorf("--out %s: %w", path, err)
		}
	}
	return nil
}

// writeFileAtomic replaces path with doc through a temporary file beside
// it, so that a failed write leaves the old document whole.
func writeFileAtomic(path, doc string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = tmp.WriteString(doc)
	err = errors.Join(err, tmp.Close(), os.Chmod(tmp.Name(), 0o644))
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// update returns doc with this report's block and the reference block
// rewritten; an empty doc starts from the document's skeleton.
func (rp *report) update(doc string) (string, error) {
	if strings.TrimSpace(doc) == "" {
		doc = skeleton()
	}
	doc, err := spliceBlock(doc, rp.cfg.sectionName(), rp.block())
	if err != nil {
		return "", err
	}
	return spliceBlock(doc, referenceBlock, reference())
}

// spliceBlock returns doc with block name's content replaced by body. A
// document without the block gets it, under a heading of its own, before
// the reference block, or at its end. A marker without its pair, or one
// that appears twice, is an error: guessing could overwrite hand-written
// text.
func spliceBlock(doc, name, body string) (string, error) {
	begin, end := beginMarker(name), endMarker(name)
	nb, ne := strings.Count(doc, begin), strings.Count(doc, end)
	switch {
	case nb == 0 && ne == 0:
		return insertBlock(doc, name, body), nil
	case nb != 1 || ne != 1:
		return "", fmt.Errorf("block %q has %d begin and %d end markers, want one of each", name, nb, ne)
	}
	i := strings.Index(doc, begin) + len(begin)
	j := strings.Index(doc, end)
	if j < i {
		return "", fmt.Errorf("block %q ends before it begins", name)
	}
	return doc[:i] + "\n" + strings.TrimRight(body, "\n") + "\n" + doc[j:], nil
}

func insertBlock(doc, name, body string) string {
	block := fmt.Sprintf("## Results: %s\n\n%s\n%s\n%s\n\n", name, beginMarker(name), strings.TrimRight(body, "\n"), endMarker(name))
	if name == referenceBlock {
		block = fmt.Sprintf("%s\n%s\n%s\n", beginMarker(name), strings.TrimRight(body, "\n"), endMarker(name))
	}
	if at := strings.Index(doc, beginMarker(referenceBlock)); at >= 0 {
		return doc[:at] + block + doc[at:]
	}
	return strings.TrimRight(doc, "\n") + "\n\n" + block
}

// sectionName is the block a run writes: --section, or the kind of run.
func (c config) sectionName() string {
	switch {
	case c.section != "":
		return c.section
	case c.replicas > 1:
		return "shards"
	case c.accounts > 1:
		return "accounts"
	}
	return "results"
}

// validSection accepts the names a marker can carry inside an HTML comment.
func validSection(name string) bool {
	return !strings.ContainsFunc(name, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-'
	})
}
