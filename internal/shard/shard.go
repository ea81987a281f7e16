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

// Package shard splits Zoom accounts between manager replicas. Each replica
// is a member while it renews its own Lease; a Zoom account (its API URL and
// account id, the identity its request budget belongs to) goes to the live
// member that rendezvous hashing picks, so a member's arrival or departure
// moves only the accounts it wins or held. The assignment travels as a label
// on each ZoomUser and ZoomGroup, so that a replica caches only its own.
//
// Labels are written by tenants too, so they only route objects to caches:
// a replica acts for an account only when the hashing, over the Leases it
// sees, names it.
package shard

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
)

const (
	// LabelShard names the member whose cache holds the object.
	LabelShard = "zoomoperator.dev/shard"
	// LabelDrain asks the member named by LabelShard to let the object
	// go: it removes both labels once no reconcile of the object runs.
	LabelDrain = "zoomoperator.dev/drain"
	// LabelMember marks a member's Lease.
	LabelMember = "zoomoperator.dev/shard-member"
	// leasePrefix starts every member Lease's name.
	leasePrefix = "zoom-operator-shard-"
)

// LeaseName is the name of member id's Lease.
func LeaseName(id string) string { return leasePrefix + id }

// Key is the shard key of a Zoom account: the same text for every account
// object whose credentials name that account, so they share one replica
// and therefore one request budget.
func Key(apiURL, accountID string) string { return apiURL + "|" + accountID }

// Owner is the member that key belongs to among members (rendezvous
// hashing: the highest hash of member and key wins); "" when there is none.
func Owner(members []string, key string) string {
	var best string
	var bestScore uint64
	for _, m := range members {
		if s := score(m, key); best == "" || s > bestScore || (s == bestScore && m < best) {
			best, bestScore = m, s
		}
	}
	return best
}

func score(member, key string) uint64 {
	sum := sha256.Sum256([]byte(member + "\x00" + key))
	return binary.BigEndian.Uint64(sum[:8])
}

// holderOf returns a member Lease's holder and duration; ok is false for a
// Lease that holds nobody or is not named after its holder.
func holderOf(lease *coordinationv1.Lease) (holder string, duration time.Duration, ok bool) {
	s := lease.Spec
	if s.HolderIdentity == nil || *s.HolderIdentity == "" || lease.Name != LeaseName(*s.HolderIdentity) ||
		s.RenewTime == nil || s.LeaseDurationSeconds == nil {
		return "", 0, false
	}
	return *s.HolderIdentity, time.Duration(*s.LeaseDurationSeconds) * time.Second, true
}

// Live returns the holders of the leases that are alive at now by their
// holders' clocks, and the earliest time one of them lapses (zero when
// none is alive). Tools and tests on one machine use it; replicas use a
// Ring, which trusts no other node's clock.
func Live(leases []coordinationv1.Lease, now time.Time) (members []string, next time.Time) {
	return alive(leases, now, func(l *coordinationv1.Lease) time.Time { return l.Spec.RenewTime.Time })
}

// alive returns the holders of the leases still alive at now, a Lease
// counting from renewedAt for its duration, and the earliest time one of
// them lapses (zero when none is alive).
func alive(leases []coordinationv1.Lease, now time.Time, renewedAt func(*coordinationv1.Lease) time.Time) (members []string, next time.Time) {
	for i := range leases {
		holder, duration, ok := holderOf(&leases[i])
		if !ok {
			continue
		}
		exp := renewedAt(&leases[i]).Add(duration)
		if !now.Before(exp) {
			continue
		}
		members = append(members, holder)
		if next.IsZero() || exp.Before(next) {
			next = exp
		}
	}
	return members, next
}
