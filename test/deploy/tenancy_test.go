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
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/testenv"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
)

// The shipped roles for people, as config/default names them.
const (
	accountEditorRole = "zoom-operator-zoomaccount-editor-role"
	zoomGroup         = "zoom.zoomoperator.dev"
	// zoomUserQuota is the object-count quota name of ZoomUsers.
	zoomUserQuota = corev1.ResourceName("count/zoomusers." + zoomGroup)
)

var (
	tenancyOnce sync.Once
	tenancy     *cluster
	tenancyErr  error
	stopTenancy = func() {}
)

// needTenancyCluster returns a control plane of its own with config/default
// installed and no manager, where kube-controller-manager runs the two
// controllers that tenancy rests on: clusterrole-aggregation, which folds
// the shipped roles into Kubernetes' admin, edit and view (kube-apiserver
// does not), and resourcequota, which fills a quota's status.hard and
// status.used (until it has, quota admission refuses every create it
// covers).
func needTenancyCluster(t *testing.T) *cluster {
	t.Helper()
	needAssets(t)
	needKubectl(t)
	kcm := filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kube-controller-manager")
	if _, err := os.Stat(kcm); err != nil {
		t.Fatalf("kube-controller-manager is missing from KUBEBUILDER_ASSETS (WITH_CONTROLLER_MANAGER=1 hack/envtest-assets.sh builds it): %v", err)
	}
	tenancyOnce.Do(func() { tenancy, tenancyErr = startTenancyCluster(t, kcm) })
	if tenancyErr != nil {
		t.Fatalf("starting the tenancy control plane: %v", tenancyErr)
	}
	return tenancy
}

func startTenancyCluster(t *testing.T, kcm string) (*cluster, error) {
	setupLogging()
	dir, err := os.MkdirTemp("", "zoom-operator-tenancy-test-")
	if err != nil {
		return nil, err
	}
	var controllerManager *exec.Cmd
	var c *cluster
	// TestMain calls this whether or not the start below went all the way.
	stopTenancy = func() {
		if controllerManager != nil {
			_ = controllerManager.Process.Kill()
			_ = controllerManager.Wait()
		}
		if c != nil {
			_ = c.cp.Stop()
		}
		_ = os.RemoveAll(dir)
	}
	c, err = startControlPlane(testenv.Options{RepoRoot: repoRoot, Dir: dir, WithoutCRDs: true})
	if err != nil {
		return nil, err
	}
	if stdout, stderr, err := c.kubectl(t, render(t, "config/default"), "apply", "--server-side", "-f", "-"); err != nil {
		return nil, fmt.Errorf("applying config/default: %w\n%s%s", err, stdout, stderr)
	}
	if stdout, stderr, err := c.kubectl(t, nil, "wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"); err != nil {
		return nil, fmt.Errorf("waiting for the CRDs: %w\n%s%s", err, stdout, stderr)
	}
	logPath := filepath.Join(dir, "kube-controller-manager.log")
	logs, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	controllerManager = exec.Command(kcm, "--kubeconfig="+c.kubeconfig,
		"--controllers=clusterrole-aggregation-controller,resourcequota-controller",
		"--leader-elect=false", "--secure-port=0", "--authentication-skip-lookup")
	controllerManager.Stdout, controllerManager.Stderr = logs, logs
	if err := controllerManager.Start(); err != nil {
		controllerManager = nil
		return nil, err
	}
	return c, nil
}

// TestNamespaceRolesForPeople proves, by impersonating people bound to
// Kubernetes' built-in roles in one namespace, what the shipped ClusterRoles
// let them do: editors manage ZoomUsers but never their status (where the
// manager's records live), ZoomAccounts need the explicitly bound account
// editor role, ClusterZoomAccounts and other namespaces stay closed, and
// viewers only read.
func TestNamespaceRolesForPeople(t *testing.T) {
	c := needTenancyCluster(t)
	ctx := t.Context()
	ns := c.newNamespace(t, "team-a-")
	other := c.newNamespace(t, "team-b-")
	editorName, viewerName := "editor@"+ns, "viewer@"+ns
	c.bindClusterRole(t, ns, "edit", editorName)
	c.bindClusterRole(t, ns, "view", viewerName)
	// Aggregation runs in kube-controller-manager, a moment after the
	// shipped roles were applied; until then `edit` grants nothing here.
	c.waitAllowed(t, editorName, ns, "create", "zoomusers")
	c.waitAllowed(t, viewerName, ns, "list", "zoomusers")
	editor, viewer := c.as(t, editorName), c.as(t, viewerName)

	t.Run("edit creates, patches and deletes ZoomUsers", func(t *testing.T) {
		u := zoomUser(ns, "ada")
		if err := editor.Create(ctx, u); err != nil {
			t.Fatalf("create: %v", err)
		}
		if err := editor.Patch(ctx, u, client.RawPatch(client.Merge.Type(), []byte(`{"metadata":{"labels":{"team":"a"}}}`))); err != nil {
			t.Errorf("patch: %v", err)
		}
		if err := editor.Delete(ctx, u); err != nil {
			t.Errorf("delete: %v", err)
		}
	})

	t.Run("edit cannot write ZoomUser status", func(t *testing.T) {
		u := zoomUser(ns, "grace")
		if err := editor.Create(ctx, u); err != nil {
			t.Fatalf("create: %v", err)
		}
		forged := client.RawPatch(client.Merge.Type(), []byte(`{"status":{"id":"forged-id","adopted":false}}`))
		wantDenied(t, editor.Status().Patch(ctx, u.DeepCopy(), forged), "patch", "zoomusers/status")
		u.Status.ID = "forged-id"
		wantDenied(t, editor.Status().Update(ctx, u.DeepCopy()), "update", "zoomusers/status")
		// The same patch is a valid request: the manager's kind of user
		// (here the admin) may send it.
		if err := c.client.Status().Patch(ctx, u.DeepCopy(), forged); err != nil {
			t.Errorf("the admin's status patch: %v", err)
		}
	})

	t.Run("edit cannot write ZoomAccounts until the account editor role is bound", func(t *testing.T) {
		wantDenied(t, editor.Create(ctx, zoomAccount(ns, "mine")), "create", "zoomaccounts")
		existing := zoomAccount(ns, "platform")
		c.create(t, existing)
		existing.Spec.AdoptExistingUsers = true
		wantDenied(t, editor.Update(ctx, existing.DeepCopy()), "update", "zoomaccounts")

		c.bindClusterRole(t, ns, accountEditorRole, editorName)
		c.waitAllowed(t, editorName, ns, "create", "zoomaccounts")
		if err := editor.Create(ctx, zoomAccount(ns, "mine")); err != nil {
			t.Errorf("create with the account editor role: %v", err)
		}
		if err := editor.Update(ctx, existing.DeepCopy()); err != nil {
			t.Errorf("update with the account editor role: %v", err)
		}
		wantDenied(t, editor.Status().Patch(ctx, existing.DeepCopy(), client.RawPatch(client.Merge.Type(), []byte(`{"status":{"observedGeneration":9}}`))), "patch", "zoomaccounts/status")
		wantDenied(t, editor.Create(ctx, clusterZoomAccount("with-account-role-"+ns)), "create", "clusterzoomaccounts")
	})

	t.Run("edit cannot write ClusterZoomAccounts", func(t *testing.T) {
		wantDenied(t, editor.Create(ctx, clusterZoomAccount("steal-"+ns)), "create", "clusterzoomaccounts")
		platform := clusterZoomAccount("platform-" + ns)
		c.create(t, platform)
		wantDenied(t, editor.Patch(ctx, platform, client.RawPatch(client.Merge.Type(), []byte(`{"spec":{"adoptExistingUsers":true}}`))), "patch", "clusterzoomaccounts")
	})

	t.Run("edit cannot touch another namespace", func(t *testing.T) {
		c.create(t, zoomUser(other, "theirs"))
		wantDenied(t, editor.Create(ctx, zoomUser(other, "ada")), "create", "zoomusers")
		wantDenied(t, editor.Get(ctx, client.ObjectKey{Namespace: other, Name: "theirs"}, &zoomv1.ZoomUser{}), "get", "zoomusers")
		wantDenied(t, editor.List(ctx, &zoomv1.ZoomUserList{}, client.InNamespace(other)), "list", "zoomusers")
		wantDenied(t, editor.Delete(ctx, zoomUser(other, "theirs")), "delete", "zoomusers")
		wantDenied(t, editor.Create(ctx, zoomAccount(other, "mine")), "create", "zoomaccounts")
	})

	t.Run("view reads but does not write", func(t *testing.T) {
		viewed := zoomUser(ns, "viewed")
		c.create(t, viewed)
		if err := c.client.Status().Patch(ctx, viewed, client.RawPatch(client.Merge.Type(), []byte(`{"status":{"id":"zoom-id-1"}}`))); err != nil {
			t.Fatalf("the admin's status patch: %v", err)
		}
		var got zoomv1.ZoomUser
		if err := viewer.Get(ctx, client.ObjectKeyFromObject(viewed), &got); err != nil {
			t.Errorf("get a ZoomUser: %v", err)
		} else if got.Status.ID != "zoom-id-1" {
			t.Errorf("status.id read by the viewer = %q, want zoom-id-1", got.Status.ID)
		}
		if err := viewer.List(ctx, &zoomv1.ZoomUserList{}, client.InNamespace(ns)); err != nil {
			t.Errorf("list ZoomUsers: %v", err)
		}
		if err := viewer.List(ctx, &zoomv1.ZoomAccountList{}, client.InNamespace(ns)); err != nil {
			t.Errorf("list ZoomAccounts: %v", err)
		}
		wantDenied(t, viewer.Create(ctx, zoomUser(ns, "ada")), "create", "zoomusers")
		wantDenied(t, viewer.Patch(ctx, &got, client.RawPatch(client.Merge.Type(), []byte(`{"spec":{"firstName":"Eve"}}`))), "patch", "zoomusers")
		wantDenied(t, viewer.Delete(ctx, &got), "delete", "zoomusers")
		wantDenied(t, viewer.Status().Patch(ctx, &got, client.RawPatch(client.Merge.Type(), []byte(`{"status":{"id":"x"}}`))), "patch", "zoomusers/status")
		wantDenied(t, viewer.Create(ctx, zoomAccount(ns, "viewers")), "create", "zoomaccounts")
	})
}

// TestResourceQuotaCapsZoomUsersPerNamespace applies ZoomUsers with kubectl
// as a namespace editor under a ResourceQuota of two: the third is refused
// at apply time with the quota's message, the editor cannot raise the
// quota, and deleting a user makes room again (the resourcequota controller
// recounts).
func TestResourceQuotaCapsZoomUsersPerNamespace(t *testing.T) {
	c := needTenancyCluster(t)
	ctx := t.Context()
	ns := c.newNamespace(t, "quota-")
	editorName := "editor@" + ns
	c.bindClusterRole(t, ns, "edit", editorName)
	c.waitAllowed(t, editorName, ns, "create", "zoomusers")

	quota := &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "zoom-users", Namespace: ns},
		Spec:       corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{zoomUserQuota: resource.MustParse("2")}},
	}
	c.create(t, quota)
	// Quota admission refuses every ZoomUser create ("status unknown for
	// quota") until the resourcequota controller has filled status.hard.
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, waitTimeout, true, func(ctx context.Context) (bool, error) {
		if err := c.client.Get(ctx, client.ObjectKeyFromObject(quota), quota); err != nil {
			return false, err
		}
		_, ok := quota.Status.Hard[zoomUserQuota]
		return ok, nil
	})
	if err != nil {
		t.Fatalf("the resourcequota controller never filled status.hard of the quota: %v (status %+v)", err, quota.Status)
	}

	apply := func(name string) (string, error) {
		manifest := fmt.Sprintf(`apiVersion: zoom.zoomoperator.dev/v1alpha1
kind: ZoomUser
metadata:
  name: %s
  namespace: %s
spec:
  email: %s@example.com
  action: ssoCreate
  firstName: Test
  lastName: User
`, name, ns, name)
		stdout, stderr, err := c.kubectl(t, []byte(manifest), "--as", editorName, "apply", "-f", "-")
		return stdout + stderr, err
	}
	for _, name := range []string{"first", "second"} {
		if out, err := apply(name); err != nil {
			t.Fatalf("applying ZoomUser %s under the quota: %v\n%s", name, err, out)
		}
	}
	out, err := apply("third")
	wantMessage := fmt.Sprintf(`exceeded quota: zoom-users, requested: %[1]s=1, used: %[1]s=2, limited: %[1]s=2`, zoomUserQuota)
	if err == nil || !strings.Contains(out, wantMessage) {
		t.Fatalf("applying a third ZoomUser: err = %v, output:\n%s\nwant a refusal containing %q", err, out, wantMessage)
	}
	if err := c.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "third"}, &zoomv1.ZoomUser{}); !apierrors.IsNotFound(err) {
		t.Errorf("the refused ZoomUser: get = %v, want NotFound", err)
	}

	editor := c.as(t, editorName)
	raise := client.RawPatch(client.Merge.Type(), []byte(`{"spec":{"hard":{"`+string(zoomUserQuota)+`":"100"}}}`))
	wantDenied(t, editor.Patch(ctx, quota.DeepCopy(), raise), "patch", "resourcequotas")

	if err := editor.Delete(ctx, zoomUser(ns, "first")); err != nil {
		t.Fatalf("deleting a ZoomUser: %v", err)
	}
	// The controller recounts after the deletion; until then admission
	// still counts two.
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, waitTimeout, true, func(context.Context) (bool, error) {
		out, err = apply("third")
		return err == nil, nil
	})
	if err != nil {
		t.Errorf("a ZoomUser after one was deleted was still refused: %v\n%s", err, out)
	}
}

// newNamespace creates a namespace named prefix plus a random suffix.
func (c *cluster) newNamespace(t *testing.T, prefix string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix}}
	c.create(t, ns)
	return ns.Name
}

// bindClusterRole grants user the ClusterRole within namespace, as a
// namespace's owner is usually given `edit` or `admin`.
func (c *cluster) bindClusterRole(t *testing.T, namespace, clusterRole, user string) {
	t.Helper()
	c.create(t, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{GenerateName: clusterRole + "-", Namespace: namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	})
}

// waitAllowed waits until the authorizer lets user do verb on resource of
// the zoom group in namespace, and fails the test when it never does.
func (c *cluster) waitAllowed(t *testing.T, user, namespace, verb, resource string) {
	t.Helper()
	review := &authorizationv1.SubjectAccessReview{}
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, waitTimeout, true, func(ctx context.Context) (bool, error) {
		review = &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: user,
			ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: namespace, Verb: verb, Group: zoomGroup, Resource: resource,
			},
		}}
		if err := c.client.Create(ctx, review); err != nil {
			return false, err
		}
		return review.Status.Allowed, nil
	})
	if err != nil {
		t.Fatalf("%s may still not %s %s in %s (is the shipped role aggregated, or bound?): %v; last review: %+v",
			user, verb, resource, namespace, err, review.Status)
	}
}

// as returns a client that impersonates user.
func (c *cluster) as(t *testing.T, user string) client.Client {
	t.Helper()
	cfg := rest.CopyConfig(c.cp.AdminConfig)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	cl, err := client.New(cfg, client.Options{Scheme: c.client.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// wantDenied fails the test unless err is RBAC's refusal of verb on
// resource, so that a refusal for any other reason (validation, a missing
// object, quota) does not pass for one.
func wantDenied(t *testing.T, err error, verb, resource string) {
	t.Helper()
	want := fmt.Sprintf("cannot %s resource %q", verb, resource)
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want Forbidden: %s", err, want)
	}
}

func zoomUser(namespace, name string) *zoomv1.ZoomUser {
	return &zoomv1.ZoomUser{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec:       zoomv1.ZoomUserSpec{Email: name + "@example.com", Action: zoomv1.ActionSSOCreate, FirstName: "Test", LastName: "User"},
	}
}

func zoomAccount(namespace, name string) *zoomv1.ZoomAccount {
	return &zoomv1.ZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec:       zoomv1.ZoomAccountSpec{CredentialsSecretRef: zoomv1.LocalSecretReference{Name: "zoom-s2s"}},
	}
}

// clusterZoomAccount is one that takes the platform's credentials from the
// operator's namespace.
func clusterZoomAccount(name string) *zoomv1.ClusterZoomAccount {
	return &zoomv1.ClusterZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: zoomv1.ClusterZoomAccountSpec{
			CredentialsSecretRef: zoomv1.SecretReference{Name: "zoom-s2s", Namespace: operatorNamespace},
		},
	}
}
