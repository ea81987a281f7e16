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
	"context"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

// createAccount creates the operator's namespace, the credentials Secret and
// the ClusterZoomAccount "default" that the sample ZoomUsers use when they
// name no account.
func (s *session) createAccount(ctx context.Context) error {
	settings := s.zoom.target.Settings()
	settings.Plan = zoomv1.PlanPro
	// Existing users are there to be exported and adopted.
	settings.AdoptExistingUsers = s.opts.existingUsers > 0
	if err := testenv.CreateAll(ctx, s.client, testenv.DefaultClusterTenant(settings, s.zoom.target)...); err != nil {
		return err
	}
	s.say("created namespace %s, Secret %s, ClusterZoomAccount %s (plan %s, adoptExistingUsers %v)",
		testenv.OperatorNamespace, testenv.CredentialsSecret, testenv.DefaultAccount, zoomv1.PlanPro, settings.AdoptExistingUsers)
	return nil
}
