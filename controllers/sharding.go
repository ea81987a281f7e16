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
	"errors"
	"fmt"
	"strings"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/shard"
)

// ShardOptions make the manager one of several replicas that split the
// Zoom accounts between them (see internal/shard). Nil runs one manager
// for everything.
type ShardOptions struct {
	// ID names this replica (the pod's name); unique among the replicas.
	ID string
	// Namespace holds the member Leases (the manager's own namespace).
	Namespace string
	// LeaseDuration is how long a replica's accounts stay with it after
	// its last renewal; RenewDeadline, how long renewals may fail before
	// the replica stops.
	LeaseDuration time.Duration
	RenewDeadline time.Duration
	// Namespaces limits the leader's view of all ZoomUsers and ZoomGroups,
	// as --watch-namespaces limits each replica's.
	Namespaces []string
}

func (o *ShardOptions) validate() error {
	var errs []error
	// The id is a label value on every object and part of a Lease's name;
	// a pod's name (the chart's choice) is both.
	if msgs := append(validation.IsValidLabelValue(o.ID), validation.IsDNS1123Subdomain(shard.LeaseName(o.ID))...); o.ID == "" || len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("--shard-id %q must be a valid label value and name a valid Lease: %s", o.ID, strings.Join(msgs, "; ")))
	}
	if o.Namespace == "" {
		errs = append(errs, errors.New("sharding needs the namespace of its Leases (--leader-election-namespace or POD_NAMESPACE)"))
	}
	if o.RenewDeadline <= 0 || o.LeaseDuration <= o.RenewDeadline {
		errs = append(errs, fmt.Errorf("--shard-lease-duration (%v) must exceed --shard-renew-deadline (%v), both positive", o.LeaseDuration, o.RenewDeadline))
	}
	return errors.Join(errs...)
}

// CacheByObject is what a replica caches of its own: the ZoomUsers and
// ZoomGroups labelled for it, and the member Leases of its namespace.
func (o *ShardOptions) CacheByObject() map[client.Object]cache.ByObject {
	mine := labels.SelectorFromSet(labels.Set{shard.LabelShard: o.ID})
	return map[client.Object]cache.ByObject{
		&zoomv1.ZoomUser{}:  {Label: mine},
		&zoomv1.ZoomGroup{}: {Label: mine},
		&coordinationv1.Lease{}: {
			Namespaces: map[string]cache.Config{o.Namespace: {}},
			Label:      labels.SelectorFromSet(labels.Set{shard.LabelMember: "true"}),
		},
	}
}

// elsewhereRetry is how soon an object whose account belongs to another
// replica looks again, should no drain event come first: only while two
// replicas' views of the Leases differ.
const elsewhereRetry = 5 * time.Second

// errElsewhere says that another replica holds the object's Zoom account:
// nothing is sent to Zoom and nothing is written.
var errElsewhere = errors.New("the Zoom account belongs to another replica")

// sharding is one replica's side of the split; a nil *sharding is one
// manager for everything, and every method then lets all through.
type sharding struct {
	ring   *shard.Ring
	member *shard.Membership
}

// check refuses the accounts this replica does not own. Labels only route
// objects to caches (a tenant can write them); this decides, from the
// authenticated identity and the Leases.
func (s *sharding) check(ctx context.Context, id accountpool.Identity) error {
	if s == nil {
		return nil
	}
	if !s.member.Fresh() {
		return errElsewhere // cut off: the accounts may be another's soon
	}
	owns, err := s.ring.Owns(ctx, shard.Key(id.APIURL, id.AccountID))
	if err != nil {
		return err
	}
	if !owns {
		return errElsewhere
	}
	return nil
}

// draining tells whether the leader asked this replica to let obj go.
func (s *sharding) draining(obj client.Object) bool {
	return s != nil && obj.GetLabels()[shard.LabelDrain] != ""
}

// release removes the shard and drain labels, but only while the shard
// label still names this replica. It runs as a reconcile, so that no other
// reconcile of obj is in flight: once it lands the leader may hand obj on.
func (s *sharding) release(ctx context.Context, c client.Client, obj client.Object) error {
	ops := []map[string]any{
		{"op": "test", "path": "/metadata/labels/" + jsonPointerEscape(shard.LabelShard), "value": s.ring.Self},
		{"op": "remove", "path": "/metadata/labels/" + jsonPointerEscape(shard.LabelShard)},
		{"op": "remove", "path": "/metadata/labels/" + jsonPointerEscape(shard.LabelDrain)},
	}
	body, err := json.Marshal(ops)
	if err != nil {
		return err
	}
	err = c.Patch(ctx, obj, client.RawPatch(types.JSONPatchType, body))
	if apierrors.IsInvalid(err) || apierrors.IsNotFound(err) {
		ctrl.LoggerFrom(ctx).V(1).Info("drained object is no longer this replica's", "error", err.Error())
		return nil // the labels moved on meanwhile
	}
	return err
}

func jsonPointerEscape(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// bound ends a reconcile's context when this replica must stop acting:
// the ownership check is made once per reconcile, and a reconcile must not
// go on calling Zoom after its replica's Lease could have lapsed.
func (s *sharding) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if s == nil {
		return ctx, func() {}
	}
	return context.WithDeadline(ctx, s.member.FreshUntil())
}

// needsLeader is the controllers' NeedLeaderElection: with shards every
// replica runs them, for its own accounts.
func (s *sharding) needsLeader() *bool {
	if s == nil {
		return nil
	}
	return new(false)
}

// drainAsked passes the update that adds the drain label.
var drainAsked = predicate.Funcs{
	CreateFunc: func(e event.CreateEvent) bool { return e.Object.GetLabels()[shard.LabelDrain] != "" },
	UpdateFunc: func(e event.UpdateEvent) bool {
		return e.ObjectOld.GetLabels()[shard.LabelDrain] == "" && e.ObjectNew.GetLabels()[shard.LabelDrain] != ""
	},
	DeleteFunc:  func(event.DeleteEvent) bool { return false },
	GenericFunc: func(event.GenericEvent) bool { return false },
}
