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
	"errors"
	"strings"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
)

// Environment variables that switch from the fake to real Zoom.
const (
	envAccountID    = "ZOOM_ACCOUNT_ID"
	envClientID     = "ZOOM_CLIENT_ID"
	envClientSecret = "ZOOM_CLIENT_SECRET"
	envAPIURL       = "ZOOM_API_URL"
	envTokenURL     = "ZOOM_TOKEN_URL"
)

// zoomTarget is the Zoom account the ClusterZoomAccount points at.
type zoomTarget struct {
	// target's URLs are empty for real Zoom without overrides, so the
	// CRD's defaults apply.
	target testenv.Target
	// fake is the in-process fake; nil for real Zoom.
	fake *testenv.Zoom
}

// startZoom starts the fake unless the environment names a real account.
func (s *session) startZoom(ctx context.Context) error {
	if z, ok := realZoom(s.opts.getenv); ok {
		if s.opts.existingUsers > 0 {
			return errors.New("--existing-users seeds the fake Zoom; it cannot be used with a real Zoom account")
		}
		s.zoom = z
		s.say("using real Zoom account %s (API %s); the samples create real users there",
			z.target.AccountID, orDefault(z.target.APIURL, "https://api.zoom.us/v2"))
		return nil
	}
	if missing := missingZoomEnv(s.opts.getenv); len(missing) < 3 {
		s.say("%s not set: using the fake Zoom", strings.Join(missing, ", "))
	}
	return s.startFakeZoom(ctx)
}

// realZoom reads the credentials of a real account; all three must be set,
// so that a half-filled environment never sends a secret to the wrong place.
func realZoom(getenv func(string) string) (zoomTarget, bool) {
	if len(missingZoomEnv(getenv)) > 0 {
		return zoomTarget{}, false
	}
	return zoomTarget{target: testenv.Target{
		Credentials: testenv.Credentials{
			AccountID:    getenv(envAccountID),
			ClientID:     getenv(envClientID),
			ClientSecret: getenv(envClientSecret),
		},
		APIURL:   getenv(envAPIURL),
		TokenURL: getenv(envTokenURL),
	}}, true
}

func missingZoomEnv(getenv func(string) string) []string {
	var missing []string
	for _, name := range []string{envAccountID, envClientID, envClientSecret} {
		if getenv(name) == "" {
			missing = append(missing, name)
		}
	}
	return missing
}

func (s *session) startFakeZoom(ctx context.Context) error {
	fake, err := testenv.StartZoom(testenv.ZoomOptions{Addr: s.opts.zoomAddr})
	if err != nil {
		return err
	}
	s.onStop(fake.Close)
	s.zoom = zoomTarget{target: fake.Target(), fake: fake}
	s.say("fake Zoom at %s (account %s, client %s)", fake.URL, fake.Target().AccountID, fake.Target().ClientID)
	if n := s.opts.existingUsers; n > 0 {
		seedExisting(fake, n)
		s.say("the fake Zoom holds %d users made before the operator, in %s", n, existingDomain)
	}
	return ctx.Err()
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
