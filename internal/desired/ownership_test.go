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

package desired

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

func TestOwnedOnlyAfterObjectAndRecordedRequest(t *testing.T) {
	objectMade := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	requested := objectMade.Add(time.Minute)
	at := func(d time.Duration) string { return requested.Add(d).Format(time.RFC3339) }
	for name, tc := range map[string]struct {
		requested *time.Time
		created   string
		want      bool
	}{
		"made after the request":               {&requested, at(2 * time.Second), true},
		"made within the skew before":          {&requested, at(-3 * time.Second), true},
		"made well before the request":         {&requested, at(-time.Hour), false},
		"no recorded request":                  {nil, at(time.Second), false},
		"unknown age":                          {&requested, "", false},
		"request back-dated before the object": {ptr.To(objectMade.Add(-24 * time.Hour)), objectMade.Add(-time.Hour).Format(time.RFC3339), false},
	} {
		t.Run(name, func(t *testing.T) {
			zu := &zoomv1.ZoomUser{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(objectMade)}}
			if tc.requested != nil {
				zu.Status.CreateRequestedAt = &metav1.Time{Time: *tc.requested}
			}
			if got := Owned(zu, &zoom.User{UserCreatedAt: tc.created}); got != tc.want {
				t.Errorf("Owned = %v, want %v", got, tc.want)
			}
		})
	}
}
