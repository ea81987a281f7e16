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

package testenv

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"

	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// Credentials of a Zoom account's Server-to-Server OAuth app.
type Credentials struct {
	AccountID, ClientID, ClientSecret string
}

// FakeCredentials are what every fake Zoom started here accepts; they are
// not secret.
var FakeCredentials = Credentials{AccountID: "testenv-account", ClientID: "testenv-client", ClientSecret: "testenv-s3cret-value"}

// ZoomOptions says how to serve a fake Zoom.
type ZoomOptions struct {
	// Fake configures the fake; its credentials are FakeCredentials.
	Fake zoomfake.Options
	// Addr is the listen address; empty means a free loopback port.
	Addr string
	// Wrap, when set, wraps the fake's handler, e.g. to watch requests.
	Wrap func(http.Handler) http.Handler
}

// Zoom is a fake Zoom served over HTTP.
type Zoom struct {
	*zoomfake.Server
	// URL is the base URL: the API is under /v2, the token endpoint at
	// /oauth/token.
	URL   string
	srv   *httptest.Server
	creds Credentials
}

// StartZoom serves a fake Zoom; the caller stops it with Close.
func StartZoom(o ZoomOptions) (*Zoom, error) {
	creds := FakeCredentials
	if o.Fake.AccountID != "" {
		creds.AccountID = o.Fake.AccountID // a Zoom account of its own, e.g. for per-account metrics
	}
	o.Fake.AccountID, o.Fake.ClientID, o.Fake.ClientSecret = creds.AccountID, creds.ClientID, creds.ClientSecret
	fake := zoomfake.New(o.Fake)
	var handler http.Handler = fake
	if o.Wrap != nil {
		handler = o.Wrap(fake)
	}
	srv := httptest.NewUnstartedServer(handler)
	if o.Addr != "" {
		ln, err := net.Listen("tcp", o.Addr)
		if err != nil {
			return nil, fmt.Errorf("fake Zoom: %w", err)
		}
		_ = srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	return &Zoom{Server: fake, URL: srv.URL, srv: srv, creds: creds}, nil
}

// Close stops serving; requests in flight are cut off.
func (z *Zoom) Close() { z.srv.Close() }

// Target is where an account points: the fake's URLs and credentials.
func (z *Zoom) Target() Target {
	return Target{Credentials: z.creds, APIURL: z.URL + "/v2", TokenURL: z.URL + "/oauth/token"}
}

// FakeZoomManagerArgs are the flags a manager needs to talk to a fake Zoom
// served here (on 127.0.0.1, over plain HTTP). Every manager started
// against a fake gets them through ManagerOptions.Zoom.
func FakeZoomManagerArgs() []string {
	return []string{"--allowed-zoom-hosts=127.0.0.1"}
}
