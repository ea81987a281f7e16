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

package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/zoom-operator/zoom-operator/internal/shard"
)

// managerUser is config/default's manager ServiceAccount as a user.
const managerUser = "system:serviceaccount:" + operatorNamespace + ":zoom-operator-controller-manager"

// TestShardLabelsAreTheManagersOwn applies config/policy/shard_labels.yaml
// and tries, as a namespace editor, what a tenant would to steer its
// ZoomUsers between shard replicas: create one labelled for a replica, set,
// change or remove the label the manager wrote, set the drain label. All
// are refused; other labels stay the tenant's, and the manager (its
// ServiceAccount) sets and removes both.
func TestShardLabelsAreTheManagersOwn(t *testing.T) {
	c := needTenancyCluster(t)
	ctx := t.Context()
	policy, err := os.ReadFile(filepath.Join(repoRoot, "config/policy/shard_labels.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if stdout, stderr, err := c.kubectl(t, policy, "apply", "--server-side", "-f", "-"); err != nil {
		t.Fatalf("applying the policy: %v\n%s%s", err, stdout, stderr)
	}
	ns := c.newNamespace(t, "shard-labels-")
	editorName := "editor@" + ns
	c.bindClusterRole(t, ns, "edit", editorName)
	c.waitAllowed(t, editorName, ns, "create", "zoomusers")
	editor, manager := c.as(t, editorName), c.as(t, managerUser)

	labelled := zoomUser(ns, "steered")
	labelled.Labels = map[string]string{shard.LabelShard: "replica-0"}
	// The policy takes effect a moment after it is created.
	deadline := time.Now().Add(30 * time.Second)
	for err = editor.Create(ctx, labelled.DeepCopy()); !wantPolicyDenial(err); err = editor.Create(ctx, labelled.DeepCopy()) {
		if err == nil {
			_ = c.client.Delete(ctx, labelled.DeepCopy())
		}
		if time.Now().After(deadline) {
			t.Fatalf("creating a ZoomUser labelled for a replica: %v, want the policy's refusal", err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	u := zoomUser(ns, "ada")
	if err := editor.Create(ctx, u); err != nil {
		t.Fatalf("creating an unlabelled ZoomUser: %v", err)
	}
	patch := func(cl client.Client, labels string) error {
		return cl.Patch(ctx, zoomUser(ns, "ada"), client.RawPatch(client.Merge.Type(), []byte(`{"metadata":{"labels":`+labels+`}}`)))
	}
	if err := patch(editor, `{"team":"a"}`); err != nil {
		t.Errorf("the tenant's own label: %v", err)
	}
	if err := patch(manager, `{"`+shard.LabelShard+`":"replica-1"}`); err != nil {
		t.Fatalf("the manager assigning a replica: %v", err)
	}
	for what, labels := range map[string]string{
		"change the replica":  `{"` + shard.LabelShard + `":"replica-0"}`,
		"remove the replica":  `{"` + shard.LabelShard + `":null}`,
		"ask for a drain":     `{"` + shard.LabelDrain + `":"true"}`,
		"relabel with others": `{"team":"b","` + shard.LabelShard + `":"replica-2"}`,
	} {
		if err := patch(editor, labels); !wantPolicyDenial(err) {
			t.Errorf("the tenant tries to %s: %v, want the policy's refusal", what, err)
		}
	}
	if err := patch(manager, `{"`+shard.LabelShard+`":null}`); err != nil {
		t.Errorf("the manager releasing the object: %v", err)
	}
}

func wantPolicyDenial(err error) bool {
	return apierrors.IsForbidden(err) && strings.Contains(err.Error(), "the operator's own")
}
