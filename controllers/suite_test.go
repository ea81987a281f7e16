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
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/testenv"
	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

// The suite runs one manager against a real kube-apiserver and etcd
// (internal/testenv). Each test gets its own namespace, fake Zoom and
// ZoomAccount, so tests run in parallel without seeing each other's calls.
// The manager runs in this process, not as a child: TestNoSecretLeaks reads
// its debug logs and the metrics registry it fills.
var (
	k8s    client.Client // uncached, for the tests' own reads and writes
	scheme = testenv.Scheme()
	// suite is the control plane every test shares; prompt, started by the
	// first test that needs it, is a second one for "at once" claims.
	suite *clusterEnv
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
	// accountRetryInterval is the wait of a user whose account or password
	// Secret is missing. It is far longer than waitTimeout, so that a test
	// seeing such a user recover proves that a watch brought it back.
	accountRetry = 10 * time.Minute
	// promptResync is the resync of the prompt environment: longer than any
	// wait of its tests, so that only a watch can make them pass.
	promptResync = 10 * time.Minute
)

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		fmt.Fprintln(os.Stderr, "KUBEBUILDER_ASSETS is not set: run the tests with `make test`")
		return 1
	}
	ctrl.SetLogger(zap.New(zap.WriteTo(logOutput()), zap.UseDevMode(true), zap.Level(zapcore.DebugLevel)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var err error
	suite, err = startClusterEnv(ctx, resyncInterval)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer suite.stop()
	defer stopPrompt()
	k8s = suite.k8s
	return m.Run()
}

// clusterEnv is a control plane with the manager running in this process as
// a user that holds only the generated ClusterRole (config/rbac/role.yaml),
// so every test also proves that the role grants what the code needs.
type clusterEnv struct {
	cp   *testenv.ControlPlane
	k8s  client.Client
	stop func()
}

func startClusterEnv(ctx context.Context, resync time.Duration) (*clusterEnv, error) {
	dir, err := os.MkdirTemp("", "zoom-operator-controllers-")
	if err != nil {
		return nil, err
	}
	cp, err := testenv.Start(testenv.Options{RepoRoot: "..", Dir: dir, QPS: 200, Burst: 400})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	env := &clusterEnv{cp: cp, k8s: cp.Admin, stop: func() {
		cancel()
		_ = cp.Stop()
		_ = os.RemoveAll(dir)
	}}
	managerCfg, _, err := cp.ManagerIdentity(ctx, dir)
	if err != nil {
		env.stop()
		return nil, fmt.Errorf("granting the manager its generated role: %w", err)
	}
	if err := startManager(ctx, managerCfg, resync); err != nil {
		env.stop()
		return nil, fmt.Errorf("starting manager: %w", err)
	}
	return env, nil
}

var (
	promptOnce sync.Once
	prompt     *clusterEnv
	promptErr  error
)

// promptEnv is a second control plane whose manager resyncs every
// promptResync: a Stalled user there is looked at again only when a watch
// says so, so a test of an "at once" claim fails when the watch is missing.
func promptEnv(t *testing.T) *clusterEnv {
	t.Helper()
	promptOnce.Do(func() { prompt, promptErr = startClusterEnv(context.Background(), promptResync) })
	if promptErr != nil {
		t.Fatalf("starting the prompt environment: %v", promptErr)
	}
	return prompt
}

func stopPrompt() {
	if prompt != nil {
		prompt.stop()
	}
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

func startManager(ctx context.Context, cfg *rest.Config, resync time.Duration) error {
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// The prompt environment's manager registers the same controllers.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		return err
	}
	hosts, err := accountpool.ParseHosts("127.0.0.1")
	if err != nil {
		return err
	}
	opts := Options{
		ResyncInterval:          resync,
		MaxConcurrentReconciles: 8,
		ZoomTimeout:             zoomTimeout,
		AccountRetryInterval:    accountRetry,
		AllowedHosts:            hosts,
		MaxListUsers:            maxListUsers,
	}
	if err := Setup(mgr, opts); err != nil {
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
	k8s  client.Client // the tenant's control plane
	ns   string
	fake *testenv.Zoom
}

// newTenant starts a fake Zoom and a ZoomAccount "zoom" that points at it,
// on the suite's control plane.
func newTenant(t *testing.T, opts zoomfake.Options, adopt bool) *tenant {
	t.Helper()
	return newTenantIn(t, suite, opts, adopt)
}

// newPromptTenant is newTenant on the prompt environment.
func newPromptTenant(t *testing.T, opts zoomfake.Options, adopt bool) *tenant {
	t.Helper()
	return newTenantIn(t, promptEnv(t), opts, adopt)
}

func newTenantIn(t *testing.T, env *clusterEnv, opts zoomfake.Options, adopt bool) *tenant {
	t.Helper()
	fake, err := testenv.StartZoom(testenv.ZoomOptions{Fake: opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	tn := &tenant{t: t, k8s: env.k8s, fake: fake, ns: namespaceFor(t)}
	for _, obj := range testenv.NamespacedTenant(tn.ns, "zoom", tn.settings(adopt), fake.Target()) {
		tn.create(obj)
	}
	return tn
}

// namespaceFor makes a unique, valid namespace name from the test's name.
func namespaceFor(t *testing.T) string { return testenv.UniqueNamespace(t.Name()) }

func (tn *tenant) settings(adopt bool) zoomv1.AccountSettings {
	s := tn.fake.Target().Settings()
	s.AdoptExistingUsers = adopt
	return s
}

func (tn *tenant) create(obj client.Object) {
	tn.t.Helper()
	if err := tn.k8s.Create(context.Background(), obj); err != nil {
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
		err := tn.k8s.Get(context.Background(), client.ObjectKey{Namespace: tn.ns, Name: name}, &zu)
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
	if err := tn.k8s.List(context.Background(), &list, client.InNamespace(tn.ns)); err != nil {
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
