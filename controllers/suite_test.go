package controllers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// The suite runs one manager against a real kube-apiserver and etcd. Each
// test gets its own namespace, fake Zoom server and ZoomAccount, so tests run
// in parallel without seeing each other's calls.
var (
	k8s     client.Client // uncached, for the tests' own reads and writes
	scheme  = runtime.NewScheme()
	testEnv *envtest.Environment
)

const (
	waitTimeout = 30 * time.Second
	// resyncInterval is short so that drift tests see a resync; checks that
	// nothing happens ("consistently") stay shorter than it.
	resyncInterval = 5 * time.Second
	// zoomTimeout is short so that a slow Zoom is seen to time out.
	zoomTimeout = 2 * time.Second
	// maxListUsers bounds listings low, so that a hostile server is cut off soon.
	maxListUsers = 5000
)

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		fmt.Fprintln(os.Stderr, "KUBEBUILDER_ASSETS is not set: run the tests with `make test`")
		return 1
	}
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(zoomv1.AddToScheme(scheme))
	ctrl.SetLogger(zap.New(zap.WriteTo(logOutput()), zap.UseDevMode(true), zap.Level(zapcore.DebugLevel)))

	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	testEnv = env
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting envtest:", err)
		return 1
	}
	defer func() { _ = env.Stop() }()

	k8s, err = client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	managerCfg, err := managerIdentity(ctx, env)
	if err != nil {
		fmt.Fprintln(os.Stderr, "granting the manager its generated role:", err)
		return 1
	}
	if err := startManager(ctx, managerCfg); err != nil {
		fmt.Fprintln(os.Stderr, "starting manager:", err)
		return 1
	}
	return m.Run()
}

// managerLogs holds everything the manager logs, at debug level, so that
// tests can search it (for secrets, say). TEST_VERBOSE_LOGS also prints it.
var managerLogs syncBuffer

func logOutput() io.Writer {
	if os.Getenv("TEST_VERBOSE_LOGS") != "" {
		return io.MultiWriter(&managerLogs, os.Stderr)
	}
	return &managerLogs
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// managerIdentity returns a config for a user that holds only the generated
// ClusterRole (config/rbac/role.yaml). The manager runs as that user, so
// every test also proves the role grants what the code needs.
func managerIdentity(ctx context.Context, env *envtest.Environment) (*rest.Config, error) {
	role, err := generatedRole()
	if err != nil {
		return nil, err
	}
	const user = "zoom-operator-manager"
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}
	for _, obj := range []client.Object{role, binding} {
		if err := k8s.Create(ctx, obj); err != nil {
			return nil, err
		}
	}
	authn, err := env.AddUser(envtest.User{Name: user}, nil)
	if err != nil {
		return nil, err
	}
	cfg := authn.Config()
	cfg.QPS, cfg.Burst = 200, 400 // many tests at once: no client-side throttling
	return cfg, nil
}

func generatedRole() (*rbacv1.ClusterRole, error) {
	data, err := os.ReadFile(filepath.Join("..", "config", "rbac", "role.yaml"))
	if err != nil {
		return nil, err
	}
	var role rbacv1.ClusterRole
	return &role, yaml.Unmarshal(data, &role)
}

func startManager(ctx context.Context, cfg *rest.Config) error {
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		return err
	}
	hosts, err := accountpool.ParseHosts("127.0.0.1")
	if err != nil {
		return err
	}
	if err := Setup(mgr, Options{ResyncInterval: resyncInterval, MaxConcurrentReconciles: 8, ZoomTimeout: zoomTimeout, AllowedHosts: hosts, MaxListUsers: maxListUsers}); err != nil {
		return err
	}
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	return nil
}

// tenant is one test's namespace, fake Zoom and ZoomAccount.
type tenant struct {
	t    *testing.T
	ns   string
	fake *zoomfake.Server
	url  string
}

var tenantSeq atomic.Int64

// newTenant starts a fake Zoom and a ZoomAccount "zoom" that points at it.
func newTenant(t *testing.T, opts zoomfake.Options, adopt bool) *tenant {
	t.Helper()
	opts.AccountID, opts.ClientID, opts.ClientSecret = "acct-1", "client-1", "s3cret-value-1"
	fake := zoomfake.New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	tn := &tenant{t: t, fake: fake, url: srv.URL, ns: namespaceFor(t)}
	tn.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: tn.ns}})
	tn.create(credentialsSecret(tn.ns, "zoom-s2s", opts))
	tn.create(&zoomv1.ZoomAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "zoom", Namespace: tn.ns},
		Spec: zoomv1.ZoomAccountSpec{
			CredentialsSecretRef: zoomv1.LocalSecretReference{Name: "zoom-s2s"},
			AccountSettings:      tn.settings(adopt),
		},
	})
	return tn
}

// namespaceFor makes a unique, valid namespace name from the test's name.
func namespaceFor(t *testing.T) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(t.Name()))
	name = fmt.Sprintf("t%d-%s", tenantSeq.Add(1), name)
	return strings.TrimRight(name[:min(len(name), 63)], "-")
}

func (tn *tenant) settings(adopt bool) zoomv1.AccountSettings {
	return zoomv1.AccountSettings{APIURL: tn.url + "/v2", TokenURL: tn.url + "/oauth/token", AdoptExistingUsers: adopt}
}

func credentialsSecret(ns, name string, opts zoomfake.Options) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		StringData: map[string]string{
			zoomv1.SecretKeyAccountID:    opts.AccountID,
			zoomv1.SecretKeyClientID:     opts.ClientID,
			zoomv1.SecretKeyClientSecret: opts.ClientSecret,
		},
	}
}

func (tn *tenant) create(obj client.Object) {
	tn.t.Helper()
	if err := k8s.Create(context.Background(), obj); err != nil {
		tn.t.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
	}
}

// user returns a ZoomUser of this tenant's account; edit changes it before creation.
func (tn *tenant) user(name, email string, edit ...func(*zoomv1.ZoomUser)) *zoomv1.ZoomUser {
	zu := &zoomv1.ZoomUser{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: tn.ns},
		Spec: zoomv1.ZoomUserSpec{
			Email:      email,
			Action:     zoomv1.ActionSSOCreate,
			FirstName:  "Ada",
			LastName:   "Lovelace",
			AccountRef: zoomv1.AccountReference{Kind: zoomv1.AccountKindNamespaced, Name: "zoom"},
		},
	}
	for _, e := range edit {
		e(zu)
	}
	return zu
}

// waitUser polls the ZoomUser until ok holds, and fails the test after waitTimeout.
func (tn *tenant) waitUser(name string, what string, ok func(*zoomv1.ZoomUser) bool) *zoomv1.ZoomUser {
	tn.t.Helper()
	var zu zoomv1.ZoomUser
	deadline := time.Now().Add(waitTimeout)
	for {
		err := k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: name}, &zu)
		if err == nil && ok(&zu) {
			return &zu
		}
		if time.Now().After(deadline) {
			tn.t.Fatalf("ZoomUser %s never became %s; last status: %+v (err %v)", name, what, zu.Status, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (tn *tenant) waitReady(name string) *zoomv1.ZoomUser {
	tn.t.Helper()
	return tn.waitUser(name, "Ready", func(zu *zoomv1.ZoomUser) bool {
		return readyAtGeneration(zu)
	})
}

// waitReason waits for the Ready condition to carry reason.
func (tn *tenant) waitReason(name, reason string) *zoomv1.ZoomUser {
	tn.t.Helper()
	return tn.waitUser(name, "reason "+reason, func(zu *zoomv1.ZoomUser) bool {
		c := meta.FindStatusCondition(zu.Status.Conditions, zoomv1.ConditionReady)
		return c != nil && c.Reason == reason && c.ObservedGeneration == zu.Generation
	})
}

// events returns the events about one object, by type and reason.
func (tn *tenant) events(name string) []eventsv1.Event {
	tn.t.Helper()
	var list eventsv1.EventList
	if err := k8s.List(context.Background(), &list, client.InNamespace(tn.ns)); err != nil {
		tn.t.Fatal(err)
	}
	var out []eventsv1.Event
	for _, e := range list.Items {
		if e.Regarding.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// waitEvent waits for an event with that type and reason whose note contains text.
func (tn *tenant) waitEvent(name, typ, reason, text string) {
	tn.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		for _, e := range tn.events(name) {
			if e.Type == typ && e.Reason == reason && strings.Contains(e.Note, text) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	tn.t.Fatalf("no %s event %s containing %q for %s; have %+v", typ, reason, text, name, tn.events(name))
}

// consistently checks that cond holds for the whole duration.
func consistently(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if !cond() {
			t.Fatalf("%s stopped holding", what)
		}
	}
}

func condition(zu *zoomv1.ZoomUser, typ string) *metav1.Condition {
	return meta.FindStatusCondition(zu.Status.Conditions, typ)
}
