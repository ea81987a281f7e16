package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
	"github.com/zoom-operator/zoom-operator/internal/zoomcache"
)

// zoomUsers is what the reconcilers need from Zoom.
type zoomUsers interface {
	GetUser(ctx context.Context, idOrEmail string) (*zoom.User, error)
	CreateUser(ctx context.Context, req zoom.CreateUserRequest) (*zoom.User, error)
	UpdateUser(ctx context.Context, id string, req zoom.UpdateUserRequest) error
	SetUserStatus(ctx context.Context, id string, activate bool) error
	DeleteUser(ctx context.Context, id string, action string) error
	ListAllUsers(ctx context.Context, status string) ([]zoom.User, error)
	Authenticate(ctx context.Context) error
}

var _ zoomUsers = (*zoom.Client)(nil)

// account is a resolved, usable Zoom account.
type account struct {
	key      string // "ClusterZoomAccount/name" or "ZoomAccount/namespace/name"
	zoomID   string // the Zoom account behind it: API URL and account id
	settings zoomv1.AccountSettings
	api      zoomUsers
	gate     *createGate
	cache    *zoomcache.Cache
}

// accountError says why a ZoomUser cannot use its account. The message is
// safe to show: it names objects and keys, never their values.
type accountError struct {
	reason  string // zoomv1.ReasonAccountNotReady or zoomv1.ReasonForbidden
	message string
}

func (e *accountError) Error() string { return e.message }

func notReady(format string, args ...any) *accountError {
	return &accountError{reason: zoomv1.ReasonAccountNotReady, message: fmt.Sprintf(format, args...)}
}

// accountResolver turns a ZoomUser's accountRef into a Zoom client. Secrets
// are read uncached, so their contents are never held in the manager's
// memory; only their metadata (and Namespaces' metadata) is watched.
type accountResolver struct {
	reader  client.Reader // cached: accounts, Secret and Namespace metadata
	live    client.Reader // uncached: Secrets
	clients *clientPool
}

func (r *accountResolver) resolve(ctx context.Context, zu *zoomv1.ZoomUser) (*account, error) {
	ref := zu.Spec.AccountRef
	key := accountKey(zu.Namespace, ref)
	if ref.Kind == zoomv1.AccountKindNamespaced {
		return r.namespaced(ctx, key, zu.Namespace, ref.Name)
	}
	return r.cluster(ctx, key, zu.Namespace, ref.Name)
}

// resolveForDeletion is resolve, but when the account or its Secret is
// already gone (a namespace being deleted takes them with its ZoomUsers) it
// falls back on the client this process still holds for that account, so
// the deletions can finish. A forbidden namespace gets no such fallback.
func (r *accountResolver) resolveForDeletion(ctx context.Context, zu *zoomv1.ZoomUser) (*account, error) {
	acct, err := r.resolve(ctx, zu)
	var accErr *accountError
	if err == nil || !errors.As(err, &accErr) || accErr.reason != zoomv1.ReasonAccountNotReady {
		return acct, err
	}
	key := accountKey(zu.Namespace, zu.Spec.AccountRef)
	if e := r.clients.lookup(key); e != nil {
		return e.account(key), nil
	}
	return nil, err
}

func (r *accountResolver) namespaced(ctx context.Context, key, namespace, name string) (*account, error) {
	var za zoomv1.ZoomAccount
	if err := r.reader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, &za); err != nil {
		return nil, missing(err, "ZoomAccount %s/%s", namespace, name)
	}
	secret := types.NamespacedName{Namespace: namespace, Name: za.Spec.CredentialsSecretRef.Name}
	return r.build(ctx, key, za.Spec.AccountSettings, secret)
}

func (r *accountResolver) cluster(ctx context.Context, key, namespace, name string) (*account, error) {
	var cza zoomv1.ClusterZoomAccount
	if err := r.reader.Get(ctx, types.NamespacedName{Name: name}, &cza); err != nil {
		return nil, missing(err, "ClusterZoomAccount %s", name)
	}
	if err := r.checkNamespaceAllowed(ctx, &cza, namespace); err != nil {
		return nil, err
	}
	ref := cza.Spec.CredentialsSecretRef
	secret := types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}
	return r.build(ctx, key, cza.Spec.AccountSettings, secret)
}

func (r *accountResolver) checkNamespaceAllowed(ctx context.Context, cza *zoomv1.ClusterZoomAccount, namespace string) error {
	allowed := cza.Spec.AllowedNamespaces
	if allowed.From != zoomv1.NamespacesFromSelector {
		return nil
	}
	selector, err := metav1.LabelSelectorAsSelector(allowed.Selector)
	if err != nil {
		return notReady("ClusterZoomAccount %s has an invalid namespace selector: %v", cza.Name, err)
	}
	// Labels come from the watched Namespace metadata: no API call per reconcile.
	var ns metav1.PartialObjectMetadata
	ns.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Namespace"))
	if err := r.reader.Get(ctx, types.NamespacedName{Name: namespace}, &ns); err != nil {
		return fmt.Errorf("reading namespace %s: %w", namespace, err)
	}
	if !selector.Matches(labels.Set(ns.Labels)) {
		return &accountError{reason: zoomv1.ReasonForbidden,
			message: fmt.Sprintf("namespace %s is not allowed to use ClusterZoomAccount %s", namespace, cza.Name)}
	}
	return nil
}

// build returns the account's client. The Secret is read only when its
// resourceVersion (from the watched metadata) differs from the one the
// pooled client was made from, so a resync of many users reads it once.
func (r *accountResolver) build(ctx context.Context, key string, settings zoomv1.AccountSettings, secretName types.NamespacedName) (*account, error) {
	version := r.secretVersion(ctx, secretName)
	if e := r.clients.unchanged(key, settings, secretName, version); e != nil {
		return e.account(key), nil
	}
	creds, err := r.credentials(ctx, secretName)
	if err != nil {
		return nil, err
	}
	cfg := zoom.Config{APIURL: settings.APIURL, TokenURL: settings.TokenURL, Credentials: creds}
	return r.clients.get(key, settings, cfg, secretRef{secretName, version}).account(key), nil
}

// secretVersion is the Secret's resourceVersion in the metadata cache, or ""
// when the cache does not know it (then the Secret is read).
func (r *accountResolver) secretVersion(ctx context.Context, name types.NamespacedName) string {
	var meta metav1.PartialObjectMetadata
	meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	if err := r.reader.Get(ctx, name, &meta); err != nil {
		return ""
	}
	return meta.ResourceVersion
}

func (r *accountResolver) credentials(ctx context.Context, name types.NamespacedName) (zoom.Credentials, error) {
	var secret corev1.Secret
	if err := r.live.Get(ctx, name, &secret); err != nil {
		return zoom.Credentials{}, missing(err, "Secret %s", name)
	}
	var missingKeys []string
	value := func(key string) string {
		v := string(secret.Data[key])
		if v == "" {
			missingKeys = append(missingKeys, key)
		}
		return v
	}
	creds := zoom.Credentials{
		AccountID:    value(zoomv1.SecretKeyAccountID),
		ClientID:     value(zoomv1.SecretKeyClientID),
		ClientSecret: value(zoomv1.SecretKeyClientSecret),
	}
	if len(missingKeys) > 0 {
		return zoom.Credentials{}, notReady("Secret %s lacks the keys %v", name, missingKeys)
	}
	return creds, nil
}

// missing turns a NotFound into an accountError and passes other errors on.
func missing(err error, format string, args ...any) error {
	if apierrors.IsNotFound(err) {
		return notReady(format+" not found", args...)
	}
	return err
}

// clientPool keeps one Zoom client per account object, so the OAuth token
// and the HTTP connections are shared by every ZoomUser of that object; and
// one request budget, daily-create gate and user snapshot per Zoom account,
// since Zoom's limits count per Zoom account, however many objects point at
// it. A change of credentials or URLs replaces the client (dropping the old
// token); the Zoom account's state stays.
type clientPool struct {
	mu      sync.Mutex
	entries map[string]*poolEntry   // by account object key
	zoom    map[string]*zoomAccount // by Zoom account: API URL and account id
	tuning  poolTuning
}

// poolTuning holds what the pool needs beyond the accounts themselves.
type poolTuning struct {
	// rateScale multiplies Zoom's published limits (1 in production; the
	// benchmark shrinks them together with the fake Zoom's).
	rateScale float64
	// snapshotTTL is how long an account's user listing is trusted: the
	// resync interval, so each resync costs one listing.
	snapshotTTL time.Duration
	// managed counts an account object's ZoomUsers; listing is used only
	// when it costs fewer calls than one GET per managed user.
	managed func(ctx context.Context, key string) int
	// baseline turns off the budget and the listing, to measure a naive
	// controller against this one.
	baseline bool
	// timeout bounds each HTTP exchange with Zoom; 0 means the client's default.
	timeout time.Duration
}

// secretRef names the Secret version a client was made from.
type secretRef struct {
	name    types.NamespacedName
	version string
}

type poolEntry struct {
	fingerprint string
	secret      secretRef
	settings    zoomv1.AccountSettings
	zoomID      string
	client      *zoom.Client
	shared      *zoomAccount
}

// zoomAccount is the state of one Zoom account, shared by every account
// object that points at it.
type zoomAccount struct {
	plan   zoomv1.Plan
	budget *zoom.Budget
	cache  *zoomcache.Cache
	gate   createGate
}

func newClientPool(t poolTuning) *clientPool {
	return &clientPool{entries: map[string]*poolEntry{}, zoom: map[string]*zoomAccount{}, tuning: t}
}

func (e *poolEntry) account(key string) *account {
	return &account{key: key, zoomID: e.zoomID, settings: e.settings,
		api: e.client, gate: &e.shared.gate, cache: e.shared.cache}
}

// unchanged returns the pooled entry when neither the settings nor the
// Secret changed since it was made; nil tells the caller to read the Secret.
func (p *clientPool) unchanged(key string, settings zoomv1.AccountSettings, secret types.NamespacedName, version string) *poolEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[key]
	if !ok || version == "" || e.secret != (secretRef{secret, version}) || !equality.Semantic.DeepEqual(e.settings, settings) {
		return nil
	}
	return e
}

func (p *clientPool) get(key string, settings zoomv1.AccountSettings, cfg zoom.Config, secret secretRef) *poolEntry {
	fp := fingerprint(cfg, fmt.Sprint(settings))
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.entries[key]; ok && old.fingerprint == fp {
		old.secret = secret
		return old
	}
	zoomID := cfg.APIURL + "|" + cfg.Credentials.AccountID
	shared := p.zoomAccount(zoomID, key, settings.Plan)
	cfg.Budget, cfg.Timeout = shared.budget, p.tuning.timeout
	e := &poolEntry{fingerprint: fp, secret: secret, settings: settings, zoomID: zoomID, client: zoom.New(cfg), shared: shared}
	p.entries[key] = e
	p.dropUnused()
	return e
}

// zoomAccount returns the Zoom account's shared state, making it on first
// use; a new plan resizes the budget.
func (p *clientPool) zoomAccount(zoomID, key string, plan zoomv1.Plan) *zoomAccount {
	za, ok := p.zoom[zoomID]
	if !ok {
		za = &zoomAccount{cache: p.newCache(key)}
		p.zoom[zoomID] = za
	}
	if !ok || za.plan != plan {
		zoom.UnregisterBudget(za.budget)
		za.plan, za.budget = plan, p.newBudget(key, plan)
	}
	return za
}

func (p *clientPool) newBudget(key string, plan zoomv1.Plan) *zoom.Budget {
	if p.tuning.baseline {
		return nil
	}
	return zoom.NewBudget(zoom.BudgetOptions{Plan: string(plan), Scale: p.tuning.rateScale, Account: key})
}

func (p *clientPool) newCache(key string) *zoomcache.Cache {
	worthIt := func(ctx context.Context, listCalls int) bool {
		return !p.tuning.baseline && p.tuning.managed != nil && p.tuning.managed(ctx, key) > listCalls
	}
	return zoomcache.New(p.tuning.snapshotTTL, nil, worthIt)
}

func (p *clientPool) lookup(key string) *poolEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.entries[key]
}

// forget drops a deleted account object's client, and the Zoom account's
// state (and metrics) when no other object uses it.
func (p *clientPool) forget(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.entries, key)
	p.dropUnused()
}

// dropUnused forgets Zoom accounts that no account object points at any more
// (after a deletion, or a Secret that now names another Zoom account).
func (p *clientPool) dropUnused() {
	used := map[*zoomAccount]bool{}
	for _, e := range p.entries {
		used[e.shared] = true
	}
	for id, za := range p.zoom {
		if !used[za] {
			zoom.UnregisterBudget(za.budget)
			delete(p.zoom, id)
		}
	}
}

// fingerprint hashes the settings that make a client, so that the secret
// itself is not kept as a map key.
func fingerprint(cfg zoom.Config, plan string) string {
	h := sha256.New()
	for _, s := range []string{cfg.APIURL, cfg.TokenURL, cfg.Credentials.AccountID, cfg.Credentials.ClientID, cfg.Credentials.ClientSecret, plan} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// createGate pauses `action: create` for a whole account after Zoom's daily
// invite cap answered 429, so that the other objects of that account wait for
// the reset instead of each spending a request to learn the same thing.
type createGate struct {
	mu          sync.Mutex
	pausedUntil time.Time
}

func (g *createGate) pause(until time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until.After(g.pausedUntil) {
		g.pausedUntil = until
	}
}

// closedUntil returns the resume time while the gate is closed, else zero.
func (g *createGate) closedUntil(now time.Time) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Before(g.pausedUntil) {
		return g.pausedUntil
	}
	return time.Time{}
}
