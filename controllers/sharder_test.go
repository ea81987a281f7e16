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

package controllers

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/shard"
)

const testShardKey = "https://zoom.example/v2|acct-1"

// placedUser is a ZoomUser of the account "a" in namespace "team" with
// its age, binding and shard label.
func placedUser(name string, age time.Duration, id, label string) *zoomv1.ZoomUser {
	zu := &zoomv1.ZoomUser{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: name,
		CreationTimestamp: metav1.NewTime(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(-age))}}
	zu.Spec.AccountRef = zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: "a"}
	zu.Status.ID = id
	if label != "" {
		zu.Labels = map[string]string{shard.LabelShard: label}
	}
	return zu
}

// sharderOver returns a sharder over objs whose label patches are recorded
// in order.
func sharderOver(t *testing.T, objs ...client.Object) (*sharder, client.Client, *[]string) {
	t.Helper()
	var patched []string
	recordPatch := func(ctx context.Context, c client.WithWatch, obj client.Object, p client.Patch, opts ...client.PatchOption) error {
		patched = append(patched, obj.GetName())
		return c.Patch(ctx, obj, p, opts...)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).
		WithIndex(&zoomv1.ZoomUser{}, accountRefIndex, accountRefIndexes[0].fn).
		WithIndex(&zoomv1.ZoomGroup{}, accountRefIndex, accountRefIndexes[1].fn).
		WithInterceptorFuncs(interceptor.Funcs{Patch: recordPatch}).Build()
	keys := &shardKeys{memo: map[accountpool.Key]shardKeyMemo{"ClusterZoomAccount/a": {key: testShardKey}}}
	return &sharder{writer: c, objects: c, keys: keys}, c, &patched
}

func labelsOf(t *testing.T, c client.Client, names ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range names {
		var zu zoomv1.ZoomUser
		if err := c.Get(context.Background(), client.ObjectKey{Namespace: "team", Name: n}, &zu); err != nil {
			t.Fatal(err)
		}
		out[n] = zu.Labels[shard.LabelShard]
		if zu.Labels[shard.LabelDrain] != "" {
			out[n] += "+drain"
		}
	}
	return out
}

func TestSharderAssign(t *testing.T) {
	owner := shard.Owner([]string{"a-1", "b-1"}, testShardKey)
	other := "a-1"
	if owner == other {
		other = "b-1"
	}
	tests := []struct {
		name        string
		users       []*zoomv1.ZoomUser
		members     []string
		wantLabels  map[string]string
		wantPatched []string
		wantWaiting bool
	}{{
		name: "new objects go to the owner, the bound claimant first, then the oldest",
		users: []*zoomv1.ZoomUser{
			placedUser("young", time.Hour, "", ""), placedUser("old", 2*time.Hour, "", ""),
			placedUser("bound", 0, "zoom-id", ""),
		},
		members:     []string{"a-1", "b-1"},
		wantLabels:  map[string]string{"young": owner, "old": owner, "bound": owner},
		wantPatched: []string{"bound", "old", "young"},
	}, {
		name:        "a live replica's objects are drained first, and nothing else moves meanwhile",
		users:       []*zoomv1.ZoomUser{placedUser("held", time.Hour, "zoom-id", other), placedUser("new", 0, "", "")},
		members:     []string{"a-1", "b-1"},
		wantLabels:  map[string]string{"held": other + "+drain", "new": ""},
		wantPatched: []string{"held"},
		wantWaiting: true,
	}, {
		name:        "a lapsed replica's objects move at once",
		users:       []*zoomv1.ZoomUser{placedUser("held", time.Hour, "zoom-id", "gone-1"), placedUser("new", 0, "", "")},
		members:     []string{"a-1", "b-1"},
		wantLabels:  map[string]string{"held": owner, "new": owner},
		wantPatched: []string{"held", "new"},
	}, {
		name:        "objects already on the owner are left alone",
		users:       []*zoomv1.ZoomUser{placedUser("settled", time.Hour, "zoom-id", owner)},
		members:     []string{"a-1", "b-1"},
		wantLabels:  map[string]string{"settled": owner},
		wantPatched: nil,
	}, {
		name:        "no live replica: nothing moves",
		users:       []*zoomv1.ZoomUser{placedUser("new", 0, "", "")},
		members:     nil,
		wantLabels:  map[string]string{"new": ""},
		wantPatched: nil,
		wantWaiting: true,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var objs []client.Object
			var names []string
			for _, u := range tc.users {
				objs, names = append(objs, u), append(names, u.Name)
			}
			s, c, patched := sharderOver(t, objs...)
			waiting, err := s.assign(context.Background(), testShardKey, tc.members)
			if err != nil {
				t.Fatal(err)
			}
			if waiting != tc.wantWaiting {
				t.Errorf("waiting = %v, want %v", waiting, tc.wantWaiting)
			}
			if diff := cmp.Diff(tc.wantLabels, labelsOf(t, c, names...)); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantPatched, *patched); diff != "" {
				t.Errorf("patch order (-want +got):\n%s", diff)
			}
		})
	}
}

// An assignment decided from a stale copy (the object was meanwhile given
// to a replica) must not land: it would move the object without a drain.
func TestSharderAssignmentFailsOnAStaleCopy(t *testing.T) {
	s, c, _ := sharderOver(t, placedUser("new", 0, "", ""))
	var stale zoomv1.ZoomUser
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: "team", Name: "new"}, &stale); err != nil {
		t.Fatal(err)
	}
	fresh := stale.DeepCopy()
	fresh.Labels = map[string]string{shard.LabelShard: "a-1"}
	if err := c.Update(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	err := s.patchLabels(context.Background(), &stale, map[string]any{shard.LabelShard: "b-1"}, true)
	if !apierrors.IsConflict(err) {
		t.Errorf("assignment from a stale copy: err = %v, want a conflict", err)
	}
}

// An account object's key comes from its Secret's accountID; one without
// a Secret is its own key; and one deleted keeps the key it had, so that
// its users stay with the replica holding the client their deletions need.
func TestShardKeysOfAccountObjects(t *testing.T) {
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ops", Name: "s2s"},
		Data: map[string][]byte{zoomv1.SecretKeyAccountID: []byte("acct-1")}}
	account := &zoomv1.ClusterZoomAccount{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Spec: zoomv1.ClusterZoomAccountSpec{
		CredentialsSecretRef: zoomv1.SecretReference{Namespace: "ops", Name: "s2s"},
		AccountSettings:      zoomv1.AccountSettings{APIURL: "https://zoom.example/v2"},
	}}
	orphan := &zoomv1.ClusterZoomAccount{ObjectMeta: metav1.ObjectMeta{Name: "no-secret"}, Spec: zoomv1.ClusterZoomAccountSpec{
		CredentialsSecretRef: zoomv1.SecretReference{Namespace: "ops", Name: "missing"},
	}}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(secret, account, orphan).Build()
	k := &shardKeys{reader: c, live: c, memo: map[accountpool.Key]shardKeyMemo{}}
	of := func(name string) string {
		key, err := k.of(context.Background(), "team", zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return key
	}
	if got := of("a"); got != testShardKey {
		t.Errorf("key of a = %q, want %q", got, testShardKey)
	}
	if got, want := of("no-secret"), "object:ClusterZoomAccount/no-secret"; got != want {
		t.Errorf("key of an account without its Secret = %q, want %q", got, want)
	}
	if err := c.Delete(context.Background(), account); err != nil {
		t.Fatal(err)
	}
	if got := of("a"); got != testShardKey {
		t.Errorf("key of a after its deletion = %q, want the one it had, %q", got, testShardKey)
	}
}
