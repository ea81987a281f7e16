#!/usr/bin/env bash
# Puts the Apache-2.0 header of hack/boilerplate.go.txt (with the current
# year) at the top of every tracked Go file that lacks it: after a leading
# //go:build line, where gofmt keeps that line. test/license checks the
# result.
set -euo pipefail
cd "$(dirname "$0")/.."

header=$(sed "s/Copyright [0-9]\{4\}/Copyright $(date -u +%Y)/" hack/boilerplate.go.txt)
git ls-files --cached --others --exclude-standard '*.go' | while read -r f; do
  if head -n 5 "$f" | grep -q 'Licensed under the Apache License, Version 2.0\|Copyright [0-9]\{4\} The zoom-operator Authors'; then
    continue
  fi
  if head -n 1 "$f" | grep -q '^//go:build '; then
    { head -n 1 "$f"; echo; printf '%s\n\n' "$header"; tail -n +2 "$f" | sed '1{/^$/d}'; } > "$f.tmp"
  else
    { printf '%s\n\n' "$header"; cat "$f"; } > "$f.tmp"
  fi
  mv "$f.tmp" "$f"
  echo "added the header to $f"
done
