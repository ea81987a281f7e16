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

// Command manager runs the zoom-operator controllers.
package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	// The image is built FROM scratch: Go's embedded copy of the Mozilla
	// roots verifies Zoom's TLS when the system has no CA bundle.
	_ "golang.org/x/crypto/x509roots/fallback"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/controllers"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/version"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

type options struct {
	metricsAddr      string
	secureMetrics    bool
	probeAddr        string
	pprofAddr        string
	leaderElect      bool
	leaderElectionNS string
	resync           time.Duration
	maxConcurrent    int
	rateScale        float64
	zoomTimeout      time.Duration
	baseline         bool
	kubeQPS          float64
	kubeBurst        int
	allowedHosts     string
	listMaxUsers     int
	reconcileTimeout time.Duration
	watchNamespaces  string
	shardID          string
	shardNamespace   string
	shardLease       time.Duration
	shardRenew       time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.metricsAddr, "metrics-bind-address", "0", "Address of the metrics endpoint, e.g. :8443 (HTTPS) or :8080 with --metrics-secure=false; 0 disables it.")
	flag.BoolVar(&o.secureMetrics, "metrics-secure", true, "Serve metrics over HTTPS with Kubernetes authentication and authorization.")
	flag.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "Address of the liveness and readiness probes.")
	flag.StringVar(&o.pprofAddr, "pprof-bind-address", "", "Address of Go's pprof endpoints (/debug/pprof/), e.g. 127.0.0.1:6060, for CPU and heap profiles; empty disables them. Unauthenticated: bind it to loopback.")
	flag.BoolVar(&o.leaderElect, "leader-elect", false, "Elect a leader, so that only one manager calls Zoom at a time.")
	flag.StringVar(&o.leaderElectionNS, "leader-election-namespace", "", "Namespace of the leader-election Lease (default: the pod's namespace).")
	flag.DurationVar(&o.resync, "resync-interval", 10*time.Minute, "How often a converged ZoomUser is compared with Zoom again (jittered by up to 10%).")
	flag.IntVar(&o.maxConcurrent, "max-concurrent-reconciles", 4, "ZoomUsers reconciled in parallel.")
	flag.DurationVar(&o.zoomTimeout, "zoom-timeout", 30*time.Second, "Timeout of each HTTP exchange with Zoom.")
	o.rateScale = 1
	registerBenchmarkFlags(flag.CommandLine, &o)
	flag.Float64Var(&o.kubeQPS, "kube-api-qps", 300, "Requests per second the manager may send to the Kubernetes API (each created user costs three: a finalizer patch and two status patches, the create request and the result; its Event goes through a client of its own; 300 lets a Business plan's 80 creates a second through).")
	flag.IntVar(&o.kubeBurst, "kube-api-burst", 600, "Burst of requests to the Kubernetes API.")
	flag.StringVar(&o.allowedHosts, "allowed-zoom-hosts", strings.Join(accountpool.DefaultAllowedHosts, ","), "Comma-separated hosts (host, or host:port) that accounts' apiURL and tokenURL may use; plain http only to a listed loopback address. An account outside it is not Ready (reason HostNotAllowed).")
	flag.IntVar(&o.listMaxUsers, "zoom-list-max-users", zoom.DefaultMaxListUsers, "Most users one listing of a Zoom account may return before it is abandoned, bounding what any server can make the manager hold.")
	flag.DurationVar(&o.reconcileTimeout, "reconcile-timeout", 2*time.Minute, "Deadline of one reconcile, whatever Zoom does.")
	flag.StringVar(&o.watchNamespaces, "watch-namespaces", "", "Comma-separated namespaces whose ZoomUsers, ZoomAccounts and Secrets the manager watches; empty watches all. Cluster-scoped objects (ClusterZoomAccounts, Namespaces) are watched cluster-wide either way.")
	flag.StringVar(&o.shardID, "shard-id", "", "Run as one of several replicas that split the Zoom accounts between them, under this unique name (the pod's name); each replica then caches only its accounts' ZoomUsers and ZoomGroups. Needs --leader-elect (the leader assigns accounts). Empty: one manager serves every account.")
	flag.StringVar(&o.shardNamespace, "shard-namespace", "", "Namespace of the replicas' member Leases (default: --leader-election-namespace, else $POD_NAMESPACE, else the pod's own).")
	flag.DurationVar(&o.shardLease, "shard-lease-duration", 15*time.Second, "How long a replica's accounts stay with it after its last Lease renewal: the longest a dead replica's accounts wait to move.")
	flag.DurationVar(&o.shardRenew, "shard-renew-deadline", 10*time.Second, "How long a replica may fail to renew its Lease before it stops (less than --shard-lease-duration, so that it stops before its accounts move).")
	showVersion := flag.Bool("version", false, "Print the version, commit and build date, and exit.")
	zapOpts := zap.Options{}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	if *showVersion {
		fmt.Println(version.String())
		return
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	ctrl.Log.Info("starting zoom-operator", "version", version.Version, "commit", version.Commit, "built", version.Date)

	copts, err := o.controllerOptions()
	if err != nil {
		fmt.Fprintln(os.Stderr, "invalid flags:", err)
		os.Exit(2)
	}
	if err := run(o, copts); err != nil {
		ctrl.Log.Error(err, "manager stopped")
		os.Exit(1)
	}
}

// controllerOptions turns the flags into controllers.Options and checks
// them, so that a bad value fails at start with the flag's name.
func (o options) controllerOptions() (controllers.Options, error) {
	hosts, err := accountpool.ParseHosts(o.allowedHosts)
	if err != nil {
		return controllers.Options{}, fmt.Errorf("--allowed-zoom-hosts: %w", err)
	}
	copts := controllers.Options{
		ResyncInterval: o.resync, MaxConcurrentReconciles: o.maxConcurrent, RateScale: o.rateScale,
		ZoomTimeout: o.zoomTimeout, Baseline: o.baseline, AllowedHosts: hosts,
		MaxListUsers: o.listMaxUsers, ReconcileTimeout: o.reconcileTimeout,
		Shard: o.shardOptions(),
	}
	errs := []error{copts.Validate()}
	if o.shardID != "" && !o.leaderElect {
		errs = append(errs, errors.New("--shard-id needs --leader-elect: the leader assigns the accounts to the replicas"))
	}
	if o.kubeQPS <= 0 || o.kubeBurst < 1 {
		errs = append(errs, fmt.Errorf("--kube-api-qps and --kube-api-burst must be positive, got %v and %d", o.kubeQPS, o.kubeBurst))
	}
	if o.rateScale == 0 {
		errs = append(errs, errors.New("--zoom-rate-scale must be positive"))
	}
	return copts, errors.Join(errs...)
}

// shardOptions are nil without --shard-id.
func (o options) shardOptions() *controllers.ShardOptions {
	if o.shardID == "" {
		return nil
	}
	return &controllers.ShardOptions{ID: o.shardID, Namespace: o.leaseNamespace(),
		LeaseDuration: o.shardLease, RenewDeadline: o.shardRenew, Namespaces: parseNamespaces(o.watchNamespaces)}
}

// leaseNamespace finds where the member Leases live, as leader election does.
func (o options) leaseNamespace() string {
	for _, ns := range []string{o.shardNamespace, o.leaderElectionNS, os.Getenv("POD_NAMESPACE")} {
		if ns != "" {
			return ns
		}
	}
	data, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

func run(o options, copts controllers.Options) error {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(zoomv1.AddToScheme(scheme))

	cfg := ctrl.GetConfigOrDie()
	cfg.QPS, cfg.Burst = float32(o.kubeQPS), o.kubeBurst
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       metricsOptions(o),
		HealthProbeBindAddress:        o.probeAddr,
		PprofBindAddress:              o.pprofAddr,
		LeaderElection:                o.leaderElect,
		LeaderElectionID:              "zoom-operator.zoomoperator.dev",
		LeaderElectionNamespace:       o.leaderElectionNS,
		LeaderElectionReleaseOnCancel: true,
		Cache:                         cacheOptions(o.watchNamespaces, copts.Shard),
	})
	if err != nil {
		return err
	}
	if err := controllers.Setup(mgr, copts); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	return mgr.Start(ctrl.SetupSignalHandler())
}

// metricsOptions serves metrics over HTTPS behind Kubernetes authn/authz by
// default, as a multi-tenant cluster expects; HTTP/2 is off (CVE-2023-44487).
func metricsOptions(o options) metricsserver.Options {
	opts := metricsserver.Options{
		BindAddress:   o.metricsAddr,
		SecureServing: o.secureMetrics,
		TLSOpts:       []func(*tls.Config){func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }},
	}
	if o.secureMetrics {
		opts.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	return opts
}
