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

import "testing"

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
