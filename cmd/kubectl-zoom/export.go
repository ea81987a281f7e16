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
	flag "github.com/spf13/pflag"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/export"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

const exportHelp = `Write every user of a Zoom account as a ZoomUser manifest, so that an
account that already has users can be brought under GitOps.

Each ZoomUser says what Zoom already has (email, type, Active or Inactive,
first, last and display name), so an operator whose account allows adoption
(adoptExistingUsers: true) adopts the users without changing anything in
Zoom. Objects get deletionPolicy Orphan unless --deletion-policy says
otherwise: deleting an exported object then leaves its Zoom user alone.

Pending users (invited, not yet accepted) are exported with state Active: the
operator reports them as InvitePending and leaves them to accept. Leave them
out with --status active,inactive.

Names are the lower-case email with "@" as ".", e.g. ada.example.com; an
email with characters a name cannot hold, or whose name another email would
share, gets a short hash of the email appended (ada-x.example.com-1f2e3d4c).

Credentials (a Server-to-Server OAuth app of the account, read-only use)
come from one of:
  --from-account KIND/NAME   an account object of the cluster and the Secret
      it names, read through your kubeconfig with your own permissions
      (get on the account and on its Secret); its apiURL, tokenURL and plan
      apply. The exported objects then point at that account.
  ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET   environment variables
      ZOOM_API_URL     default https://api.zoom.us/v2
      ZOOM_TOKEN_URL   default https://zoom.us/oauth/token
      ZOOM_PLAN        Free, Pro or Business: the account's rate limits (default Pro)
--from-account wins when both are given. The app needs the scope
user:read:admin (or user:read:list_users:admin), and
group:read:admin for --group. No secret is ever printed.

Counts go to stderr, manifests to stdout (or --out-dir).

Examples:
  # Everything, as one YAML stream:
  kubectl zoom export > zoom-users.yaml

  # Active users of one domain, into a kustomize directory for namespace team-a:
  kubectl zoom export --status active --domain example.com \
      --namespace team-a --account-kind ZoomAccount --account-name zoom \
      --out-dir users/

  # With the credentials of the operator's own account, read from the cluster:
  kubectl zoom export --from-account ClusterZoomAccount/default > zoom-users.yaml

  # Members of two Zoom groups, bound read-only (the operator never writes):
  kubectl zoom export --group Engineering,Support --management-policies Observe

  # Just these users (a file holds one email a line):
  kubectl zoom export --emails ada@example.com,grace@example.com
  kubectl zoom export --emails @emails.txt

Flags:
`

// exportFlags are the flags of export, as given.
type exportFlags struct {
	namespace, accountKind, accountName string
	action, deletionPolicy              string
	statuses, domains, emails           string
	outDir                              string
	creds                               credentialFlags
	groups, managementPolicies          string
}

func (f *exportFlags) register(fs *flag.FlagSet) {
	fs.StringVarP(&f.namespace, "namespace", "n", "", "metadata.namespace of the objects; empty leaves it to kubectl apply -n")
	fs.StringVar(&f.accountKind, "account-kind", string(zoomv1.AccountKindCluster), "spec.accountRef.kind: ClusterZoomAccount or ZoomAccount")
	fs.StringVar(&f.accountName, "account-name", "default", "spec.accountRef.name")
	fs.StringVar(&f.action, "action", string(zoomv1.ActionCreate),
		"spec.action: how the operator would create the user again if it disappeared from Zoom.\n"+
			"create (an invitation the person must accept), ssoCreate or custCreate. Users of type None always get ssoCreate")
	fs.StringVar(&f.deletionPolicy, "deletion-policy", string(zoomv1.DeletionPolicyOrphan), "spec.deletionPolicy: Orphan, Deactivate, Disassociate or Delete")
	fs.StringVar(&f.statuses, "status", strings.Join(export.Statuses, ","), "Zoom statuses to export, comma-separated: active, inactive, pending")
	fs.StringVar(&f.domains, "domain", "", "export only emails of these domains, comma-separated")
	fs.StringVar(&f.emails, "emails", "", "export only these emails, comma-separated, or @FILE with one email a line (# comments)")
	fs.StringVar(&f.outDir, "out-dir", "", "write one file per user and a kustomization.yaml into this directory instead of stdout")
	f.creds.register(fs)
	fs.StringVar(&f.groups, "group", "", "export only members of these Zoom groups (exact names), comma-separated")
	fs.StringVar(&f.managementPolicies, "management-policies", "",
		"spec.managementPolicies of every object, comma-separated: Observe, Create, Update, Delete, or * alone;\n"+
			"must include Observe (Observe alone: the operator binds and reports, never writes). Default: left out, which means *")
}

func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kubectl zoom export", flag.ContinueOnError)
	var f exportFlags
	f.register(fs)
	if code, done := parseFlags(fs, args, exportHelp, exitUsage, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kubectl zoom export: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}
	f.refFromAccount(fs)
	opts, statuses, err := f.options()
	if err == nil {
		err = f.creds.checkFlags()
	}
	if err != nil {
		fmt.Fprintf(stderr, "kubectl zoom export: %v\n", err)
		return exitUsage
	}
	acct, err := f.creds.fixed(ctx, getenv, f.namespace, stderr)
	if err == nil && acct == nil {
		err = errNoCredentials
	}
	if err != nil {
		fmt.Fprintf(stderr, "kubectl zoom export: %v\n", err)
		return exitCodeOf(err)
	}
	if err := exportUsers(ctx, acct.client(), opts, statuses, splitTrim(f.groups), f.outDir, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "kubectl zoom export: %v\n", err)
		return exitError
	}
	return exitOK
}

func exportUsers(ctx context.Context, client *zoom.Client, opts *export.Options, statuses, groups []string, outDir string, stdout, stderr io.Writer) error {
	if err := client.Authenticate(ctx); err != nil {
		return fmt.Errorf("authenticating with Zoom: %w", err)
	}
	if len(groups) > 0 {
		members, err := export.GroupMembers(ctx, client, groups, stderr)
		if err != nil {
			return err
		}
		opts.GroupMembers = members.Emails
	}
	listing, err := export.List(ctx, client, statuses, stderr)
	if err != nil {
		return err
	}
	manifests, err := export.Build(listing.Users, opts)
	if err != nil {
		return err
	}
	if missing := opts.Missing(listing.Users); len(missing) > 0 {
		fmt.Fprintf(stderr, "not among the users listed (%s): %s\n", strings.Join(statuses, ", "), strings.Join(missing, ", "))
	}
	if outDir != "" {
		if err := export.WriteDir(outDir, manifests); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %d ZoomUsers and kustomization.yaml to %s\n", len(manifests), outDir)
		return nil
	}
	if err := export.WriteYAML(stdout, manifests); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d ZoomUsers\n", len(manifests))
	return nil
}

// refFromAccount makes the exported objects point at --from-account's
// account, unless --account-kind or --account-name say otherwise.
func (f *exportFlags) refFromAccount(fs *flag.FlagSet) {
	ref, err := f.creds.accountRef()
	if f.creds.fromAccount == "" || err != nil {
		return // an invalid --from-account is reported with the other flags
	}
	if !fs.Changed("account-kind") {
		f.accountKind = string(ref.Kind)
	}
	if !fs.Changed("account-name") {
		f.accountName = ref.Name
	}
}

// options checks the flags and turns them into export options and the
// statuses to list.
func (f *exportFlags) options() (*export.Options, []string, error) {
	opts := &export.Options{
		Namespace:      f.namespace,
		AccountKind:    zoomv1.AccountKind(f.accountKind),
		AccountName:    f.accountName,
		Action:         zoomv1.CreateAction(f.action),
		DeletionPolicy: zoomv1.DeletionPolicy(f.deletionPolicy),
		Domains:        splitLower(f.domains),
	}
	if err := oneOf("--account-kind", f.accountKind, zoomv1.AccountKindCluster, zoomv1.AccountKindNamespaced); err != nil {
		return nil, nil, err
	}
	if f.accountName == "" {
		return nil, nil, errors.New("--account-name must not be empty")
	}
	// autoCreate is left out: it needs a password Secret per user.
	if err := oneOf("--action", f.action, zoomv1.ActionCreate, zoomv1.ActionSSOCreate, zoomv1.ActionCustCreate); err != nil {
		return nil, nil, err
	}
	if err := oneOf("--deletion-policy", f.deletionPolicy, zoomv1.DeletionPolicyOrphan,
		zoomv1.DeletionPolicyDeactivate, zoomv1.DeletionPolicyDisassociate, zoomv1.DeletionPolicyDelete); err != nil {
		return nil, nil, err
	}
	statuses := splitLower(f.statuses)
	if len(statuses) == 0 {
		return nil, nil, errors.New("--status must name at least one of active, inactive, pending")
	}
	for _, s := range statuses {
		if err := oneOf("--status", s, export.Statuses...); err != nil {
			return nil, nil, err
		}
	}
	emails, err := emailSet(f.emails)
	if err != nil {
		return nil, nil, err
	}
	opts.Emails = emails
	if opts.ManagementPolicies, err = export.ParseManagementPolicies(f.managementPolicies); err != nil {
		return nil, nil, fmt.Errorf("--management-policies: %w", err)
	}
	return opts, unique(statuses), nil
}

func oneOf[T ~string](flagName, value string, allowed ...T) error {
	for _, a := range allowed {
		if value == string(a) {
			return nil
		}
	}
	return fmt.Errorf("%s %q: must be one of %v", flagName, value, allowed)
}

// emailSet reads --emails: nil when not given, so that every email passes.
func emailSet(v string) (map[string]bool, error) {
	if v == "" {
		return nil, nil
	}
	list := v
	if file, ok := strings.CutPrefix(v, "@"); ok {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--emails: %w", err)
		}
		var lines []string
		for line := range strings.Lines(string(data)) {
			line, _, _ = strings.Cut(line, "#")
			lines = append(lines, strings.TrimSpace(line))
		}
		list = strings.Join(lines, ",")
	}
	set := map[string]bool{}
	for _, e := range splitLower(list) {
		set[e] = true
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("--emails %q names no email", v)
	}
	return set, nil
}

// unique keeps the first of each value, in order.
func unique(values []string) []string {
	var out []string
	for _, v := range values {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// splitTrim splits a comma-separated list, keeping case: Zoom's group
// names are matched exactly.
func splitTrim(v string) []string {
	var out []string
	for s := range strings.SplitSeq(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func splitLower(v string) []string {
	var out []string
	for s := range strings.SplitSeq(v, ",") {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Credentials and endpoints come from these environment variables, unless
// --from-account names an account object.
const (
	envAccountID    = "ZOOM_ACCOUNT_ID"
	envClientID     = "ZOOM_CLIENT_ID"
	envClientSecret = "ZOOM_CLIENT_SECRET"
	envAPIURL       = "ZOOM_API_URL"
	envTokenURL     = "ZOOM_TOKEN_URL"
	envPlan         = "ZOOM_PLAN"
)

// listMaxWait is how long a call may wait for the budget. A person running
// an export can wait longer than the operator's workers, which must not
// hold up other objects.
const listMaxWait = time.Minute

func orDefault[T ~string](v, def T) T {
	if v == "" {
		return def
	}
	return v
}
