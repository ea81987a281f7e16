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
	"time"

	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// Credentials the fake accepts; they are not secret.
const (
	fakeAccountID    = "bench-account"
	fakeClientID     = "bench-client"
	fakeClientSecret = "bench-secret"
)

// fakeZoom is the in-process fake Zoom on a loopback port.
type fakeZoom struct {
	*zoomfake.Server
	http     *http.Server
	apiURL   string
	tokenURL string
}

// startFakeZoom serves a fake Zoom that enforces lim per clock second and
// no daily cap: the benchmark's users are ssoCreate users, which Zoom's
// daily invite cap does not count.
func startFakeZoom(lim limits) (*fakeZoom, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fake Zoom: %w", err)
	}
	fake := zoomfake.New(zoomfake.Options{
		AccountID:       fakeAccountID,
		ClientID:        fakeClientID,
		ClientSecret:    fakeClientSecret,
		LightPerSecond:  lim.light,
		MediumPerSecond: lim.medium,
	})
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Printf("bench: fake Zoom stopped: %v\n", err)
		}
	}()
	base := "http://" + ln.Addr().String()
	return &fakeZoom{Server: fake, http: srv, apiURL: base + "/v2", tokenURL: base + "/oauth/token"}, nil
}

func (z *fakeZoom) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := z.http.Shutdown(ctx); err != nil {
		_ = z.http.Close()
	}
}
