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

package zoom

import (
	"errors"
	"strings"
)

// These predicates refine KindTerminal: the request cannot succeed as sent,
// and each one names what a person must change for it to succeed. They look
// through wrapped errors and are false for nil.

// IsDisassociationRefused reports whether Zoom refused to disassociate a
// user: 1107, the user belongs to a managed (associated) domain, or 1117,
// the user is an admin. Deleting the user (or leaving it) still works;
// disassociating it again never will.
func IsDisassociationRefused(err error) bool {
	e, ok := deleteError(err)
	return ok && (e.Code == codeManagedDomain || e.Code == codeAdminUser)
}

// transferRequiredText is the part of Zoom's code-300 message that says the
// user hosts Zoom Events or Sessions and no transfer_email was given:
// "This user has published events on Zoom Events and you do not specify a
// target user to transfer data."
const transferRequiredText = "specify a target user to transfer"

// IsTransferRequired reports whether Zoom refused to remove a user because
// the user hosts Zoom Events or Sessions and the call named no
// RemoveOptions.TransferEmail. Other code-300 answers of the same call (a
// transfer target that cannot receive the data, say) are not this.
func IsTransferRequired(err error) bool {
	e, ok := deleteError(err)
	return ok && e.Code == codeInvalidParameter &&
		strings.Contains(strings.ToLower(e.Message), transferRequiredText)
}

// IsLicenseExhausted reports whether Zoom refused a create, a type change or
// an activation because the account has no licence (or Basic seat) left for
// it: codes 2033, 2034, 2038 and 3412.
func IsLicenseExhausted(err error) bool {
	var e *APIError
	if !errors.As(err, &e) || e.Token {
		return false
	}
	switch e.Code {
	case codeBasicLimit, codeTypeLimit, codeZoomOneLimit, codeSeatLimit:
		return true
	}
	return false
}

// MissingScopes returns the scopes Zoom names in a KindMissingScope message,
// e.g. "Invalid access token, does not contain scopes:[user:read:list_users:admin]."
// gives ["user:read:list_users:admin"]. Nil when err is not a missing scope
// or the message names none.
func MissingScopes(err error) []string {
	var e *APIError
	if Classify(err) != KindMissingScope || !errors.As(err, &e) {
		return nil
	}
	_, rest, ok := strings.Cut(e.Message, "[")
	if !ok {
		return nil
	}
	list, _, ok := strings.Cut(rest, "]")
	if !ok {
		return nil
	}
	var scopes []string
	for s := range strings.SplitSeq(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			scopes = append(scopes, s)
		}
	}
	return scopes
}

// deleteError is err's APIError when it came from DELETE /users/{userId}.
func deleteError(err error) (*APIError, bool) {
	var e *APIError
	if !errors.As(err, &e) || e.Endpoint != endpointDeleteUser || e.StatusCode != 400 {
		return nil, false
	}
	return e, true
}
