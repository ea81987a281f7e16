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
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// The schema and CEL rules reject bad manifests at `kubectl apply`, with a
// message that names the field. Each case must fail with its message.
func TestInvalidManifestsAreRejected(t *testing.T) {
	t.Parallel()
	ns := namespaceFor(t)
	tn := &tenant{t: t, k8s: k8s, ns: ns}
	tn.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	pw := &zoomv1.SecretKeyReference{Name: "pw", Key: "password"}

	for _, tc := range []struct {
		name string
		edit func(*zoomv1.ZoomUserSpec)
		want string
	}{
		{"bad email", func(s *zoomv1.ZoomUserSpec) { s.Email = "not-an-email" }, `spec.email: Invalid value: "not-an-email": spec.email in body should match`},
		{"email too long", func(s *zoomv1.ZoomUserSpec) { s.Email = strings.Repeat("a", 120) + "@example.com" }, "spec.email: Too long: may not be more than 128"},
		{"first name too long", func(s *zoomv1.ZoomUserSpec) { s.FirstName = strings.Repeat("x", 65) }, "spec.firstName: Too long: may not be more than 64"},
		{"last name too long", func(s *zoomv1.ZoomUserSpec) { s.LastName = strings.Repeat("x", 65) }, "spec.lastName: Too long: may not be more than 64"},
		{"unknown type", func(s *zoomv1.ZoomUserSpec) { s.Type = "Premium" }, `spec.type: Unsupported value: "Premium"`},
		{"unknown action", func(s *zoomv1.ZoomUserSpec) { s.Action = "invite" }, `spec.action: Unsupported value: "invite"`},
		{"unknown state", func(s *zoomv1.ZoomUserSpec) { s.State = "Paused" }, `spec.state: Unsupported value: "Paused"`},
		{"unknown deletion policy", func(s *zoomv1.ZoomUserSpec) { s.DeletionPolicy = "Purge" }, `spec.deletionPolicy: Unsupported value: "Purge"`},
		{"unknown account kind", func(s *zoomv1.ZoomUserSpec) { s.AccountRef.Kind = "Account" }, `spec.accountRef.kind: Unsupported value: "Account"`},
		{"autoCreate without password", func(s *zoomv1.ZoomUserSpec) { s.Action = zoomv1.ActionAutoCreate }, "passwordSecretRef is required when action is autoCreate and not allowed otherwise"},
		{"password without autoCreate", func(s *zoomv1.ZoomUserSpec) { s.PasswordSecretRef = pw }, "passwordSecretRef is required when action is autoCreate and not allowed otherwise"},
		{"type None without ssoCreate", func(s *zoomv1.ZoomUserSpec) { s.Type, s.Action = zoomv1.UserTypeNone, zoomv1.ActionCreate }, "type None is only allowed with action ssoCreate"},
		// The default deletionPolicy, Disassociate, cannot work for a user
		// of a managed domain, which every autoCreate user is (Zoom 1107).
		{"autoCreate with the default deletion policy", func(s *zoomv1.ZoomUserSpec) { s.Action, s.PasswordSecretRef = zoomv1.ActionAutoCreate, pw },
			"autoCreate users belong to a managed domain, which Zoom never disassociates: set deletionPolicy to Delete, Deactivate or Orphan"},
		{"autoCreate with Disassociate", func(s *zoomv1.ZoomUserSpec) {
			s.Action, s.PasswordSecretRef, s.DeletionPolicy = zoomv1.ActionAutoCreate, pw, zoomv1.DeletionPolicyDisassociate
		}, "autoCreate users belong to a managed domain, which Zoom never disassociates"},
		{"transferTo not an email", func(s *zoomv1.ZoomUserSpec) { s.TransferTo = "heir" }, `spec.transferTo: Invalid value: "heir": spec.transferTo in body should match`},
		{"transferTo is the user", func(s *zoomv1.ZoomUserSpec) { s.TransferTo = "OK@Example.com" }, "transferTo must name another user than email"},
		{"management policies without Observe", func(s *zoomv1.ZoomUserSpec) {
			s.ManagementPolicies = zoomv1.ManagementPolicies{zoomv1.ManagementCreate, zoomv1.ManagementDelete}
		}, "managementPolicies must include Observe"},
		{"'*' with another policy", func(s *zoomv1.ZoomUserSpec) {
			s.ManagementPolicies = zoomv1.ManagementPolicies{zoomv1.ManagementAll, zoomv1.ManagementObserve}
		}, "'*' already means every policy: list it alone"},
		{"unknown management policy", func(s *zoomv1.ZoomUserSpec) {
			s.ManagementPolicies = zoomv1.ManagementPolicies{zoomv1.ManagementObserve, "LateInitialize"}
		}, `spec.managementPolicies[1]: Unsupported value: "LateInitialize"`},
		{"a policy twice", func(s *zoomv1.ZoomUserSpec) {
			s.ManagementPolicies = zoomv1.ManagementPolicies{zoomv1.ManagementObserve, zoomv1.ManagementObserve}
		}, `spec.managementPolicies[1]: Duplicate value: "Observe"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A valid name, so that the rule under test is the only one refusing.
			zu := tn.user("bad-"+strings.ReplaceAll(strings.ToLower(tc.name), " ", "-"), "ok@example.com")
			tc.edit(&zu.Spec)
			err := k8s.Create(context.Background(), zu)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("create error = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}

	// Accepted manifests that the same rules allow.
	for _, tc := range []struct {
		name string
		edit func(*zoomv1.ZoomUserSpec)
	}{
		{"autoCreate with password and Delete", func(s *zoomv1.ZoomUserSpec) {
			s.Action, s.PasswordSecretRef, s.DeletionPolicy = zoomv1.ActionAutoCreate, pw, zoomv1.DeletionPolicyDelete
		}},
		{"autoCreate with Deactivate", func(s *zoomv1.ZoomUserSpec) {
			s.Action, s.PasswordSecretRef, s.DeletionPolicy = zoomv1.ActionAutoCreate, pw, zoomv1.DeletionPolicyDeactivate
		}},
		{"transferTo another user", func(s *zoomv1.ZoomUserSpec) { s.TransferTo = "heir@example.com" }},
		{"None with ssoCreate", func(s *zoomv1.ZoomUserSpec) { s.Type, s.Action = zoomv1.UserTypeNone, zoomv1.ActionSSOCreate }},
		{"observe only", func(s *zoomv1.ZoomUserSpec) {
			s.ManagementPolicies = zoomv1.ManagementPolicies{zoomv1.ManagementObserve}
		}},
		{"all but Delete", func(s *zoomv1.ZoomUserSpec) {
			s.ManagementPolicies = zoomv1.ManagementPolicies{zoomv1.ManagementObserve, zoomv1.ManagementCreate, zoomv1.ManagementUpdate}
		}},
	} {
		t.Run("accepts "+tc.name, func(t *testing.T) {
			zu := tn.user(strings.ReplaceAll(strings.ToLower(tc.name), " ", "-"), "ok@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.Suspend = true })
			tc.edit(&zu.Spec)
			if err := k8s.Create(context.Background(), zu); err != nil {
				t.Fatalf("valid manifest rejected: %v", err)
			}
		})
	}
}

func TestImmutableFieldsCannotChange(t *testing.T) {
	t.Parallel()
	ns := namespaceFor(t)
	tn := &tenant{t: t, k8s: k8s, ns: ns}
	tn.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	tn.create(tn.user("fixed", "fixed@example.com", func(zu *zoomv1.ZoomUser) { zu.Spec.Suspend = true }))
	tn.waitReason("fixed", zoomv1.ReasonSuspended) // the manager's status write is done: no update conflict below

	for _, tc := range []struct {
		name string
		edit func(*zoomv1.ZoomUserSpec)
		want string
	}{
		{"email", func(s *zoomv1.ZoomUserSpec) { s.Email = "other@example.com" }, "email is immutable"},
		{"action", func(s *zoomv1.ZoomUserSpec) { s.Action = zoomv1.ActionCustCreate }, "action is immutable"},
		{"accountRef", func(s *zoomv1.ZoomUserSpec) { s.AccountRef.Name = "elsewhere" }, "accountRef is immutable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var zu zoomv1.ZoomUser
			if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "fixed"}, &zu); err != nil {
				t.Fatal(err)
			}
			tc.edit(&zu.Spec)
			err := k8s.Update(context.Background(), &zu)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("update error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestInvalidClusterZoomAccountsAreRejected(t *testing.T) {
	t.Parallel()
	base := func(name string) *zoomv1.ClusterZoomAccount {
		return &zoomv1.ClusterZoomAccount{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec:       zoomv1.ClusterZoomAccountSpec{CredentialsSecretRef: zoomv1.SecretReference{Name: "s", Namespace: "ns"}},
		}
	}
	for _, tc := range []struct {
		name string
		edit func(*zoomv1.ClusterZoomAccountSpec)
		want string
	}{
		{"selector missing", func(s *zoomv1.ClusterZoomAccountSpec) { s.AllowedNamespaces.From = zoomv1.NamespacesFromSelector }, "selector is required when from is Selector"},
		{"selector with All", func(s *zoomv1.ClusterZoomAccountSpec) {
			s.AllowedNamespaces = zoomv1.AllowedNamespaces{From: zoomv1.NamespacesFromAll, Selector: &metav1.LabelSelector{}}
		}, "selector is required when from is Selector"},
		{"unknown plan", func(s *zoomv1.ClusterZoomAccountSpec) { s.Plan = "Enterprise" }, `spec.plan: Unsupported value: "Enterprise"`},
		{"api URL not http", func(s *zoomv1.ClusterZoomAccountSpec) { s.APIURL = "ftp://zoom" }, "spec.apiURL in body should match"},
		{"secret without namespace", func(s *zoomv1.ClusterZoomAccountSpec) { s.CredentialsSecretRef.Namespace = "" }, "spec.credentialsSecretRef.namespace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cza := base(strings.ReplaceAll(tc.name, " ", "-") + "-" + namespaceFor(t)[:4])
			tc.edit(&cza.Spec)
			err := k8s.Create(context.Background(), cza)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("create error = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

// group returns a ZoomGroup of the tenant's namespace selecting team=name.
func (tn *tenant) group(name string, edit ...func(*zoomv1.ZoomGroup)) *zoomv1.ZoomGroup {
	zg := &zoomv1.ZoomGroup{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: tn.ns},
		Spec: zoomv1.ZoomGroupSpec{
			Name:           "Team " + name,
			MemberSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": name}},
			Suspend:        true, // no Zoom calls: these tests are about the schema
		},
	}
	for _, e := range edit {
		e(zg)
	}
	return zg
}

func TestInvalidZoomGroupsAreRejected(t *testing.T) {
	t.Parallel()
	ns := namespaceFor(t)
	tn := &tenant{t: t, k8s: k8s, ns: ns}
	tn.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})

	for _, tc := range []struct {
		name string
		edit func(*zoomv1.ZoomGroupSpec)
		want string
	}{
		{"neither selector nor members", func(s *zoomv1.ZoomGroupSpec) { s.MemberSelector = nil }, "at least one of memberSelector or members is required"},
		{"empty name", func(s *zoomv1.ZoomGroupSpec) { s.Name = "" }, "spec.name: Invalid value"},
		{"name too long", func(s *zoomv1.ZoomGroupSpec) { s.Name = strings.Repeat("g", 129) }, "spec.name: Too long: may not be more than 128"},
		{"empty member name", func(s *zoomv1.ZoomGroupSpec) { s.Members = []string{""} }, "spec.members[0]: Invalid value"},
		{"duplicate member", func(s *zoomv1.ZoomGroupSpec) { s.Members = []string{"ada", "ada"} }, `spec.members[1]: Duplicate value: "ada"`},
		{"unknown deletion policy", func(s *zoomv1.ZoomGroupSpec) { s.DeletionPolicy = "Disassociate" }, `spec.deletionPolicy: Unsupported value: "Disassociate"`},
		{"unknown account kind", func(s *zoomv1.ZoomGroupSpec) { s.AccountRef.Kind = "Account" }, `spec.accountRef.kind: Unsupported value: "Account"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			zg := tn.group("bad-" + strings.ReplaceAll(tc.name, " ", "-"))
			tc.edit(&zg.Spec)
			err := k8s.Create(context.Background(), zg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("create error = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}

	for _, tc := range []struct {
		name string
		edit func(*zoomv1.ZoomGroupSpec)
	}{
		{"selector only", func(*zoomv1.ZoomGroupSpec) {}},
		{"members only", func(s *zoomv1.ZoomGroupSpec) { s.MemberSelector, s.Members = nil, []string{"ada"} }},
		{"both", func(s *zoomv1.ZoomGroupSpec) { s.Members = []string{"ada", "grace"} }},
	} {
		t.Run("accepts "+tc.name, func(t *testing.T) {
			zg := tn.group(strings.ReplaceAll(tc.name, " ", "-"))
			tc.edit(&zg.Spec)
			if err := k8s.Create(context.Background(), zg); err != nil {
				t.Fatalf("valid manifest rejected: %v", err)
			}
		})
	}
}

// A ZoomGroup may be renamed until it is bound to a Zoom group; then the
// name is the Zoom group's and renaming would silently manage another one.
func TestZoomGroupNameIsImmutableOnceBound(t *testing.T) {
	t.Parallel()
	ns := namespaceFor(t)
	tn := &tenant{t: t, k8s: k8s, ns: ns}
	tn.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	tn.create(tn.group("eng"))
	ctx := context.Background()
	key := client.ObjectKey{Namespace: ns, Name: "eng"}

	var zg zoomv1.ZoomGroup
	if err := k8s.Get(ctx, key, &zg); err != nil {
		t.Fatal(err)
	}
	if got, want := zg.Spec.DeletionPolicy, zoomv1.GroupDeletionPolicyDelete; got != want {
		t.Errorf("default deletionPolicy = %q, want %q", got, want)
	}
	// The manager marks the suspended group in status meanwhile: each
	// write starts from a fresh read.
	edit := func(mutate func(*zoomv1.ZoomGroup), write func(*zoomv1.ZoomGroup) error) error {
		return retry.RetryOnConflict(retry.DefaultRetry, func() error {
			if err := k8s.Get(ctx, key, &zg); err != nil {
				return err
			}
			mutate(&zg)
			return write(&zg)
		})
	}
	update := func(zg *zoomv1.ZoomGroup) error { return k8s.Update(ctx, zg) }
	if err := edit(func(zg *zoomv1.ZoomGroup) { zg.Spec.Name = "Engineering" }, update); err != nil {
		t.Fatalf("renaming an unbound group: %v", err)
	}
	bind := func(zg *zoomv1.ZoomGroup) error { return k8s.Status().Update(ctx, zg) }
	if err := edit(func(zg *zoomv1.ZoomGroup) { zg.Status.ID = "grp-1" }, bind); err != nil {
		t.Fatalf("binding: %v", err)
	}
	err := edit(func(zg *zoomv1.ZoomGroup) { zg.Spec.Name = "Engineering 2" }, update)
	if want := "spec.name is immutable once the group is bound"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("renaming a bound group: error = %v, want %q", err, want)
	}

	if err := k8s.Get(ctx, key, &zg); err != nil {
		t.Fatal(err)
	}
	zg.Spec.AccountRef.Name = "elsewhere"
	err = k8s.Update(ctx, &zg)
	if want := "accountRef is immutable"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("changing accountRef: error = %v, want %q", err, want)
	}
}

func TestOwnerRoleIsRejected(t *testing.T) {
	t.Parallel()
	ns := namespaceFor(t)
	tn := &tenant{t: t, k8s: k8s, ns: ns}
	tn.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	ctx := context.Background()
	suspended := func(zu *zoomv1.ZoomUser) { zu.Spec.Suspend = true }

	for i, role := range []string{"Owner", "owner", "OWNER"} {
		zu := tn.user(fmt.Sprintf("owner-%d", i), "ok@example.com", suspended)
		zu.Spec.Role = role
		err := k8s.Create(ctx, zu)
		if want := "the Owner role cannot be assigned"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("role %q: create error = %v, want %q", role, err, want)
		}
	}
	admin := tn.user("admin", "admin@example.com", suspended)
	admin.Spec.Role = "Admin"
	if err := k8s.Create(ctx, admin); err != nil {
		t.Errorf("role Admin rejected: %v", err)
	}

	za := &zoomv1.ZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "owners", Namespace: ns},
		Spec: zoomv1.ZoomAccountSpec{
			CredentialsSecretRef: zoomv1.LocalSecretReference{Name: "s"},
			AccountSettings:      zoomv1.AccountSettings{AllowedRoles: []string{"Member", "owner"}},
		},
	}
	err := k8s.Create(ctx, za)
	if want := "the Owner role cannot be allowed"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("allowedRoles with owner: create error = %v, want %q", err, want)
	}

	plain := &zoomv1.ZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "plain", Namespace: ns},
		Spec:       zoomv1.ZoomAccountSpec{CredentialsSecretRef: zoomv1.LocalSecretReference{Name: "s"}},
	}
	tn.create(plain)
	if got, want := plain.Spec.AllowedRoles, []string{"Member"}; !slices.Equal(got, want) {
		t.Errorf("default allowedRoles = %q, want %q", got, want)
	}
	if plain.Spec.AdoptExistingGroups {
		t.Error("adoptExistingGroups defaults to true, want false")
	}
}
