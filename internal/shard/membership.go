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
	"sync"
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
// stopping the manager, once RenewDeadline passed without a renewal, so
// that a replica cut off from the API server stops before its Lease lapses
// and its accounts move elsewhere; until then Fresh already tells it to
// act for no account.
type Membership struct {
	Client    client.Client // uncached: a renewal must reach the API server
	Namespace string
	ID        string
	// Duration is how long a Lease outlives its last renewal; RenewDeadline
	// (less than Duration) is how long renewals may fail before the replica
	// gives up; renewals come every Duration/3.
	Duration      time.Duration
	RenewDeadline time.Duration

	renewed atomic.Int64 // UnixNano of the RenewTime last written
}

// FreshUntil is when the replica must stop acting for any account: its
// last renewal, as written into the Lease, plus RenewDeadline. Zero before
// the first renewal.
func (m *Membership) FreshUntil() time.Time {
	last := m.renewed.Load()
	if last == 0 {
		return time.Time{}
	}
	return time.Unix(0, last).Add(m.RenewDeadline)
}

// Fresh tells whether the replica may act for its accounts now.
func (m *Membership) Fresh() bool { return time.Now().Before(m.FreshUntil()) }

// NeedLeaderElection is false: every replica is a member.
func (m *Membership) NeedLeaderElection() bool { return false }

// Start renews the Lease until ctx ends. It gives up, whatever the next
// renewal would say, as soon as RenewDeadline passed since the last one: a
// replica that was paused (stopped, frozen, starved) may already have been
// replaced, and must not come back with what its caches held. It does not
// release the Lease when ctx ends: the manager's workers may still finish a
// reconcile, and a release would hand their objects on at once.
func (m *Membership) Start(ctx context.Context) error {
	log := logf.FromContext(ctx).WithValues("shard", m.ID)
	lastRenew := time.Now()
	tick := time.NewTicker(m.Duration / 3)
	defer tick.Stop()
	for {
		if since := time.Since(lastRenew); since > m.RenewDeadline {
			return fmt.Errorf("shard lease %s/%s not renewed for %v (deadline %v)", m.Namespace, LeaseName(m.ID), since.Round(time.Millisecond), m.RenewDeadline)
		}
		if written, err := m.renew(ctx); err != nil {
			log.Error(err, "renewing the shard lease")
		} else {
			lastRenew = written
			m.renewed.Store(written.UnixNano())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// renew writes the Lease and returns the RenewTime it wrote: freshness
// counts from there, not from when the answer came.
func (m *Membership) renew(ctx context.Context) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, m.RenewDeadline/2)
	defer cancel()
	var lease coordinationv1.Lease
	err := m.Client.Get(ctx, types.NamespacedName{Namespace: m.Namespace, Name: LeaseName(m.ID)}, &lease)
	if apierrors.IsNotFound(err) {
		lease = coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{
			Namespace: m.Namespace, Name: LeaseName(m.ID), Labels: map[string]string{LabelMember: "true"},
		}}
		written := m.hold(&lease)
		return written, m.Client.Create(ctx, &lease)
	}
	if err != nil {
		return time.Time{}, err
	}
	written := m.hold(&lease)
	return written, m.Client.Update(ctx, &lease)
}

func (m *Membership) hold(lease *coordinationv1.Lease) time.Time {
	now := metav1.NewMicroTime(time.Now())
	seconds := int32(m.Duration / time.Second)
	if lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity != m.ID {
		lease.Spec.AcquireTime = &now
	}
	lease.Spec.HolderIdentity, lease.Spec.LeaseDurationSeconds, lease.Spec.RenewTime = &m.ID, &seconds, &now
	return now.Time
}

// ListMembers lists the member Leases of namespace.
func ListMembers(ctx context.Context, reader client.Reader, namespace string) ([]coordinationv1.Lease, error) {
	var leases coordinationv1.LeaseList
	err := reader.List(ctx, &leases, client.InNamespace(namespace), client.MatchingLabels{LabelMember: "true"})
	return leases.Items, err
}

// Ring reads the members from their Leases (through the manager's cache)
// and tells which one a key belongs to. A Lease counts as alive for its
// duration after this process saw its RenewTime change, by this process's
// clock, as client-go's leader election does: clocks of other nodes never
// enter, and a Lease first seen counts as alive for a whole duration, so
// an error keeps an account where it is rather than moving it early.
type Ring struct {
	Reader    client.Reader
	Namespace string
	Self      string
	// SelfFresh bounds how long ago this process must have seen its own
	// Lease renewed for its view of the others to count (Owns): a stale
	// cache would show them lapsed and their accounts as its own.
	SelfFresh time.Duration
	Now       func() time.Time

	mu   sync.Mutex
	seen map[string]sighting // by Lease name
}

// sighting is when a Lease's RenewTime was first seen with its value.
type sighting struct {
	renewed metav1.MicroTime
	at      time.Time
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
	leases, err := ListMembers(ctx, r.Reader, r.Namespace)
	if err != nil {
		return nil, time.Time{}, err
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	members, next := alive(leases, now, func(l *coordinationv1.Lease) time.Time { return r.sight(l, now) })
	return members, next, nil
}

// Departed returns the member Leases not seen renewed for longer than
// after: replicas gone for good (a Deployment's pods get new names, so
// each rollout leaves one behind), for the leader to delete.
func (r *Ring) Departed(ctx context.Context, after time.Duration) ([]coordinationv1.Lease, error) {
	leases, err := ListMembers(ctx, r.Reader, r.Namespace)
	if err != nil {
		return nil, err
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []coordinationv1.Lease
	for _, l := range leases {
		if l.Spec.RenewTime != nil && now.Sub(r.sight(&l, now)) > after {
			out = append(out, l)
		}
	}
	return out, nil
}

// sight records lease's RenewTime and returns when it was first seen.
func (r *Ring) sight(lease *coordinationv1.Lease, now time.Time) time.Time {
	if r.seen == nil {
		r.seen = map[string]sighting{}
	}
	s, ok := r.seen[lease.Name]
	if !ok || !s.renewed.Equal(lease.Spec.RenewTime) {
		s = sighting{renewed: *lease.Spec.RenewTime, at: now}
		r.seen[lease.Name] = s
	}
	return s.at
}

// Owns tells whether key belongs to this replica, and only while this
// process saw its own Lease renewed within SelfFresh.
func (r *Ring) Owns(ctx context.Context, key string) (bool, error) {
	owner, err := r.Owner(ctx, key)
	if err != nil || owner != r.Self {
		return false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.seen[LeaseName(r.Self)]
	return ok && r.now().Sub(s.at) < r.SelfFresh, nil
}

func (r *Ring) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
