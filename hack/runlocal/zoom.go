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
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// Credentials the in-process fake accepts; they are not secret.
const (
	fakeAccountID    = "local-account"
	fakeClientID     = "local-client"
	fakeClientSecret = "local-secret"
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
	accountID, clientID, clientSecret string
	// apiURL and tokenURL are empty for real Zoom without overrides, so the
	// CRD's defaults apply.
	apiURL, tokenURL string
	// fakeURL is the base URL of the in-process fake; empty for real Zoom.
	fakeURL string
}

// startZoom starts the fake unless the environment names a real account.
func (s *session) startZoom(ctx context.Context) error {
	if z, ok := realZoom(s.opts.getenv); ok {
		s.zoom = z
		s.say("using real Zoom account %s (API %s); the samples create real users there",
			z.accountID, orDefault(z.apiURL, "https://api.zoom.us/v2"))
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
	return zoomTarget{
		accountID:    getenv(envAccountID),
		clientID:     getenv(envClientID),
		clientSecret: getenv(envClientSecret),
		apiURL:       getenv(envAPIURL),
		tokenURL:     getenv(envTokenURL),
	}, true
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
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.opts.zoomAddr)
	if err != nil {
		return fmt.Errorf("fake Zoom: %w", err)
	}
	srv := &http.Server{
		Handler: zoomfake.New(zoomfake.Options{
			AccountID:    fakeAccountID,
			ClientID:     fakeClientID,
			ClientSecret: fakeClientSecret,
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.say("fake Zoom stopped: %v", err)
		}
	}()
	s.onStop(func() { stopHTTPServer(srv) })

	base := "http://" + ln.Addr().String()
	s.zoom = zoomTarget{
		accountID:    fakeAccountID,
		clientID:     fakeClientID,
		clientSecret: fakeClientSecret,
		apiURL:       base + "/v2",
		tokenURL:     base + "/oauth/token",
		fakeURL:      base,
	}
	s.say("fake Zoom at %s (account %s, client %s)", base, fakeAccountID, fakeClientID)
	return nil
}

// stopHTTPServer gives in-flight requests a moment; the manager is already
// stopped by then, so there are rarely any.
func stopHTTPServer(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close()
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
