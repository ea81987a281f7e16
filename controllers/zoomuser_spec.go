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

package controllers

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/desired"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// createRequest builds the POST body, and returns the password it carries
// (for redaction); autoCreate reads it from the referenced Secret, which is
// never logged or written to status.
func (s *userSync) createRequest(ctx context.Context) (zoom.CreateUserRequest, string, outcome, bool) {
	req := desired.CreateRequest(&s.zu.Spec)
	if s.zu.Spec.PasswordSecretRef == nil {
		return req, "", outcome{}, true
	}
	password, err := s.password(ctx)
	if err != nil {
		return req, "", waiting(zoomv1.ReasonInvalidSpec, err.Error(), s.r.timing.accountRetry), false
	}
	req.UserInfo.Password = password
	return req, password, outcome{}, true
}

// password reads the autoCreate password. The Secret must carry the
// PasswordSecretLabel: a tenant who may write ZoomUsers but not read
// Secrets must not be able to send any Secret of the namespace to Zoom
// (and read it back through an echoing server or the user's login).
func (s *userSync) password(ctx context.Context) (string, error) {
	ref := s.zu.Spec.PasswordSecretRef
	var secret corev1.Secret
	err := s.r.accounts.live.Get(ctx, types.NamespacedName{Namespace: s.zu.Namespace, Name: ref.Name}, &secret)
	if apierrors.IsNotFound(err) {
		return "", fmt.Errorf("password Secret %s not found", ref.Name)
	}
	if err != nil {
		return "", fmt.Errorf("reading password Secret %s: %w", ref.Name, err)
	}
	if secret.Labels[zoomv1.PasswordSecretLabel] != "true" {
		return "", fmt.Errorf("password Secret %s lacks the label %s: \"true\" that allows its use as a Zoom password", ref.Name, zoomv1.PasswordSecretLabel)
	}
	// A trailing newline is what `kubectl create secret --from-file` leaves.
	password := strings.TrimRight(string(secret.Data[ref.Key]), "\r\n")
	if password == "" {
		return "", fmt.Errorf("password Secret %s has no key %q", ref.Name, ref.Key)
	}
	return password, nil
}
