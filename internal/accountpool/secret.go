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
	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// SecretCredentials reads an account's credentials from its Secret's data
// (keys accountID, clientID and clientSecret). missing names the keys that
// are absent or empty, in that order; the credentials are usable only when
// it is empty. The manager and the kubectl plugin both read Secrets so.
func SecretCredentials(data map[string][]byte) (creds zoom.Credentials, missing []string) {
	value := func(key string) string {
		v := string(data[key])
		if v == "" {
			missing = append(missing, key)
		}
		return v
	}
	creds = zoom.Credentials{
		AccountID:    value(zoomv1.SecretKeyAccountID),
		ClientID:     value(zoomv1.SecretKeyClientID),
		ClientSecret: value(zoomv1.SecretKeyClientSecret),
	}
	if len(missing) > 0 {
		return zoom.Credentials{}, missing
	}
	return creds, nil
}
