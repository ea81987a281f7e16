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

// Package accountpool owns the manager's per-Zoom-account state: one client
// per account object (its token and connections), and per Zoom account the
// request budget, the daily-create gate and the user snapshot, shared by
// every object that points at that Zoom account. It is built once in setup
// and handed to each reconciler; nothing else creates or drops clients.
//
// Shared state is keyed by an Identity that authenticated: Zoom issued a
// token for the credentials. An account id that no token vouches for (a
// Secret can say anything) never reaches a budget, a snapshot or a metric
// label of a real account.
package accountpool

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/types"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/userapi"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomcache"
)

// Key names an account object, e.g. "ClusterZoomAccount/default" or
// "ZoomAccount/team-a/zoom".
type Key string

// Identity is a Zoom account that authenticated.
type Identity struct {
	APIURL    string
	AccountID string
}

// SecretRef names the version of a Secret a client was made from.
type SecretRef struct {
	Name    types.NamespacedName
	Version string
}

// Source is what an account object says about its Zoom account.
type Source struct {
	Settings zoomv1.AccountSettings
	Secret   SecretRef
	// Allowed is a ClusterZoomAccount's allowedNamespaces, remembered so
	// that after the object is gone its client still serves only those.
	Allowed *zoomv1.AllowedNamespaces
}

// Options tune the pool.
type Options struct {
	// Hosts bounds every account's apiURL and tokenURL.
	Hosts HostPolicy
	// RateScale multiplies Zoom's published limits (1 in production).
	RateScale float64
	// SnapshotTTL is how long a user listing is trusted: the resync
	// interval, so that each resync costs one listing.
	SnapshotTTL time.Duration
	// Timeout bounds each HTTP exchange with Zoom; 0 means the client's default.
	Timeout time.Duration
	// MaxWait is the longest a call waits for the budget (see zoom.Config).
	MaxWait time.Duration
	// MaxListUsers bounds one listing (see zoom.Config).
	MaxListUsers int
	// AuthRetry is how long a failed authentication is remembered, so
	// that the users of a broken account do not each ask Zoom again.
	AuthRetry time.Duration
	// Baseline turns off the budget and the snapshot, to measure a naive
	// controller against this one (benchmarks only).
	Baseline bool
}

// Pool is safe for concurrent use.
type Pool struct {
	opts Options

	mu      sync.Mutex
	entries map[Key]*entry
	zoom    map[Identity]*zoomState
	users   map[Key]int // ZoomUsers per account object, as told by CountUser
}

// entry is one account object's client.
type entry struct {
	fingerprint string
	source      Source
	client      *zoom.Client
	// shared is nil until the credentials authenticated.
	shared   *zoomState
	identity Identity
	// authErr is the last failed authentication, remembered until authAt+AuthRetry.
	authErr error
	authAt  time.Time
}

// zoomState is one Zoom account's shared state.
type zoomState struct {
	identity Identity
	plan     zoomv1.Plan
	budget   *zoom.Budget
	cache    *zoomcache.Cache
	gate     Gate
	roles    *roleCache
}

// Account is a usable, authenticated account object.
type Account struct {
	Key      Key
	Identity Identity
	Settings zoomv1.AccountSettings
	// Users is the Zoom boundary for this account's users.
	Users userapi.API
	// Gate is the Zoom account's daily-create gate.
	Gate *Gate
	// Groups is the Zoom boundary for this account's groups and roles.
	Groups Groups
	client *zoom.Client
	roles  *roleCache
}

// Authenticate asks Zoom for a token (or reuses the cached one).
func (a *Account) Authenticate(ctx context.Context) error { return a.client.Authenticate(ctx) }

// New returns an empty pool.
func New(opts Options) *Pool {
	if opts.AuthRetry <= 0 {
		opts.AuthRetry = 30 * time.Second
	}
	return &Pool{opts: opts, entries: map[Key]*entry{}, zoom: map[Identity]*zoomState{}, users: map[Key]int{}}
}

// Cached returns key's account when it authenticated from this very Source
// (same settings, same Secret version), so that a resync of many users reads
// the Secret once; nil tells the caller to read the Secret and Connect.
func (p *Pool) Cached(key Key, src Source) *Account {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.entries[key]
	if e == nil || e.shared == nil || src.Secret.Version == "" || !sameSource(e.source, src) {
		return nil
	}
	return e.account(key)
}

func sameSource(a, b Source) bool {
	return equality.Semantic.DeepEqual(a, b)
}

// Connect returns key's account for src and creds, making its client when
// they changed, and authenticates it before it may touch shared state.
func (p *Pool) Connect(ctx context.Context, key Key, src Source, creds zoom.Credentials) (*Account, error) {
	if err := p.checkHosts(src.Settings); err != nil {
		return nil, err
	}
	e := p.entry(key, src, creds)
	if acct := p.bound(key, e); acct != nil {
		return acct, nil
	}
	if err := p.rememberedFailure(e); err != nil {
		return nil, err
	}
	if err := e.client.Authenticate(ctx); err != nil {
		p.noteAuthFailure(e, err)
		return nil, err
	}
	return p.bind(key, e, creds.AccountID), nil
}

func (p *Pool) checkHosts(s zoomv1.AccountSettings) error {
	if err := p.opts.Hosts.CheckSettings(s); err != nil {
		return &HostError{err: err}
	}
	return nil
}

// HostError says an account points outside --allowed-zoom-hosts.
type HostError struct{ err error }

func (e *HostError) Error() string { return e.err.Error() }

// entry returns key's entry for these credentials, replacing one made from
// others (which drops the old token).
func (p *Pool) entry(key Key, src Source, creds zoom.Credentials) *entry {
	fp := fingerprint(src.Settings, creds)
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.entries[key]; ok && e.fingerprint == fp {
		e.source = src
		return e
	}
	cfg := zoom.Config{
		APIURL: src.Settings.APIURL, TokenURL: src.Settings.TokenURL, Credentials: creds,
		Timeout: p.opts.Timeout, MaxWait: p.opts.MaxWait, MaxListUsers: p.opts.MaxListUsers,
	}
	e := &entry{fingerprint: fp, source: src, client: zoom.New(cfg)}
	p.entries[key] = e
	p.dropUnused()
	return e
}

func (p *Pool) bound(key Key, e *entry) *Account {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.shared == nil {
		return nil
	}
	p.refreshPlan(e.shared, e.source.Settings.Plan)
	return e.account(key)
}

func (p *Pool) rememberedFailure(e *entry) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.authErr != nil && time.Since(e.authAt) < p.opts.AuthRetry {
		return e.authErr
	}
	return nil
}

// noteAuthFailure remembers a refusal of the credentials. A wait, a 5xx or
// a network failure says nothing about them: the callers' own backoff
// retries those.
func (p *Pool) noteAuthFailure(e *entry, err error) {
	if zoom.Classify(err) != zoom.KindUnauthorized {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e.authErr, e.authAt = err, time.Now()
}

// bind attaches an authenticated entry to its Zoom account's shared state.
func (p *Pool) bind(key Key, e *entry, accountID string) *Account {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := Identity{APIURL: e.source.Settings.APIURL, AccountID: accountID}
	st, ok := p.zoom[id]
	if !ok {
		st = &zoomState{identity: id, roles: &roleCache{ttl: p.opts.SnapshotTTL}}
		st.cache = zoomcache.New(p.opts.SnapshotTTL, nil, func(calls int) bool { return p.listingPays(st, calls) })
		p.zoom[id] = st
	}
	e.shared, e.identity, e.authErr = st, id, nil
	p.refreshPlan(st, e.source.Settings.Plan)
	return e.account(key)
}

// refreshPlan sizes st's budget for plan, rebinding every client of st
// when it changes, so that all objects of one Zoom account share one budget.
func (p *Pool) refreshPlan(st *zoomState, plan zoomv1.Plan) {
	if st.budget != nil && st.plan == plan {
		return
	}
	zoom.UnregisterBudget(st.budget)
	st.plan, st.budget = plan, p.newBudget(st.identity, plan)
	for _, e := range p.entries {
		if e.shared == st {
			e.client.Bind(st.budget, st.identity.AccountID)
		}
	}
}

func (p *Pool) newBudget(id Identity, plan zoomv1.Plan) *zoom.Budget {
	if p.opts.Baseline {
		return nil
	}
	return zoom.NewBudget(zoom.BudgetOptions{Plan: ZoomPlan(plan), Scale: p.opts.RateScale, Account: id.AccountID})
}

// ZoomPlan maps the API's plan to the client's rate table.
func ZoomPlan(p zoomv1.Plan) zoom.Plan {
	switch p {
	case zoomv1.PlanFree:
		return zoom.PlanFree
	case zoomv1.PlanBusiness:
		return zoom.PlanBusiness
	default:
		return zoom.PlanPro
	}
}

// listingPays tells the snapshot whether listing the account costs fewer
// calls than one GET for each ZoomUser of every object bound to it.
func (p *Pool) listingPays(st *zoomState, listCalls int) bool {
	if p.opts.Baseline {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for key, e := range p.entries {
		if e.shared == st {
			n += p.users[key]
		}
	}
	return n > listCalls
}

func (e *entry) account(key Key) *Account {
	st := e.shared
	var users userapi.API = userapi.Direct{Client: e.client}
	users = st.cache.Users(users, e.client)
	return &Account{Key: key, Identity: e.identity, Settings: e.source.Settings, Users: users, Gate: &st.gate,
		Groups: e.client, client: e.client, roles: st.roles}
}

// CountUser adds delta to the ZoomUsers that use key; the ZoomUser
// informer tells the pool, so the snapshot knows what listing saves.
func (p *Pool) CountUser(key Key, delta int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[key] += delta
	if p.users[key] <= 0 {
		delete(p.users, key)
	}
}

// Remembered returns key's last authenticated account and the Source it
// was made from, even after the object went: deletions that a namespace
// deletion started can still finish.
func (p *Pool) Remembered(key Key) (*Account, Source, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.entries[key]
	if e == nil || e.shared == nil {
		return nil, Source{}, false
	}
	return e.account(key), e.source, true
}

// IdentityOf returns the Zoom account key authenticated as, when it did
// from src; an account that never authenticated has no identity.
func (p *Pool) IdentityOf(key Key, src Source) (Identity, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.entries[key]
	if e == nil || e.shared == nil || !sameSource(e.source, src) {
		return Identity{}, false
	}
	return e.identity, true
}

// AccountIDs maps each authenticated account object to its Zoom account id.
func (p *Pool) AccountIDs() map[Key]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make(map[Key]string, len(p.entries))
	for key, e := range p.entries {
		if e.shared != nil {
			ids[key] = e.identity.AccountID
		}
	}
	return ids
}

// Forget drops a deleted account object's client, and the Zoom account's
// state (and metrics) when no other object uses it.
func (p *Pool) Forget(key Key) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.entries, key)
	p.dropUnused()
}

// dropUnused forgets Zoom accounts that no account object points at any
// more (after a deletion, or a Secret that now names another account).
func (p *Pool) dropUnused() {
	used := map[*zoomState]bool{}
	for _, e := range p.entries {
		used[e.shared] = true
	}
	for id, st := range p.zoom {
		if !used[st] {
			zoom.UnregisterBudget(st.budget)
			delete(p.zoom, id)
		}
	}
}

// fingerprint hashes what makes a client, so that the secret itself is not
// kept as a map key.
func fingerprint(s zoomv1.AccountSettings, c zoom.Credentials) string {
	h := sha256.New()
	for _, v := range []string{s.APIURL, s.TokenURL, c.AccountID, c.ClientID, c.ClientSecret} {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
