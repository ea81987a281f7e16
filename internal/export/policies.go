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

package export

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// managementPolicies are the values the API's enum allows, in its order.
var managementPolicies = []zoomv1.ManagementPolicy{
	zoomv1.ManagementObserve, zoomv1.ManagementCreate, zoomv1.ManagementUpdate, zoomv1.ManagementDelete, zoomv1.ManagementAll,
}

// ParseManagementPolicies reads a comma-separated list of management
// policies and checks it as the ZoomUser CRD would, so that an export
// never writes a manifest the API server refuses: known names (exact
// case), each once, Observe or "*" among them, and "*" only alone. An
// empty list is nil: the field is left out.
func ParseManagementPolicies(v string) (zoomv1.ManagementPolicies, error) {
	var out zoomv1.ManagementPolicies
	for s := range strings.SplitSeq(v, ",") {
		p := zoomv1.ManagementPolicy(strings.TrimSpace(s))
		switch {
		case p == "":
			continue
		case !slices.Contains(managementPolicies, p):
			return nil, fmt.Errorf("unknown management policy %q: must be one of %v", p, managementPolicies)
		case slices.Contains(out, p):
			return nil, fmt.Errorf("management policy %q given twice", p)
		}
		out = append(out, p)
	}
	switch {
	case len(out) == 0:
		return nil, nil
	case slices.Contains(out, zoomv1.ManagementAll) && len(out) > 1:
		return nil, errors.New(`management policy "*" already means every policy: give it alone`)
	case !slices.Contains(out, zoomv1.ManagementAll) && !slices.Contains(out, zoomv1.ManagementObserve):
		return nil, errors.New("management policies must include Observe: the operator always reads the Zoom user first")
	}
	return out, nil
}
