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
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

func TestParseConfigZoomBehaviourFlags(t *testing.T) {
	tests := map[string]struct {
		args    []string
		env     map[string]string
		domains []string
		scopes  []string
		cap     int
		window  zoomfake.Window
	}{
		"defaults: no managed domain, the classic scopes, Zoom's page size": {},
		"flags": {
			args:    []string{"-managed-domains", "corp.example, sub.corp.example", "-scopes", "user:read:admin", "-page-size-cap", "300", "-window", "sliding"},
			domains: []string{"corp.example", "sub.corp.example"},
			scopes:  []string{"user:read:admin"},
			cap:     300,
			window:  zoomfake.WindowSliding,
		},
		"environment": {
			env:     map[string]string{"ZOOMFAKE_MANAGED_DOMAINS": "corp.example", "ZOOMFAKE_SCOPES": "user:read:list_users:admin user:read:user:admin", "ZOOMFAKE_PAGE_SIZE_CAP": "300", "ZOOMFAKE_WINDOW": "sliding"},
			domains: []string{"corp.example"},
			scopes:  []string{"user:read:list_users:admin", "user:read:user:admin"},
			cap:     300,
			window:  zoomfake.WindowSliding,
		},
		"a flag wins over the environment": {
			args:   []string{"-scopes", "user:write:admin"},
			env:    map[string]string{"ZOOMFAKE_SCOPES": "user:read:admin"},
			scopes: []string{"user:write:admin"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for _, v := range []string{"ZOOMFAKE_MANAGED_DOMAINS", "ZOOMFAKE_SCOPES", "ZOOMFAKE_PAGE_SIZE_CAP", "ZOOMFAKE_WINDOW"} {
				t.Setenv(v, tc.env[v]) // restored after the test
				if _, set := tc.env[v]; !set {
					_ = os.Unsetenv(v)
				}
			}
			cfg, err := parseConfig(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.window
			if want == "" {
				want = zoomfake.WindowClock
			}
			got := []any{cfg.opts.ManagedDomains, cfg.opts.Scopes, cfg.opts.PageSizeCap, cfg.opts.Window}
			if diff := cmp.Diff([]any{tc.domains, tc.scopes, tc.cap, want}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
