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
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/shard"
)

// membersRequest is the sharder's request to look at the Leases; every
// other request names an account object (see accountRequest). The Lease
// namespace cannot be an account's kind, so the two never meet.
var membersRequest = reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "leases"}}

// accountRequest names an account object: its namespace (none for a
// ClusterZoomAccount) and its kind and name.
func accountRequest(namespace string, ref zoomv1.AccountReference) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: namespace, Name: string(ref.Kind) + "/" + ref.Name}}
}

func refOfRequest(req reconcile.Request) (string, zoomv1.AccountReference, bool) {
	kind, name, ok := strings.Cut(req.Name, "/")
	return req.Namespace, zoomv1.AccountReference{Kind: zoomv1.AccountKind(kind), Name: name}, ok
}

// sharder runs on the leader only. It labels every ZoomUser and ZoomGroup
// with the replica that owns its Zoom account, and moves them when the
// members change: from a live replica only after it released them (drain),
// so that two replicas never reconcile one object at once; from a lapsed
// one at once. A request is an account object: its pass places the objects
// of every account object that names the same Zoom account. Passes of
// different Zoom accounts run in parallel, so one account's bulk does not
// hold up another's new users; two passes of one Zoom account may meet, and
// then the version lock of each assignment (see patchLabels) lets only one
// of them move an object.
type sharder struct {
	writer  client.Client // label patches
	objects client.Reader // all ZoomUsers and ZoomGroups, slimmed (leader's own cache)
	ring    *shard.Ring
	keys    *shardKeys
	// queue is the controller's own, for the members pass to requeue
	// every account; set when the controller starts.
	queue workqueue.TypedRateLimitingInterface[reconcile.Request]

	mu      sync.Mutex
	members []string // as the last members pass saw them
}

func (s *sharder) Reconcile(ctx context.Context, req reconcile.Request) (ctrl.Result, error) {
	if req == membersRequest {
		return s.membersPass(ctx)
	}
	namespace, ref, ok := refOfRequest(req)
	if !ok {
		return ctrl.Result{}, nil
	}
	key, err := s.keys.of(ctx, namespace, ref)
	if err != nil {
		return ctrl.Result{}, err
	}
	// Read now, not when the request was queued: a pass must never treat
	// a replica that joined meanwhile as lapsed.
	members, _, err := s.ring.Members(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	waiting, err := s.assign(ctx, key, members)
	switch {
	case apierrors.IsConflict(err):
		// Decided from a copy that changed meanwhile: decide again soon,
		// without the error backoff, which can grow to minutes.
		return ctrl.Result{RequeueAfter: time.Second}, nil
	case err != nil:
		return ctrl.Result{}, err
	case waiting:
		return ctrl.Result{RequeueAfter: drainRecheck}, nil
	}
	return ctrl.Result{}, nil
}

// departedAfter is how long a member Lease must have gone unrenewed before
// the leader deletes it: far beyond any pause a replica survives (it stops
// after its renew deadline), so only replicas gone for good go.
const departedAfter = 10 * time.Minute

// deleteDeparted deletes the Leases of replicas gone for good, each only
// as last seen, so that a renewal meanwhile keeps it.
func (s *sharder) deleteDeparted(ctx context.Context) {
	departed, err := s.ring.Departed(ctx, departedAfter)
	if err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "listing departed shard Leases")
		return
	}
	for i := range departed {
		l := &departed[i]
		err := s.writer.Delete(ctx, l, client.Preconditions{UID: &l.UID, ResourceVersion: &l.ResourceVersion})
		if client.IgnoreNotFound(err) != nil && !apierrors.IsConflict(err) {
			ctrl.LoggerFrom(ctx).Error(err, "deleting a departed shard Lease", "lease", l.Name)
		}
	}
}

// drainRecheck is how soon a pass waiting for drains looks again should
// no release event come first.
const drainRecheck = 5 * time.Second

// membersPass requeues every known account when the members changed, and
// comes back when the first Lease would lapse. Each account's own pass
// then reads the members afresh, and one failing account holds up no other.
func (s *sharder) membersPass(ctx context.Context) (ctrl.Result, error) {
	members, next, err := s.ring.Members(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	slices.Sort(members)
	s.mu.Lock()
	changed := !slices.Equal(members, s.members)
	s.members = members
	s.mu.Unlock()
	if changed && s.queue != nil {
		for _, req := range s.keys.requests() {
			s.queue.Add(req)
		}
	}
	s.deleteDeparted(ctx)
	if next.IsZero() {
		return ctrl.Result{RequeueAfter: drainRecheck}, nil
	}
	return ctrl.Result{RequeueAfter: time.Until(next) + 100*time.Millisecond}, nil
}

// placed is one object's placement as the sharder sees it.
type placed struct {
	obj      client.Object
	current  string
	draining bool
}

// assign places every object of shard key on its owner. Objects move in
// the order claimants of one email win (bound first, then oldest), ZoomUsers
// before ZoomGroups, and only once no live replica still holds any of them:
// the new owner's cache then receives each winner before its losers.
func (s *sharder) assign(ctx context.Context, key string, members []string) (waiting bool, err error) {
	owner := shard.Owner(members, key)
	if owner == "" {
		return true, nil
	}
	objs, err := s.objectsOf(ctx, key)
	if err != nil {
		return false, err
	}
	live := map[string]bool{}
	for _, m := range members {
		live[m] = true
	}
	for _, p := range objs {
		if p.current != owner && live[p.current] {
			waiting = true
			if !p.draining {
				if err := s.patchLabels(ctx, p.obj, map[string]any{shard.LabelDrain: "true"}, false); err != nil {
					return false, err
				}
			}
		}
	}
	if waiting {
		return true, nil
	}
	for _, p := range objs {
		if p.current == owner && !p.draining {
			continue
		}
		if err := s.patchLabels(ctx, p.obj, map[string]any{shard.LabelShard: owner, shard.LabelDrain: nil}, true); err != nil {
			return false, err
		}
	}
	return false, nil
}

// objectsOf lists the ZoomUsers (in winning order) and then the ZoomGroups
// of every account object whose shard key is key.
func (s *sharder) objectsOf(ctx context.Context, key string) ([]placed, error) {
	var users []*zoomv1.ZoomUser
	var groups []*zoomv1.ZoomGroup
	for _, account := range s.keys.accountsOf(key) {
		field := client.MatchingFields{accountRefIndex: string(account)}
		var ul zoomv1.ZoomUserList
		if err := s.objects.List(ctx, &ul, field, client.UnsafeDisableDeepCopy); err != nil {
			return nil, err
		}
		for i := range ul.Items {
			users = append(users, &ul.Items[i])
		}
		var gl zoomv1.ZoomGroupList
		if err := s.objects.List(ctx, &gl, field, client.UnsafeDisableDeepCopy); err != nil {
			return nil, err
		}
		for i := range gl.Items {
			groups = append(groups, &gl.Items[i])
		}
	}
	slices.SortFunc(users, func(a, b *zoomv1.ZoomUser) int {
		switch {
		case wins(a, b):
			return -1
		case wins(b, a):
			return 1
		}
		return 0
	})
	out := make([]placed, 0, len(users)+len(groups))
	for _, u := range users {
		out = append(out, placement(u))
	}
	for _, g := range groups {
		out = append(out, placement(g))
	}
	return out, nil
}

func placement(obj client.Object) placed {
	l := obj.GetLabels()
	return placed{obj: obj, current: l[shard.LabelShard], draining: l[shard.LabelDrain] != ""}
}

// patchLabels merge-patches labels of obj (nil removes one) through a
// metadata-only object, so the leader's slim copy is never written to.
// locked makes the patch hold only on the version the decision was made
// from: an assignment read from a cache that lags (the object meanwhile
// given to a replica that now works on it) fails with a conflict and is
// decided again, instead of moving the object without a drain.
func (s *sharder) patchLabels(ctx context.Context, obj client.Object, labels map[string]any, locked bool) error {
	meta := map[string]any{"labels": labels}
	if locked {
		meta["resourceVersion"] = obj.GetResourceVersion()
	}
	body, err := json.Marshal(map[string]any{"metadata": meta})
	if err != nil {
		return err
	}
	gvk, err := apiutil.GVKForObject(obj, s.writer.Scheme())
	if err != nil {
		return err
	}
	target := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: obj.GetNamespace(), Name: obj.GetName()}}
	target.SetGroupVersionKind(gvk)
	err = s.writer.Patch(ctx, target, client.RawPatch(types.MergePatchType, body))
	return client.IgnoreNotFound(err)
}

// shardKeys remembers each account object's shard key, read from its
// settings and its Secret's accountID, so that the Secret is read again
// only when it or the account object changed.
type shardKeys struct {
	reader client.Reader // cached: account objects, Secret metadata
	live   client.Reader // uncached: Secret data

	mu   sync.Mutex
	memo map[accountpool.Key]shardKeyMemo
}

type shardKeyMemo struct {
	version string // account and Secret resourceVersions
	key     string
	request reconcile.Request
}

// of returns the shard key of the account object ref names from namespace.
// An object that never said which Zoom account it is (missing, no Secret,
// no accountID) is its own key: its objects wait for it on some replica. An
// account object that goes away keeps the key it had: the replica that
// served it still holds its client, with which the deletions of its users
// finish (see resolveForDeletion).
func (k *shardKeys) of(ctx context.Context, namespace string, ref zoomv1.AccountReference) (string, error) {
	account := accountKey(namespace, ref)
	k.mu.Lock()
	m, known := k.memo[account]
	k.mu.Unlock()
	obj, err := describeAccount(ctx, k.reader, namespace, ref)
	if apierrors.IsNotFound(err) {
		if known {
			return m.key, nil
		}
		return k.remember(account, namespace, ref, "", "object:"+string(account)), nil
	}
	if err != nil {
		return "", err
	}
	version := obj.version + "/" + secretVersion(ctx, k.reader, obj.secret)
	if known && m.version == version {
		return m.key, nil
	}
	var secret corev1.Secret
	if err := k.live.Get(ctx, obj.secret, &secret); err != nil && !apierrors.IsNotFound(err) {
		return "", err
	}
	key := "object:" + string(account)
	if id := string(secret.Data[zoomv1.SecretKeyAccountID]); id != "" {
		key = shard.Key(obj.settings.APIURL, id)
	}
	return k.remember(account, namespace, ref, version, key), nil
}

func (k *shardKeys) remember(account accountpool.Key, namespace string, ref zoomv1.AccountReference, version, key string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.memo[account] = shardKeyMemo{version: version, key: key, request: accountRequest(namespace, ref)}
	return key
}

// accountsOf returns the account objects whose shard key is key.
func (k *shardKeys) accountsOf(key string) []accountpool.Key {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []accountpool.Key
	for account, m := range k.memo {
		if m.key == key {
			out = append(out, account)
		}
	}
	return out
}

// requests returns the request of every account object known.
func (k *shardKeys) requests() []reconcile.Request {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]reconcile.Request, 0, len(k.memo))
	for _, m := range k.memo {
		out = append(out, m.request)
	}
	return out
}

// accountOfObject maps a ZoomUser or ZoomGroup to its account's request.
func accountOfObject(_ context.Context, obj client.Object) []reconcile.Request {
	switch o := obj.(type) {
	case *zoomv1.ZoomUser:
		return []reconcile.Request{accountRequest(o.Namespace, o.Spec.AccountRef)}
	case *zoomv1.ZoomGroup:
		return []reconcile.Request{accountRequest(o.Namespace, o.Spec.AccountRef)}
	}
	return nil
}

// accountOfAccountObject maps an account object to its own request.
func accountOfAccountObject(_ context.Context, obj client.Object) []reconcile.Request {
	ref := zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: obj.GetName()}
	if _, namespaced := obj.(*zoomv1.ZoomAccount); namespaced {
		ref.Kind = zoomv1.AccountKindNamespaced
	}
	return []reconcile.Request{accountRequest(obj.GetNamespace(), ref)}
}

// leaseRequest maps any member Lease event to the members pass.
func leaseRequest(context.Context, *coordinationv1.Lease) []reconcile.Request {
	return []reconcile.Request{membersRequest}
}

// slimUser keeps what placing a ZoomUser needs: its name, its account, the
// shard labels and what decides which claimant of an email wins. The
// leader holds every ZoomUser so, at a fraction of the full object's size.
func slimUser(obj any) (any, error) {
	zu, ok := obj.(*zoomv1.ZoomUser)
	if !ok {
		return obj, nil
	}
	slim := &zoomv1.ZoomUser{ObjectMeta: slimMeta(zu.ObjectMeta)}
	slim.Spec.AccountRef, slim.Status.ID = zu.Spec.AccountRef, zu.Status.ID
	return slim, nil
}

func slimGroup(obj any) (any, error) {
	zg, ok := obj.(*zoomv1.ZoomGroup)
	if !ok {
		return obj, nil
	}
	slim := &zoomv1.ZoomGroup{ObjectMeta: slimMeta(zg.ObjectMeta)}
	slim.Spec.AccountRef = zg.Spec.AccountRef
	return slim, nil
}

func slimMeta(m metav1.ObjectMeta) metav1.ObjectMeta {
	out := metav1.ObjectMeta{Namespace: m.Namespace, Name: m.Name, UID: m.UID, ResourceVersion: m.ResourceVersion,
		CreationTimestamp: m.CreationTimestamp}
	for _, l := range []string{shard.LabelShard, shard.LabelDrain} {
		if v, ok := m.Labels[l]; ok {
			if out.Labels == nil {
				out.Labels = map[string]string{}
			}
			out.Labels[l] = v
		}
	}
	return out
}

// placementChanged passes new objects and changes of the shard labels.
var placementChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		a, b := e.ObjectOld.GetLabels(), e.ObjectNew.GetLabels()
		return a[shard.LabelShard] != b[shard.LabelShard] || a[shard.LabelDrain] != b[shard.LabelDrain]
	},
	DeleteFunc: func(event.DeleteEvent) bool { return false },
}

// leaderOnly runs a cache on the leader alone: only the sharder reads it.
type leaderOnly struct{ cache.Cache }

func (leaderOnly) NeedLeaderElection() bool { return true }

// setupSharding makes this manager one replica of several (nil options: the
// only one). Every replica renews its member Lease; the leader also runs
// the sharder, over a slim cache of all ZoomUsers and ZoomGroups.
func setupSharding(mgr ctrl.Manager, o *ShardOptions) (*sharding, error) {
	if o == nil {
		return nil, nil
	}
	direct, err := client.New(mgr.GetConfig(), client.Options{Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper()})
	if err != nil {
		return nil, err
	}
	member := &shard.Membership{Client: direct, Namespace: o.Namespace, ID: o.ID,
		Duration: o.LeaseDuration, RenewDeadline: o.RenewDeadline}
	if err := mgr.Add(member); err != nil {
		return nil, err
	}
	ring := &shard.Ring{Reader: mgr.GetClient(), Namespace: o.Namespace, Self: o.ID, SelfFresh: o.RenewDeadline}
	objects, err := sharderCache(mgr, o.Namespaces)
	if err != nil {
		return nil, err
	}
	s := &sharder{writer: mgr.GetClient(), objects: objects, ring: ring,
		keys: &shardKeys{reader: mgr.GetClient(), live: mgr.GetAPIReader(), memo: map[accountpool.Key]shardKeyMemo{}}}
	if err := s.setup(mgr, objects); err != nil {
		return nil, err
	}
	return &sharding{ring: ring, member: member}, nil
}

func sharderCache(mgr ctrl.Manager, namespaces []string) (cache.Cache, error) {
	opts := cache.Options{Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper(), ByObject: map[client.Object]cache.ByObject{
		&zoomv1.ZoomUser{}:  {Transform: slimUser},
		&zoomv1.ZoomGroup{}: {Transform: slimGroup},
	}}
	if len(namespaces) > 0 {
		opts.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range namespaces {
			opts.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	objects, err := cache.New(mgr.GetConfig(), opts)
	if err != nil {
		return nil, err
	}
	if err := indexAccountRefs(context.Background(), objects); err != nil {
		return nil, err
	}
	return objects, mgr.Add(leaderOnly{objects})
}

func (s *sharder) setup(mgr ctrl.Manager, objects cache.Cache) error {
	m := &mapper{reader: mgr.GetClient()}
	accountsOfSecret := func(ctx context.Context, secret client.Object) []reconcile.Request {
		var reqs []reconcile.Request
		for _, acct := range m.accountsOfSecret(ctx, secret) {
			reqs = append(reqs, accountOfAccountObject(ctx, acct)...)
		}
		return reqs
	}
	keepQueue := source.Func(func(_ context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
		s.queue = q
		return nil
	})
	return ctrl.NewControllerManagedBy(mgr).
		Named("sharder").
		WatchesRawSource(keepQueue).
		WatchesRawSource(source.Kind(objects, client.Object(&zoomv1.ZoomUser{}), handler.EnqueueRequestsFromMapFunc(accountOfObject), placementChanged)).
		WatchesRawSource(source.Kind(objects, client.Object(&zoomv1.ZoomGroup{}), handler.EnqueueRequestsFromMapFunc(accountOfObject), placementChanged)).
		Watches(&zoomv1.ZoomAccount{}, handler.EnqueueRequestsFromMapFunc(accountOfAccountObject)).
		Watches(&zoomv1.ClusterZoomAccount{}, handler.EnqueueRequestsFromMapFunc(accountOfAccountObject)).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(accountsOfSecret)).
		WatchesRawSource(source.Kind(mgr.GetCache(), &coordinationv1.Lease{}, handler.TypedEnqueueRequestsFromMapFunc(leaseRequest))).
		WithOptions(controller.Options{MaxConcurrentReconciles: 4}).
		Complete(s)
}
