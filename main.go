// Command manager runs the zoom-operator controllers.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	// The image is built FROM scratch: Go's embedded copy of the Mozilla
	// roots verifies Zoom's TLS when the system has no CA bundle.
	_ "golang.org/x/crypto/x509roots/fallback"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/controllers"
	"github.com/zoom-operator/zoom-operator/internal/version"
)

type options struct {
	metricsAddr      string
	secureMetrics    bool
	probeAddr        string
	leaderElect      bool
	leaderElectionNS string
	resync           time.Duration
	maxConcurrent    int
	rateScale        float64
	zoomTimeout      time.Duration
	baseline         bool
	kubeQPS          float64
	kubeBurst        int
	watchNamespaces  string
}

func main() {
	var o options
	flag.StringVar(&o.metricsAddr, "metrics-bind-address", "0", "Address of the metrics endpoint, e.g. :8443 (HTTPS) or :8080 with --metrics-secure=false; 0 disables it.")
	flag.BoolVar(&o.secureMetrics, "metrics-secure", true, "Serve metrics over HTTPS with Kubernetes authentication and authorization.")
	flag.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "Address of the liveness and readiness probes.")
	flag.BoolVar(&o.leaderElect, "leader-elect", false, "Elect a leader, so that only one manager calls Zoom at a time.")
	flag.StringVar(&o.leaderElectionNS, "leader-election-namespace", "", "Namespace of the leader-election Lease (default: the pod's namespace).")
	flag.DurationVar(&o.resync, "resync-interval", 10*time.Minute, "How often a converged ZoomUser is compared with Zoom again (jittered by up to 10%).")
	flag.IntVar(&o.maxConcurrent, "max-concurrent-reconciles", 4, "ZoomUsers reconciled in parallel.")
	flag.Float64Var(&o.rateScale, "zoom-rate-scale", 1, "Multiplies Zoom's published rate limits in the client-side budget. Leave at 1; benchmarks against a scaled fake Zoom change it.")
	flag.DurationVar(&o.zoomTimeout, "zoom-timeout", 30*time.Second, "Timeout of each HTTP exchange with Zoom.")
	flag.BoolVar(&o.baseline, "baseline", false, "For benchmarks only: behave like a naive controller (one GET per object and resync, no request budget, 429s as errors with exponential backoff)")
	flag.Float64Var(&o.kubeQPS, "kube-api-qps", 100, "Requests per second the manager may send to the Kubernetes API (each created user costs about three: a marker patch, a status patch, an event).")
	flag.IntVar(&o.kubeBurst, "kube-api-burst", 200, "Burst of requests to the Kubernetes API.")
	flag.StringVar(&o.watchNamespaces, "watch-namespaces", "", "Comma-separated namespaces whose ZoomUsers, ZoomAccounts and Secrets the manager watches; empty watches all. Cluster-scoped objects (ClusterZoomAccounts, Namespaces) are watched cluster-wide either way.")
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

	if err := run(o); err != nil {
		ctrl.Log.Error(err, "manager stopped")
		os.Exit(1)
	}
}

func run(o options) error {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(zoomv1.AddToScheme(scheme))

	cfg := ctrl.GetConfigOrDie()
	cfg.QPS, cfg.Burst = float32(o.kubeQPS), o.kubeBurst
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       metricsOptions(o),
		HealthProbeBindAddress:        o.probeAddr,
		LeaderElection:                o.leaderElect,
		LeaderElectionID:              "zoom-operator.zoomoperator.dev",
		LeaderElectionNamespace:       o.leaderElectionNS,
		LeaderElectionReleaseOnCancel: true,
		Cache:                         cacheOptions(o.watchNamespaces),
	})
	if err != nil {
		return err
	}
	if err := controllers.Setup(mgr, controllers.Options{
		ResyncInterval: o.resync, MaxConcurrentReconciles: o.maxConcurrent, RateScale: o.rateScale,
		ZoomTimeout: o.zoomTimeout, Baseline: o.baseline,
	}); err != nil {
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

// cacheOptions restricts the cache to the namespaces of --watch-namespaces,
// for teams that cannot grant cluster-wide reads. Empty means all namespaces.
func cacheOptions(watchNamespaces string) cache.Options {
	namespaces := parseNamespaces(watchNamespaces)
	if len(namespaces) == 0 {
		return cache.Options{}
	}
	opts := cache.Options{DefaultNamespaces: map[string]cache.Config{}}
	for _, ns := range namespaces {
		opts.DefaultNamespaces[ns] = cache.Config{}
	}
	return opts
}

// parseNamespaces splits a comma-separated list, dropping blanks and repeats.
func parseNamespaces(list string) []string {
	var out []string
	for _, ns := range strings.Split(list, ",") {
		ns = strings.TrimSpace(ns)
		if ns != "" && !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	return out
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
