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
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

func TestSecretCredentials(t *testing.T) {
	for name, tc := range map[string]struct {
		data        map[string][]byte
		want        zoom.Credentials
		wantMissing []string
	}{
		"complete": {
			data: map[string][]byte{"accountID": []byte("a"), "clientID": []byte("c"), "clientSecret": []byte("s")},
			want: zoom.Credentials{AccountID: "a", ClientID: "c", ClientSecret: "s"},
		},
		"empty secret value": {
			data:        map[string][]byte{"accountID": []byte("a"), "clientID": []byte("c"), "clientSecret": {}},
			wantMissing: []string{"clientSecret"},
		},
		"wrong key names": {
			data:        map[string][]byte{"account_id": []byte("a"), "clientID": []byte("c"), "client_secret": []byte("s")},
			wantMissing: []string{"accountID", "clientSecret"},
		},
		"nil": {wantMissing: []string{"accountID", "clientID", "clientSecret"}},
	} {
		t.Run(name, func(t *testing.T) {
			got, missing := SecretCredentials(tc.data)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("credentials (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantMissing, missing); diff != "" {
				t.Errorf("missing keys (-want +got):\n%s", diff)
			}
		})
	}
}
