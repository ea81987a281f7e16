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

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	flag "github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/accountpool"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

// Zoom's own endpoints: the CRDs' defaults, and the plugin's when ZOOM_*
// variables or an account object leave a URL out.
const (
	defaultAPIURL   = "https://api.zoom.us/v2"
	defaultTokenURL = "https://zoom.us/oauth/token"
)

// account is a Zoom account the plugin may call: an account object's
// settings and credentials, or those of ZOOM_* variables.
type account struct {
	// Name says where it came from: "ClusterZoomAccount/default",
	// "ZoomAccount/team-a/zoom" or "ZOOM_* variables". Never a secret.
	Name        string
	Settings    zoomv1.AccountSettings
	Credentials zoom.Credentials
	// allowed is a ClusterZoomAccount's allowedNamespaces.
	allowed *zoomv1.AllowedNamespaces
}

// client builds the client and budget the operator would use for the account.
func (a *account) client() *zoom.Client {
	return zoom.New(zoom.Config{
		APIURL:      a.Settings.APIURL,
		TokenURL:    a.Settings.TokenURL,
		Credentials: a.Credentials,
		Budget:      zoom.NewBudget(zoom.BudgetOptions{Plan: accountpool.ZoomPlan(a.Settings.Plan)}),
		MaxWait:     listMaxWait,
	})
}

// credentialFlags say where the Zoom credentials come from: an account
// object read through the kubeconfig (--from-account), else ZOOM_*
// variables.
type credentialFlags struct {
	kubeconfig, context string
	fromAccount         string
	allowedHosts        string
	// conn is the cluster once connected: one client for every read.
	conn *cluster
}

func (f *credentialFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.fromAccount, "from-account", "",
		"read the credentials from this account object and the Secret it names, through your kubeconfig:\n"+
			"ClusterZoomAccount/NAME, or ZoomAccount/NAME (in --namespace, else the context's namespace).\n"+
			"It also sets apiURL, tokenURL and plan. Wins over ZOOM_* variables")
	fs.StringVar(&f.allowedHosts, "allowed-zoom-hosts", strings.Join(accountpool.DefaultAllowedHosts, ","),
		"Comma-separated hosts (host, or host:port) that account objects' apiURL and tokenURL may use;\n"+
			"plain http only to a listed loopback address. An account outside it never receives the credentials.\n"+
			"ZOOM_API_URL and ZOOM_TOKEN_URL, which you set yourself, are not limited")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default $KUBECONFIG, else ~/.kube/config)")
	fs.StringVar(&f.context, "context", "", "kubeconfig context to use (default its current context)")
}

// hosts parses --allowed-zoom-hosts.
func (f *credentialFlags) hosts() (accountpool.HostPolicy, error) {
	p, err := accountpool.ParseHosts(f.allowedHosts)
	if err != nil {
		return p, fmt.Errorf("--allowed-zoom-hosts: %w", err)
	}
	return p, nil
}

// accountRef parses --from-account.
func (f *credentialFlags) accountRef() (zoomv1.AccountReference, error) {
	kind, name, ok := strings.Cut(f.fromAccount, "/")
	ref := zoomv1.AccountReference{Kind: zoomv1.AccountKind(kind), Name: name}
	if !ok || name == "" || strings.Contains(name, "/") ||
		(ref.Kind != zoomv1.AccountKindCluster && ref.Kind != zoomv1.AccountKindNamespaced) {
		return ref, fmt.Errorf("--from-account %q: want ClusterZoomAccount/NAME or ZoomAccount/NAME", f.fromAccount)
	}
	return ref, nil
}

// checkFlags reports flag errors before anything is read.
func (f *credentialFlags) checkFlags() error {
	if _, err := f.hosts(); err != nil {
		return err
	}
	if f.fromAccount != "" {
		_, err := f.accountRef()
		return err
	}
	return nil
}

// fixed returns the account every object uses: --from-account, else ZOOM_*
// variables; nil when neither is given. namespace is --namespace.
func (f *credentialFlags) fixed(ctx context.Context, getenv func(string) string, namespace string, stderr io.Writer) (*account, error) {
	env, envErr := accountFromEnv(getenv)
	if f.fromAccount == "" {
		if errors.Is(envErr, errNoEnv) {
			return nil, nil
		}
		return env, envErr
	}
	if env != nil || !errors.Is(envErr, errNoEnv) {
		fmt.Fprintf(stderr, "using --from-account %s; the ZOOM_* variables are ignored\n", f.fromAccount)
	}
	ref, err := f.accountRef()
	if err != nil {
		return nil, err
	}
	cl, err := f.connect(getenv)
	if err != nil {
		return nil, err
	}
	hosts, err := f.hosts()
	if err != nil {
		return nil, err
	}
	if namespace == "" {
		namespace = cl.namespace
	}
	return readAccount(ctx, cl.reader, namespace, ref, hosts)
}

// cluster is the Kubernetes API as the kubeconfig's user sees it.
type cluster struct {
	reader client.Reader
	// namespace is the context's namespace ("default" when it names none).
	namespace string
}

var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(corev1.AddToScheme(s))
	utilruntime.Must(zoomv1.AddToScheme(s))
	return s
}()

// connect loads the kubeconfig as kubectl does: --kubeconfig, else
// $KUBECONFIG, else ~/.kube/config, with --context.
func (f *credentialFlags) connect(getenv func(string) string) (*cluster, error) {
	if f.conn != nil {
		return f.conn, nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.Precedence = []string{clientcmd.RecommendedHomeFile}
	if env := getenv(clientcmd.RecommendedConfigPathEnvVar); env != "" {
		rules.Precedence = filepath.SplitList(env)
	}
	rules.ExplicitPath = f.kubeconfig
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: f.context})
	cfg, err := loader.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	namespace, _, err := loader.Namespace()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	cfg.UserAgent = "kubectl-zoom"
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	f.conn = &cluster{reader: c, namespace: namespace}
	return f.conn, nil
}

// accountName names ref as seen from namespace, as the operator's events do.
func accountName(namespace string, ref zoomv1.AccountReference) string {
	if ref.Kind == zoomv1.AccountKindNamespaced {
		return fmt.Sprintf("%s/%s/%s", ref.Kind, namespace, ref.Name)
	}
	return fmt.Sprintf("%s/%s", zoomv1.AccountKindCluster, ref.Name)
}

// readAccount reads the account object ref names, as seen from namespace,
// and then its Secret: only once its URLs passed hosts, so that credentials
// never even reach this process for an account that would send them
// elsewhere.
func readAccount(ctx context.Context, c client.Reader, namespace string, ref zoomv1.AccountReference, hosts accountpool.HostPolicy) (*account, error) {
	acct := &account{Name: accountName(namespace, ref)}
	secret, err := readAccountObject(ctx, c, namespace, ref, acct)
	if err != nil {
		return nil, err
	}
	if err := hosts.CheckSettings(acct.Settings); err != nil {
		return nil, fmt.Errorf("%s points outside the allowed Zoom hosts, so its credentials were not read: %w", acct.Name, err)
	}
	var s corev1.Secret
	if err := c.Get(ctx, secret, &s); err != nil {
		return nil, readError(err, fmt.Sprintf("Secret %s (the credentials of %s)", secret, acct.Name), "secrets", "", secret.Namespace)
	}
	creds, missing := accountpool.SecretCredentials(s.Data)
	if len(missing) > 0 {
		return nil, fmt.Errorf("Secret %s of %s lacks the keys %v", secret, acct.Name, missing)
	}
	acct.Credentials = creds
	return acct, nil
}

// readAccountObject fills acct's settings from the object and returns the
// name of its Secret.
func readAccountObject(ctx context.Context, c client.Reader, namespace string, ref zoomv1.AccountReference, acct *account) (types.NamespacedName, error) {
	if ref.Kind == zoomv1.AccountKindNamespaced {
		var za zoomv1.ZoomAccount
		if err := c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: ref.Name}, &za); err != nil {
			return types.NamespacedName{}, readError(err, acct.Name, "zoomaccounts", zoomv1.GroupVersion.Group, namespace)
		}
		acct.Settings = withDefaults(za.Spec.AccountSettings)
		return types.NamespacedName{Namespace: namespace, Name: za.Spec.CredentialsSecretRef.Name}, nil
	}
	var cza zoomv1.ClusterZoomAccount
	if err := c.Get(ctx, types.NamespacedName{Name: ref.Name}, &cza); err != nil {
		return types.NamespacedName{}, readError(err, acct.Name, "clusterzoomaccounts", zoomv1.GroupVersion.Group, "")
	}
	acct.Settings = withDefaults(cza.Spec.AccountSettings)
	acct.allowed = &cza.Spec.AllowedNamespaces
	ref2 := cza.Spec.CredentialsSecretRef
	return types.NamespacedName{Namespace: ref2.Namespace, Name: ref2.Name}, nil
}

// withDefaults fills in what the CRD defaults, for an object made before
// a default existed.
func withDefaults(s zoomv1.AccountSettings) zoomv1.AccountSettings {
	s.APIURL = orDefault(s.APIURL, defaultAPIURL)
	s.TokenURL = orDefault(s.TokenURL, defaultTokenURL)
	return s
}

// readError says what could not be read and, when RBAC refused, which
// permission the kubeconfig's user lacks.
func readError(err error, what, resource, group, namespace string) error {
	switch {
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%s not found", what)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("reading %s: your kubeconfig's user lacks the permission to get %s: %w",
			what, permission(resource, group, namespace), err)
	}
	return fmt.Errorf("reading %s: %w", what, err)
}

// permission describes an RBAC rule as a person would grant it.
func permission(resource, group, namespace string) string {
	if group != "" {
		resource += "." + group
	}
	if namespace == "" {
		return resource + " (cluster-wide)"
	}
	return resource + " in namespace " + namespace
}

// errNoEnv says that no ZOOM_* credentials are set at all.
var errNoEnv = errors.New("no ZOOM_* credentials")

// accountFromEnv reads ZOOM_* variables; errNoEnv when none of the three
// credentials is set, another error when only some are.
func accountFromEnv(getenv func(string) string) (*account, error) {
	creds := zoom.Credentials{AccountID: getenv(envAccountID), ClientID: getenv(envClientID), ClientSecret: getenv(envClientSecret)}
	var missing []string
	for _, v := range []struct{ name, value string }{
		{envAccountID, creds.AccountID}, {envClientID, creds.ClientID}, {envClientSecret, creds.ClientSecret},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	switch len(missing) {
	case 0:
	case 3:
		return nil, errNoEnv
	default:
		return nil, usageError{fmt.Errorf("set %s to the credentials of the account's Server-to-Server OAuth app, or use --from-account (see --help)", strings.Join(missing, ", "))}
	}
	return &account{
		Name: "ZOOM_* variables",
		Settings: zoomv1.AccountSettings{
			APIURL:   orDefault(getenv(envAPIURL), defaultAPIURL),
			TokenURL: orDefault(getenv(envTokenURL), defaultTokenURL),
			Plan:     zoomv1.Plan(zoom.ParsePlan(getenv(envPlan))),
		},
		Credentials: creds,
	}, nil
}
