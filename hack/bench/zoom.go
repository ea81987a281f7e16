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
	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// fakeZoom is the in-process fake Zoom on a loopback port.
type fakeZoom struct {
	*testenv.Zoom
}

// startFakeZoom serves a fake Zoom that enforces lim per second, counted
// over window, and no daily cap: the benchmark's users are ssoCreate users,
// which Zoom's daily invite cap does not count. accountID "" keeps the
// fake's default account id.
func startFakeZoom(lim limits, window zoomfake.Window, accountID string) (*fakeZoom, error) {
	z, err := testenv.StartZoom(testenv.ZoomOptions{Fake: zoomfake.Options{
		AccountID:       accountID,
		LightPerSecond:  lim.light,
		MediumPerSecond: lim.medium,
		Window:          window,
	}})
	if err != nil {
		return nil, err
	}
	return &fakeZoom{Zoom: z}, nil
}

func (z *fakeZoom) stop() { z.Close() }

// windowName says how the fake counts its per-second limits.
func windowName(w zoomfake.Window) string {
	if w == zoomfake.WindowSliding {
		return "sliding second"
	}
	return "clock second"
}
