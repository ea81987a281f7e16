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
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// DefaultAllowedHosts are Zoom's own API and OAuth hosts.
var DefaultAllowedHosts = []string{"api.zoom.us", "zoom.us"}

// HostPolicy bounds the URLs an account may point the manager at, so that a
// tenant who writes a ZoomAccount cannot make the manager send credentials
// or requests to a host the platform did not allow.
type HostPolicy struct {
	entries []string // lower-cased "host" (any port) or "host:port"
}

// ParseHosts reads a comma-separated list of "host" or "host:port".
func ParseHosts(list string) (HostPolicy, error) {
	var p HostPolicy
	for _, e := range strings.Split(list, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		if strings.ContainsAny(e, "/@?#") {
			return HostPolicy{}, fmt.Errorf("allowed host %q: want host or host:port, without scheme or path", e)
		}
		p.entries = append(p.entries, e)
	}
	if len(p.entries) == 0 {
		return HostPolicy{}, fmt.Errorf("no allowed hosts in %q", list)
	}
	return p, nil
}

// String lists the policy as ParseHosts reads it.
func (p HostPolicy) String() string { return strings.Join(p.entries, ",") }

// Check returns an error naming the rule when raw may not be used: a host
// outside the list, or plain http to anything but a listed loopback address.
func (p HostPolicy) Check(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	host := strings.ToLower(u.Hostname())
	if !p.allows(host, u.Port()) {
		return fmt.Errorf("host %s of %s is not in --allowed-zoom-hosts (%s)", u.Host, raw, p)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(host) {
			return nil
		}
		return fmt.Errorf("%s uses plain http, allowed only for loopback addresses", raw)
	default:
		return fmt.Errorf("%s: scheme %q is not https", raw, u.Scheme)
	}
}

// CheckSettings checks both URLs of an account: the token URL receives the
// client secret, the API URL every access token.
func (p HostPolicy) CheckSettings(s zoomv1.AccountSettings) error {
	for _, u := range []string{s.APIURL, s.TokenURL} {
		if err := p.Check(u); err != nil {
			return err
		}
	}
	return nil
}

func (p HostPolicy) allows(host, port string) bool {
	return slices.Contains(p.entries, host) || (port != "" && slices.Contains(p.entries, net.JoinHostPort(host, port)))
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
