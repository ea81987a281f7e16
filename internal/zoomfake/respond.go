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

package zoomfake

import (
	"encoding/json"
	"net/http"
)

// Zoom error codes the fake answers with; docs/zoom-contract.md names the
// part of Zoom's Users API definition each comes from.
const (
	codeNoPrivilege      = 200
	codeInvalidParameter = 300
	codeInvalidToken     = 124
	codeUserNotFound     = 1001
	codeUserExists       = 1005
	codeManagedDomain    = 1107
	codeAdminUser        = 1117
	codeTypeLimit        = 2034
	codeSeatLimit        = 3412
	codeRateLimited      = 429
	codeMissingScope     = 4711
)

const (
	msgInvalidToken = "Invalid access token."
	msgExpiredToken = "Access token is expired."
	msgInvalidField = "Invalid field."
	msgInvalidJSON  = "Request Body should be a valid JSON object."
)

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

type apiError struct {
	Code    int          `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, apiError{Code: code, Message: message})
}

// response is an answer computed under the lock and written after it is
// released.
type response struct {
	status int
	body   any // nil for a bodiless answer such as 204
}

func (r response) write(w http.ResponseWriter) {
	if r.body == nil {
		w.WriteHeader(r.status)
		return
	}
	writeJSON(w, r.status, r.body)
}

func noContent() response { return response{status: http.StatusNoContent} }

func errorResponse(status, code int, message string) response {
	return response{status: status, body: apiError{Code: code, Message: message}}
}

func fieldErrorResponse(message, field string) response {
	return response{status: http.StatusBadRequest, body: apiError{
		Code:    codeInvalidParameter,
		Message: message,
		Errors:  []fieldError{{Field: field, Message: msgInvalidField}},
	}}
}
