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

package accountpool

import (
	"strings"
	"testing"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

func TestHostPolicy(t *testing.T) {
	p, err := ParseHosts("api.zoom.us, zoom.us,127.0.0.1,localhost:8080")
	if err != nil {
		t.Fatal(err)
	}
	for url, ok := range map[string]bool{
		"https://api.zoom.us/v2":          true,
		"https://zoom.us/oauth/token":     true,
		"https://API.ZOOM.US/v2":          true,
		"https://api.zoom.us:8443/v2":     true, // a bare host allows any port
		"http://api.zoom.us/v2":           false,
		"https://evil.example.com/v2":     false,
		"https://api.zoom.us.evil.com/v2": false,
		"https://zoom.us@evil.com/v2":     false,
		"http://127.0.0.1:3456/v2":        true, // listed loopback may use http
		"http://127.0.0.2:3456/v2":        false,
		"http://localhost:8080/v2":        false, // a name is not a loopback address
		"https://localhost:8080/v2":       true,
		"https://localhost:9090/v2":       false,
		"ftp://zoom.us/":                  false,
		"zoom.us/v2":                      false,
		"":                                false,
	} {
		if err := p.Check(url); (err == nil) != ok {
			t.Errorf("Check(%q) = %v, want allowed=%v", url, err, ok)
		}
	}
	for _, bad := range []string{"", " , ", "https://api.zoom.us", "zoom.us/v2"} {
		if _, err := ParseHosts(bad); err == nil {
			t.Errorf("ParseHosts(%q) accepted", bad)
		}
	}
}

func TestCheckSettingsChecksBothURLs(t *testing.T) {
	p, err := ParseHosts(strings.Join(DefaultAllowedHosts, ","))
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		settings zoomv1.AccountSettings
		want     string // "" means allowed
	}{
		"zoom's own":      {zoomv1.AccountSettings{APIURL: "https://api.zoom.us/v2", TokenURL: "https://zoom.us/oauth/token"}, ""},
		"foreign api":     {zoomv1.AccountSettings{APIURL: "https://evil.example/v2", TokenURL: "https://zoom.us/oauth/token"}, "host evil.example of https://evil.example/v2 is not in --allowed-zoom-hosts (api.zoom.us,zoom.us)"},
		"foreign token":   {zoomv1.AccountSettings{APIURL: "https://api.zoom.us/v2", TokenURL: "https://evil.example/token"}, "host evil.example of https://evil.example/token"},
		"unset token URL": {zoomv1.AccountSettings{APIURL: "https://api.zoom.us/v2"}, "is not an absolute URL"},
	} {
		t.Run(name, func(t *testing.T) {
			err := p.CheckSettings(tc.settings)
			if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("CheckSettings = %v, want %q", err, tc.want)
			}
		})
	}
}
