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
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	toolscache "k8s.io/client-go/tools/cache"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
)

// Options configure the controllers.
type Options struct {
	// ResyncInterval is how often converged objects are checked against Zoom.
	ResyncInterval time.Duration
	// MaxConcurrentReconciles bounds parallel ZoomUser reconciles.
	MaxConcurrentReconciles int
	// AllowedHosts bounds every account's apiURL and tokenURL; the zero
	// value means accountpool.DefaultAllowedHosts.
	AllowedHosts accountpool.HostPolicy
	// ZoomTimeout bounds each HTTP exchange with Zoom; 0 means 30s.
	ZoomTimeout time.Duration
	// ReconcileTimeout bounds one reconcile, whatever Zoom does; 0 means 2m.
	ReconcileTimeout time.Duration
	// MaxListUsers bounds one listing of an account's users; 0 means
	// zoom.DefaultMaxListUsers.
	MaxListUsers int
	// AccountRetryInterval is how soon a ZoomUser whose account is not
	// usable looks again without a watch event; 0 means 30s. The account,
	// Secret and Namespace watches bring fixes sooner.
	AccountRetryInterval time.Duration
	// RateScale multiplies Zoom's published rate limits in the client-side
	// budget; 0 means 1. Only benchmarks against a scaled fake change it.
	RateScale float64
	// Baseline makes the controller naive, for benchmarks only: one GET per
	// object and resync, no request budget, and 429s fed to the per-item
	// exponential backoff like any error.
	Baseline bool
	// Shard, when set, makes this manager one of several replicas that
	// split the Zoom accounts between them.
	Shard *ShardOptions
}

// Validate reports options that cannot work, with the flag to fix.
func (o Options) Validate() error {
	var errs []error
	check := func(bad bool, format string, args ...any) {
		if bad {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(o.ResyncInterval <= 0, "--resync-interval must be positive, got %v", o.ResyncInterval)
	check(o.MaxConcurrentReconciles < 1, "--max-concurrent-reconciles must be at least 1, got %d", o.MaxConcurrentReconciles)
	check(o.ZoomTimeout < 0, "--zoom-timeout must not be negative, got %v", o.ZoomTimeout)
	check(o.ReconcileTimeout < 0, "--reconcile-timeout must not be negative, got %v", o.ReconcileTimeout)
	check(o.MaxListUsers < 0, "--zoom-list-max-users must not be negative, got %d", o.MaxListUsers)
	check(o.AccountRetryInterval < 0, "account retry interval must not be negative, got %v", o.AccountRetryInterval)
	check(o.RateScale < 0, "--zoom-rate-scale must not be negative, got %v", o.RateScale)
	if o.Shard != nil {
		errs = append(errs, o.Shard.validate())
	}
	return errors.Join(errs...)
}

// timing holds the waits the reconcilers use, defaults applied.
type timing struct {
	resync       time.Duration
	accountRetry time.Duration
	authRetry    time.Duration
	reconcile    time.Duration
}

func (o Options) timing() timing {
	return timing{
		resync:       o.ResyncInterval,
		accountRetry: orDefault(o.AccountRetryInterval, 30*time.Second),
		authRetry:    time.Minute,
		reconcile:    orDefault(o.ReconcileTimeout, 2*time.Minute),
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (o Options) pool() (*accountpool.Pool, error) {
	hosts := o.AllowedHosts
	if hosts.String() == "" {
		var err error
		if hosts, err = accountpool.ParseHosts(strings.Join(accountpool.DefaultAllowedHosts, ",")); err != nil {
			return nil, err
		}
	}
	return accountpool.New(accountpool.Options{
		Hosts: hosts, RateScale: o.RateScale, SnapshotTTL: o.ResyncInterval, Timeout: o.ZoomTimeout,
		MaxListUsers: o.MaxListUsers, AuthRetry: o.timing().accountRetry, Baseline: o.Baseline,
	}), nil
}

// Setup builds the account pool once and registers the ZoomUser, ZoomGroup,
// ZoomAccount and ClusterZoomAccount reconcilers around it, so an account's token,
// connections, budget, gate and snapshot serve all of them.
func Setup(mgr ctrl.Manager, opts Options) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	pool, err := opts.pool()
	if err != nil {
		return err
	}
	if err := indexFields(context.Background(), mgr.GetFieldIndexer()); err != nil {
		return err
	}
	if err := countUsersInto(mgr, pool); err != nil {
		return err
	}
	if err := registerMetrics(pool.Collector(), &userCollector{reader: mgr.GetClient(), pool: pool}); err != nil {
		return err
	}
	shards, err := setupSharding(mgr, opts.Shard)
	if err != nil {
		return err
	}
	rec := mgr.GetEventRecorder("zoom-operator")
	resolver := &accountResolver{reader: mgr.GetClient(), live: mgr.GetAPIReader(), pool: pool, shards: shards}
	users := &ZoomUserReconciler{Client: mgr.GetClient(), Recorder: rec, accounts: resolver, timing: opts.timing(), baseline: opts.Baseline, shards: shards}
	if err := users.setup(mgr, opts.MaxConcurrentReconciles); err != nil {
		return err
	}
	zoomGroups := &ZoomGroupReconciler{Client: mgr.GetClient(), Recorder: rec, accounts: resolver, timing: opts.timing(), shards: shards, live: mgr.GetAPIReader()}
	if err := zoomGroups.setup(mgr, opts.MaxConcurrentReconciles); err != nil {
		return err
	}
	for _, kind := range []zoomv1.AccountKind{zoomv1.AccountKindNamespaced, zoomv1.AccountKindCluster} {
		// With shards too, only the leader checks and reports account
		// objects: the replicas connect the accounts they serve on use.
		ar := &accountReconciler{Client: mgr.GetClient(), recorder: rec, kind: kind, accounts: resolver, timing: opts.timing()}
		if err := ar.setup(mgr); err != nil {
			return err
		}
	}
	return nil
}

// countUsersInto tells the pool how many ZoomUsers each account object has,
// from the informer's own adds and deletes (accountRef is immutable), so
// the snapshot knows what listing saves without asking a reconciler.
func countUsersInto(mgr ctrl.Manager, pool *accountpool.Pool) error {
	inf, err := mgr.GetCache().GetInformer(context.Background(), &zoomv1.ZoomUser{})
	if err != nil {
		return err
	}
	count := func(obj any, delta int) {
		if tomb, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		if zu, ok := obj.(*zoomv1.ZoomUser); ok {
			pool.CountUser(accountKey(zu.Namespace, zu.Spec.AccountRef), delta)
		}
	}
	_, err = inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { count(obj, 1) },
		DeleteFunc: func(obj any) { count(obj, -1) },
	})
	return err
}

// registerMetrics registers the collectors once per process: a second
// manager in one process (tests) keeps the first one's.
func registerMetrics(collectors ...prometheus.Collector) error {
	for _, c := range collectors {
		var already prometheus.AlreadyRegisteredError
		if err := metrics.Registry.Register(c); err != nil && !errors.As(err, &already) {
			return err
		}
	}
	return nil
}
