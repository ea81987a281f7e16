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

package shard

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
)

// Membership keeps one replica's Lease renewed. It is a manager Runnable
// that every replica runs (no leader election): Start returns an error,
// stopping the manager, when the Lease could not be renewed for
// RenewDeadline, so that a replica cut off from the API server stops
// calling Zoom before its Lease lapses and its accounts move elsewhere.
type Membership struct {
	Client    client.Client // uncached: a renewal must reach the API server
	Namespace string
	ID        string
	// Duration is how long a Lease outlives its last renewal; RenewDeadline
	// (less than Duration) is how long renewals may fail before the replica
	// gives up; renewals come every Duration/3.
	Duration      time.Duration
	RenewDeadline time.Duration

	renewed atomic.Int64 // UnixNano of the last renewal
}

// Fresh tells whether the Lease was renewed within RenewDeadline. A replica
// acts for no account otherwise: it stops at once when cut off, however
// long the manager then takes to shut down, and starts only once it is a
// member.
func (m *Membership) Fresh() bool {
	last := m.renewed.Load()
	return last != 0 && time.Since(time.Unix(0, last)) < m.RenewDeadline
}

// NeedLeaderElection is false: every replica is a member.
func (m *Membership) NeedLeaderElection() bool { return false }

// Start renews the Lease until ctx ends. It does not release the Lease
// then: the manager's workers may still be finishing a reconcile, and a
// release would hand their objects on at once. The accounts move when the
// Lease lapses, after the workers stopped.
func (m *Membership) Start(ctx context.Context) error {
	log := logf.FromContext(ctx).WithValues("shard", m.ID)
	lastRenew := time.Now()
	tick := time.NewTicker(m.Duration / 3)
	defer tick.Stop()
	for {
		if err := m.renew(ctx); err != nil {
			if time.Since(lastRenew) > m.RenewDeadline {
				return fmt.Errorf("shard lease %s/%s not renewed for %v: %w", m.Namespace, LeaseName(m.ID), m.RenewDeadline, err)
			}
			log.Error(err, "renewing the shard lease")
		} else {
			lastRenew = time.Now()
			m.renewed.Store(lastRenew.UnixNano())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func (m *Membership) renew(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, m.RenewDeadline/2)
	defer cancel()
	var lease coordinationv1.Lease
	err := m.Client.Get(ctx, types.NamespacedName{Namespace: m.Namespace, Name: LeaseName(m.ID)}, &lease)
	if apierrors.IsNotFound(err) {
		lease = coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{
			Namespace: m.Namespace, Name: LeaseName(m.ID), Labels: map[string]string{LabelMember: "true"},
		}}
		m.hold(&lease)
		return m.Client.Create(ctx, &lease)
	}
	if err != nil {
		return err
	}
	m.hold(&lease)
	return m.Client.Update(ctx, &lease)
}

func (m *Membership) hold(lease *coordinationv1.Lease) {
	now := metav1.NewMicroTime(time.Now())
	seconds := int32(m.Duration / time.Second)
	if lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity != m.ID {
		lease.Spec.AcquireTime = &now
	}
	lease.Spec.HolderIdentity, lease.Spec.LeaseDurationSeconds, lease.Spec.RenewTime = &m.ID, &seconds, &now
}

// Ring reads the members from their Leases (through the manager's cache)
// and tells which one a key belongs to.
type Ring struct {
	Reader    client.Reader
	Namespace string
	Self      string
	Now       func() time.Time
}

// Owner is the live member key belongs to; "" when none is alive.
func (r *Ring) Owner(ctx context.Context, key string) (string, error) {
	members, _, err := r.Members(ctx)
	if err != nil {
		return "", err
	}
	return Owner(members, key), nil
}

// Members are the live members and when the first of them lapses.
func (r *Ring) Members(ctx context.Context) ([]string, time.Time, error) {
	var leases coordinationv1.LeaseList
	if err := r.Reader.List(ctx, &leases, client.InNamespace(r.Namespace), client.MatchingLabels{LabelMember: "true"}); err != nil {
		return nil, time.Time{}, err
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	members, next := Live(leases.Items, now())
	return members, next, nil
}

// Owns tells whether key belongs to this replica.
func (r *Ring) Owns(ctx context.Context, key string) (bool, error) {
	owner, err := r.Owner(ctx, key)
	return owner == r.Self, err
}
