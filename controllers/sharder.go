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
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
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
// other request names a shard key.
var membersRequest = reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "leases"}}

// sharder runs on the leader only. It labels every ZoomUser and ZoomGroup
// with the replica that owns its Zoom account, and moves them when the
// members change: from a live replica only after it released them (drain),
// so that two replicas never reconcile one object at once; from a lapsed
// one at once. Passes of different accounts run in parallel, so one
// account's bulk does not hold up another's new users; a members pass may
// meet a pass of the same account, and then the version lock of each
// assignment (see patchLabels) lets only one of them move an object.
type sharder struct {
	writer  client.Client // label patches
	objects client.Reader // all ZoomUsers and ZoomGroups, slimmed (leader's own cache)
	ring    *shard.Ring
	keys    *shardKeys

	mu      sync.Mutex
	members []string // as last seen by a members pass
}

func (s *sharder) Reconcile(ctx context.Context, req reconcile.Request) (ctrl.Result, error) {
	members, next, err := s.ring.Members(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	keys := []string{req.Name}
	if req == membersRequest {
		keys = s.keysToMove(members)
	}
	var waiting bool
	for _, key := range keys {
		w, err := s.assign(ctx, key, members)
		if err != nil {
			return ctrl.Result{}, err
		}
		waiting = waiting || w
	}
	if req == membersRequest {
		s.settled(members) // only now: a failed pass is retried whole
	}
	return s.requeue(req, next, waiting), nil
}

// keysToMove returns every known shard key when the members differ from
// those of the last members pass that finished, none otherwise.
func (s *sharder) keysToMove(members []string) []string {
	slices.Sort(members)
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Equal(members, s.members) {
		return nil
	}
	return s.keys.all()
}

func (s *sharder) settled(members []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members = members
}

// requeue brings the members pass back when the first Lease would lapse,
// and a key back while it waits for drains (the release is a watch event
// too; this only covers a lost one).
func (s *sharder) requeue(req reconcile.Request, next time.Time, waiting bool) ctrl.Result {
	switch {
	case req == membersRequest && !next.IsZero():
		return ctrl.Result{RequeueAfter: time.Until(next) + 100*time.Millisecond}
	case req == membersRequest:
		return ctrl.Result{RequeueAfter: elsewhereRetry}
	case waiting:
		return ctrl.Result{RequeueAfter: elsewhereRetry}
	}
	return ctrl.Result{}
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
		if wins(a, b) {
			return -1
		}
		return 1
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
	target := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: obj.GetNamespace(), Name: obj.GetName()}}
	kind := "ZoomUser"
	if _, ok := obj.(*zoomv1.ZoomGroup); ok {
		kind = "ZoomGroup"
	}
	target.SetGroupVersionKind(zoomv1.GroupVersion.WithKind(kind))
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
}

// of returns the shard key of the account object ref names from namespace.
// An object that cannot say which Zoom account it is (missing, no Secret,
// no accountID) is its own key: its objects wait for it on some replica.
func (k *shardKeys) of(ctx context.Context, namespace string, ref zoomv1.AccountReference) (string, error) {
	account := accountKey(namespace, ref)
	settings, secret, version, err := k.describe(ctx, namespace, ref)
	if apierrors.IsNotFound(err) {
		return k.remember(account, "", "object:"+string(account)), nil
	}
	if err != nil {
		return "", err
	}
	k.mu.Lock()
	m, ok := k.memo[account]
	k.mu.Unlock()
	if ok && m.version == version {
		return m.key, nil
	}
	var s corev1.Secret
	if err := k.live.Get(ctx, secret, &s); err != nil && !apierrors.IsNotFound(err) {
		return "", err
	}
	key := "object:" + string(account)
	if id := string(s.Data[zoomv1.SecretKeyAccountID]); id != "" {
		key = shard.Key(settings.APIURL, id)
	}
	return k.remember(account, version, key), nil
}

func (k *shardKeys) describe(ctx context.Context, namespace string, ref zoomv1.AccountReference) (zoomv1.AccountSettings, types.NamespacedName, string, error) {
	var settings zoomv1.AccountSettings
	var secret types.NamespacedName
	var version string
	if ref.Kind == zoomv1.AccountKindNamespaced {
		var za zoomv1.ZoomAccount
		if err := k.reader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: ref.Name}, &za); err != nil {
			return settings, secret, "", err
		}
		settings, version = za.Spec.AccountSettings, za.ResourceVersion
		secret = types.NamespacedName{Namespace: namespace, Name: za.Spec.CredentialsSecretRef.Name}
	} else {
		var cza zoomv1.ClusterZoomAccount
		if err := k.reader.Get(ctx, types.NamespacedName{Name: ref.Name}, &cza); err != nil {
			return settings, secret, "", err
		}
		settings, version = cza.Spec.AccountSettings, cza.ResourceVersion
		secret = types.NamespacedName{Namespace: cza.Spec.CredentialsSecretRef.Namespace, Name: cza.Spec.CredentialsSecretRef.Name}
	}
	var meta metav1.PartialObjectMetadata
	meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	if err := k.reader.Get(ctx, secret, &meta); err == nil {
		version += "/" + meta.ResourceVersion
	}
	return settings, secret, version, nil
}

func (k *shardKeys) remember(account accountpool.Key, version, key string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.memo[account] = shardKeyMemo{version: version, key: key}
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

// all returns every shard key known.
func (k *shardKeys) all() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for _, m := range k.memo {
		if !slices.Contains(out, m.key) {
			out = append(out, m.key)
		}
	}
	return out
}

// keyOfAccountObject maps an account object to the request of its shard
// key, and of its previous one when that changed.
func (s *sharder) keyOfAccountObject(ctx context.Context, obj client.Object) []reconcile.Request {
	ref := zoomv1.AccountReference{Kind: zoomv1.AccountKindCluster, Name: obj.GetName()}
	if _, namespaced := obj.(*zoomv1.ZoomAccount); namespaced {
		ref.Kind = zoomv1.AccountKindNamespaced
	}
	s.keys.mu.Lock()
	before, had := s.keys.memo[accountKey(obj.GetNamespace(), ref)]
	s.keys.mu.Unlock()
	if !had {
		return nil // no object uses it yet
	}
	return s.requestsFor(ctx, obj.GetNamespace(), ref, before.key)
}

// keyOfObject maps a ZoomUser or ZoomGroup to its shard key's request.
func (s *sharder) keyOfObject(ctx context.Context, obj client.Object) []reconcile.Request {
	switch o := obj.(type) {
	case *zoomv1.ZoomUser:
		return s.requestsFor(ctx, o.Namespace, o.Spec.AccountRef, "")
	case *zoomv1.ZoomGroup:
		return s.requestsFor(ctx, o.Namespace, o.Spec.AccountRef, "")
	}
	return nil
}

func (s *sharder) requestsFor(ctx context.Context, namespace string, ref zoomv1.AccountReference, previous string) []reconcile.Request {
	key, err := s.keys.of(ctx, namespace, ref)
	if err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "reading an account's shard key")
		return []reconcile.Request{membersRequest} // a full pass retries it
	}
	reqs := []reconcile.Request{{NamespacedName: types.NamespacedName{Name: key}}}
	if previous != "" && previous != key {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Name: previous}})
	}
	return reqs
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
	ring := &shard.Ring{Reader: mgr.GetClient(), Namespace: o.Namespace, Self: o.ID}
	objects, err := sharderCache(mgr, o.Namespaces)
	if err != nil {
		return nil, err
	}
	s := &sharder{writer: mgr.GetClient(), objects: objects, ring: ring,
		keys: &shardKeys{reader: mgr.GetClient(), live: mgr.GetAPIReader(), memo: map[accountpool.Key]shardKeyMemo{}}}
	if err := s.setup(mgr, objects); err != nil {
		return nil, err
	}
	return &sharding{ring: ring, member: member, elected: mgr.Elected()}, nil
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
			reqs = append(reqs, s.keyOfAccountObject(ctx, acct)...)
		}
		return reqs
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("sharder").
		WatchesRawSource(source.Kind(objects, client.Object(&zoomv1.ZoomUser{}), handler.EnqueueRequestsFromMapFunc(s.keyOfObject), placementChanged)).
		WatchesRawSource(source.Kind(objects, client.Object(&zoomv1.ZoomGroup{}), handler.EnqueueRequestsFromMapFunc(s.keyOfObject), placementChanged)).
		Watches(&zoomv1.ZoomAccount{}, handler.EnqueueRequestsFromMapFunc(s.keyOfAccountObject)).
		Watches(&zoomv1.ClusterZoomAccount{}, handler.EnqueueRequestsFromMapFunc(s.keyOfAccountObject)).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(accountsOfSecret)).
		WatchesRawSource(source.Kind(mgr.GetCache(), &coordinationv1.Lease{}, handler.TypedEnqueueRequestsFromMapFunc(leaseRequest))).
		WithOptions(controller.Options{MaxConcurrentReconciles: 4}).
		Complete(s)
}
