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

package export

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// maxNameLen is the longest metadata.name of a ZoomUser, a DNS subdomain.
const maxNameLen = 253

// hashLen is the hex digits of the email's SHA-256 that tell apart names
// that would otherwise be equal or that lost characters of the email.
const hashLen = 8

// Names gives every email a metadata.name (keyed by the lower-case email).
// The name is the email in lower case with "@" written as ".", e.g.
// ada.lovelace.example.com. It stays the same from one export to the next:
// a name that had to drop or replace characters (ada+zoom@ becomes ada-zoom)
// always carries a hash of the email, and so do all the emails whose names
// would be equal, whatever their order; only a newly exported email whose
// plain name equals another's changes that other name.
func Names(emails []string) map[string]string {
	type plain struct {
		name  string
		exact bool
	}
	plains := map[string]plain{}
	uses := map[string]int{}
	for _, e := range emails {
		e = strings.ToLower(e)
		if _, seen := plains[e]; seen {
			continue
		}
		name, exact := plainName(e)
		plains[e] = plain{name, exact}
		uses[name]++
	}
	out := make(map[string]string, len(plains))
	for e, p := range plains {
		if p.exact && uses[p.name] == 1 {
			out[e] = p.name
		} else {
			out[e] = hashed(p.name, e)
		}
	}
	return out
}

// plainName is the email as a DNS subdomain, and whether it is the email
// itself with "@" as ".". Characters a name cannot hold become "-", and
// each dot-separated label is trimmed of "-" and dropped when empty.
func plainName(email string) (string, bool) {
	mapped := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		case r == '@':
			return '.'
		default:
			return '-'
		}
	}, email)
	var labels []string
	for l := range strings.SplitSeq(mapped, ".") {
		if l = strings.Trim(l, "-"); l != "" {
			labels = append(labels, l)
		}
	}
	name := strings.Join(labels, ".")
	if name == "" {
		name = "user"
	}
	if len(name) > maxNameLen-hashLen-1 {
		name = strings.Trim(name[:maxNameLen-hashLen-1], "-.")
	}
	return name, name == strings.Replace(email, "@", ".", 1)
}

// hashed appends the first hashLen hex digits of the email's SHA-256.
func hashed(name, email string) string {
	sum := sha256.Sum256([]byte(email))
	return name + "-" + hex.EncodeToString(sum[:])[:hashLen]
}
