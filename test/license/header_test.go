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

// Package license checks that every Go file of the repository carries the
// Apache-2.0 header of hack/boilerplate.go.txt. hack/add-license-headers.sh
// adds it where it is missing.
package license

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var repoRoot = filepath.Join("..", "..")

// TestGoFilesCarryTheLicenseHeader fails listing each tracked .go file that
// does not start with the header (any year).
func TestGoFilesCarryTheLicenseHeader(t *testing.T) {
	header, err := os.ReadFile(filepath.Join(repoRoot, "hack", "boilerplate.go.txt"))
	if err != nil {
		t.Fatal(err)
	}
	pattern := headerPattern(header)
	files := goFiles(t)
	if len(files) == 0 {
		t.Fatal("found no Go files")
	}
	var missing []string
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(repoRoot, f))
		if err != nil {
			t.Fatal(err)
		}
		if !pattern.Match(data) {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d Go files lack the license header of hack/boilerplate.go.txt (run hack/add-license-headers.sh):\n  %s",
			len(missing), strings.Join(missing, "\n  "))
	}
}

// headerPattern matches a file that starts with header, with any year in
// its copyright line. A build constraint may come first, as controller-gen
// writes it.
func headerPattern(header []byte) *regexp.Regexp {
	quoted := regexp.QuoteMeta(string(bytes.TrimSpace(header)))
	quoted = regexp.MustCompile(`Copyright \d{4}`).ReplaceAllString(quoted, `Copyright \d{4}`)
	return regexp.MustCompile(`\A(//go:build [^\n]*\n\n)?` + quoted + `\n`)
}

// goFiles lists the Go files git tracks, or, outside a git checkout, those
// under the root (bin/ and dist/ aside).
func goFiles(t *testing.T) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard", "*.go")
	cmd.Dir = repoRoot
	if out, err := cmd.Output(); err == nil {
		return strings.Fields(string(out))
	}
	var files []string
	err := filepath.WalkDir(repoRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "bin" || d.Name() == "dist") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			rel, err := filepath.Rel(repoRoot, path)
			files = append(files, rel)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestHeaderPattern checks the matcher on files with and without the header.
func TestHeaderPattern(t *testing.T) {
	header, err := os.ReadFile(filepath.Join(repoRoot, "hack", "boilerplate.go.txt"))
	if err != nil {
		t.Fatal(err)
	}
	p := headerPattern(header)
	withHeader := string(bytes.TrimSpace(header)) + "\n\npackage x\n"
	for _, tc := range []struct {
		name string
		src  string
		want bool
	}{
		{"header", withHeader, true},
		{"another year", strings.Replace(withHeader, "2026", "2027", 1), true},
		{"build constraint first", "//go:build linux\n\n" + withHeader, true},
		{"no header", "package x\n", false},
		{"build constraint only", "//go:build linux\n\npackage x\n", false},
		{"header after code", "package x\n\n" + withHeader, false},
		{"other licence", strings.Replace(withHeader, "Apache License", "MIT License", 1), false},
	} {
		if got := p.MatchString(tc.src); got != tc.want {
			t.Errorf("%s: match = %v, want %v", tc.name, got, tc.want)
		}
	}
}
