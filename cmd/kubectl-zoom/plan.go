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
	"slices"
	"strings"

	flag "github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	zoomv1 "github.com/zoom-operator/zoom-operator/api/v1alpha1"
	"github.com/zoom-operator/zoom-operator/internal/export"
	"github.com/zoom-operator/zoom-operator/internal/plan"
	"github.com/zoom-operator/zoom-operator/internal/userapi"
	"github.com/zoom-operator/zoom-operator/internal/zoom"
)

const planHelp = `Show what the zoom-operator would do to Zoom for each ZoomUser, without
changing anything: a dry run to read before a merge or an apply.

For each ZoomUser the plan says one of:
  create         Zoom has no user with the email; the operator creates it
                 (or "not corrected: missing; not created" when
                 managementPolicies exclude Create)
  adopt          a Zoom user the operator did not create has the email; the
                 account allows adoption (adoptExistingUsers: true)
  refused        the same, but the account does not allow adoption: the
                 operator stops (Stalled, AlreadyExists) and changes nothing;
                 also when another ZoomUser of the same Zoom account claims
                 the email (Conflict), or the namespace may not use the
                 ClusterZoomAccount (allowedNamespaces)
  update         the operator changes these fields, each shown "from" -> "to"
  not corrected  Zoom differs from the spec, and managementPolicies exclude
                 the change (the operator reports it as Drifted), or the
                 user is missing and they exclude Create (NotInZoom)
  unchanged      Zoom matches; listed only with --show-unchanged, or when
                 there is something to say: a pending invitation (the
                 operator leaves it alone until the person accepts it), a
                 suspended object, a type that waits for the user's activation.
and ends with a summary:
  Plan: 2 to create, 3 to adopt, 1 to update, 1 refused, 0 not corrected, 993 unchanged.
Roles (spec.role) are not planned: a ZoomUser that names one gets a note.

Which ZoomUsers:
  -f FILE|DIR|-   manifests as you would kubectl apply them (repeatable). A
                  directory with a kustomization.yaml is read through its
                  resources list (files and directories, recursively) and its
                  namespace; patches, generators and remote resources are not
                  applied. Another directory: its .yaml, .yml and .json files.
                  Objects of other kinds are left out. When the cluster is
                  read for accounts (accountRef or --from-account), a
                  manifest of an object that already exists takes its status.
                  With ZOOM_* variables every manifest is planned as a new
                  object: a Zoom user the operator already holds then shows
                  as adopt or refused.
  without -f      the ZoomUsers of --namespace (else the kubeconfig context's
                  namespace), or of every namespace with --all-namespaces, read
                  through your kubeconfig. Their status says which Zoom user
                  each one is bound to, so the plan is exact.

Credentials, from the first of:
  --from-account KIND/NAME   one account object for every ZoomUser (see below)
  ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET (+ ZOOM_API_URL,
      ZOOM_TOKEN_URL, ZOOM_PLAN)   one account for every ZoomUser
  otherwise each ZoomUser's own spec.accountRef, as the operator resolves it
An account object is read through your kubeconfig, with your own
permissions: get on the ZoomAccount or ClusterZoomAccount and on the Secret
it names. An error names the permission that is missing. An account whose
apiURL or tokenURL is outside --allowed-zoom-hosts is refused before its
Secret is read. Whether a Zoom user may be adopted is the account object's
adoptExistingUsers, false with ZOOM_* variables; --adopt-existing-users
overrides both.

Zoom is only read: one GET per ZoomUser for up to 5 users of an account,
otherwise one listing of the whole account (all statuses, paged, within the
account's rate limits). The plan goes to stdout, progress to stderr.

Exit status (like terraform plan -detailed-exitcode):
  0  nothing to do: every ZoomUser is unchanged
  2  the plan creates, adopts, updates, refuses or leaves drift
  1  an error (bad flags, an unreadable file, account or Zoom)

Examples:
  # What would the operator do with the manifests of this pull request?
  kubectl zoom plan -f users/

  # ... using the credentials of the account they will use:
  kubectl zoom plan -f users/ --from-account ClusterZoomAccount/default

  # Everything the operator manages in one namespace, as it stands:
  kubectl zoom plan -n team-a

  # In CI: fail the job on errors only (exit 2, a plan with changes, passes):
  kubectl zoom plan -f users/ || [ $? -eq 2 ]

Flags:
`

// planFlags are the flags of plan, as given.
type planFlags struct {
	files         []string
	namespace     string
	allNamespaces bool
	adoptExisting bool
	showUnchanged bool
	creds         credentialFlags
}

func (f *planFlags) register(fs *flag.FlagSet) {
	fs.StringArrayVarP(&f.files, "filename", "f", nil, "manifests to plan: a file, a directory (a kustomization's resources) or - for stdin; repeatable")
	fs.StringVarP(&f.namespace, "namespace", "n", "", "namespace of the ZoomUsers to plan (without -f), and of manifests that name none")
	fs.BoolVarP(&f.allNamespaces, "all-namespaces", "A", false, "plan the ZoomUsers of every namespace (without -f)")
	fs.BoolVar(&f.adoptExisting, "adopt-existing-users", false, "assume that the account allows adopting existing Zoom users (--adopt-existing-users=false: that it does not);\nwithout the flag: the account object's adoptExistingUsers, false with ZOOM_* variables")
	fs.BoolVar(&f.showUnchanged, "show-unchanged", false, "list unchanged ZoomUsers too")
	f.creds.register(fs)
}

// lookupByEmailMax is the most ZoomUsers of one account that are looked up
// one by one; for more, one listing of the account (three calls or more,
// one status at a time) costs less.
const lookupByEmailMax = 5

func runPlan(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kubectl zoom plan", flag.ContinueOnError)
	var f planFlags
	f.register(fs)
	// Exit code 2 means "changes planned", so bad flags are 1.
	if code, done := parseFlags(fs, args, planHelp, exitError, stdout, stderr); done {
		return code
	}
	if err := f.check(fs); err != nil {
		fmt.Fprintf(stderr, "kubectl zoom plan: %v\n", err)
		return exitError
	}
	p := &planner{flags: &f, adoptSet: fs.Changed("adopt-existing-users"), getenv: getenv, stderr: stderr}
	entries, err := p.run(ctx, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "kubectl zoom plan: %v\n", err)
		return exitError
	}
	if err := plan.Write(stdout, entries, f.showUnchanged); err != nil {
		fmt.Fprintf(stderr, "kubectl zoom plan: %v\n", err)
		return exitError
	}
	summary := plan.Summarize(entries)
	switch {
	case summary.Errors > 0:
		return exitError
	case summary.Actionable():
		return exitChanges
	}
	return exitOK
}

func (f *planFlags) check(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (manifests go after -f)", fs.Args())
	}
	if f.allNamespaces && (len(f.files) > 0 || f.namespace != "") {
		return errors.New("--all-namespaces plans the ZoomUsers of the cluster: give neither -f nor --namespace with it")
	}
	return f.creds.checkFlags()
}

// planner gathers the ZoomUsers, their accounts and their Zoom users.
type planner struct {
	flags    *planFlags
	adoptSet bool // --adopt-existing-users was given
	getenv   func(string) string
	stderr   io.Writer
	// others are the ZoomUsers of the manifests' namespaces in the cluster
	// that no manifest names: not planned, but they hold emails.
	others []zoomv1.ZoomUser
}

// accountGroup is the ZoomUsers of one account, looked up together.
type accountGroup struct {
	acct  *account
	err   error // the account could not be read
	items []int // indexes into the planned users
}

func (p *planner) run(ctx context.Context, stdin io.Reader) ([]plan.Entry, error) {
	fixed, err := p.flags.creds.fixed(ctx, p.getenv, p.flags.namespace, p.stderr)
	if err != nil {
		return nil, err
	}
	// Accounts read through the kubeconfig mean a cluster to compare with.
	users, err := p.users(ctx, stdin, fixed == nil || p.flags.creds.fromAccount != "")
	if err != nil {
		return nil, err
	}
	groups, order := p.groups(ctx, users, fixed)
	fmt.Fprintf(p.stderr, "planning %d ZoomUsers of %d %s\n", len(users), len(order), plural(len(order), "account", "accounts"))
	entries := make([]plan.Entry, len(users))
	refusals := make([]string, len(users))
	for i := range users {
		entries[i] = plan.Entry{Name: objectName(&users[i]), Email: users[i].Spec.Email}
	}
	p.checkNamespaces(ctx, groups, users, entries, refusals)
	conflicts(groups, order, users, entries, refusals, p.othersByGroup(groups, fixed))
	for _, key := range order {
		p.planGroup(ctx, groups[key], users, entries, refusals)
	}
	return entries, nil
}

// checkNamespaces refuses the users whose namespace may not use their
// ClusterZoomAccount (allowedNamespaces), as the operator does.
func (p *planner) checkNamespaces(ctx context.Context, groups map[string]*accountGroup, users []zoomv1.ZoomUser, entries []plan.Entry, refusals []string) {
	labelCache := map[string]map[string]string{} // namespace -> its labels
	for _, g := range groups {
		if g.acct == nil || g.acct.allowed == nil || g.acct.allowed.From != zoomv1.NamespacesFromSelector {
			continue
		}
		for _, i := range g.items {
			refusals[i], entries[i].Err = p.namespaceRefusal(ctx, g.acct, users[i].Namespace, labelCache)
		}
	}
}

func (p *planner) namespaceRefusal(ctx context.Context, acct *account, namespace string, cache map[string]map[string]string) (string, error) {
	selector, err := metav1.LabelSelectorAsSelector(acct.allowed.Selector)
	if err != nil {
		return fmt.Sprintf("%s has an invalid namespace selector: %v", acct.Name, err), nil
	}
	nsLabels, ok := cache[namespace]
	if !ok {
		var ns corev1.Namespace
		cl, err := p.connect()
		if err != nil {
			return "", err
		}
		if err := cl.reader.Get(ctx, types.NamespacedName{Name: namespace}, &ns); err != nil {
			return "", readError(err, "namespace "+namespace+" (to check the allowedNamespaces of "+acct.Name+")", "namespaces", "", "")
		}
		nsLabels = ns.Labels
		cache[namespace] = nsLabels
	}
	if selector.Matches(labels.Set(nsLabels)) {
		return "", nil
	}
	return fmt.Sprintf("namespace %s is not allowed to use %s (allowedNamespaces)", namespace, acct.Name), nil
}

// othersByGroup sorts the cluster's other ZoomUsers into the planned
// accounts they use; those of other accounts are left out.
func (p *planner) othersByGroup(groups map[string]*accountGroup, fixed *account) map[string][]*zoomv1.ZoomUser {
	out := map[string][]*zoomv1.ZoomUser{}
	for i := range p.others {
		zu := &p.others[i]
		key := fixedKey
		if fixed == nil {
			key = accountName(zu.Namespace, zu.Spec.AccountRef)
		}
		if _, ok := groups[key]; ok {
			out[key] = append(out[key], zu)
		}
	}
	return out
}

// conflicts refuses the users that lose their email to another of the
// same Zoom account, planned or already in the cluster (others). Users
// whose account cannot be used claim nothing.
func conflicts(groups map[string]*accountGroup, order []string, users []zoomv1.ZoomUser, entries []plan.Entry, refusals []string, others map[string][]*zoomv1.ZoomUser) {
	claimants := map[string][]*zoomv1.ZoomUser{} // Zoom account -> users
	index := map[*zoomv1.ZoomUser]int{}
	for _, key := range order {
		g := groups[key]
		if g.err != nil {
			continue
		}
		zoomAccount := g.acct.Settings.APIURL + " " + g.acct.Credentials.AccountID
		claimants[zoomAccount] = append(claimants[zoomAccount], others[key]...)
		for _, i := range g.items {
			if entries[i].Err == nil && refusals[i] == "" {
				claimants[zoomAccount] = append(claimants[zoomAccount], &users[i])
				index[&users[i]] = i
			}
		}
	}
	for _, list := range claimants {
		for loser, refusal := range plan.Conflicts(list) {
			if i, planned := index[loser]; planned {
				refusals[i] = refusal
			}
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func objectName(zu *zoomv1.ZoomUser) string {
	if zu.Namespace == "" {
		return zu.Name
	}
	return zu.Namespace + "/" + zu.Name
}

// users reads the ZoomUsers to plan: from -f, else from the cluster. Each
// manifest gets a namespace when one is known: --namespace, else, when
// the cluster is used, the kubeconfig context's. With a cluster, a manifest
// of an object that exists takes its status, so that the plan knows which
// Zoom user the operator already holds for it.
func (p *planner) users(ctx context.Context, stdin io.Reader, useCluster bool) ([]zoomv1.ZoomUser, error) {
	if len(p.flags.files) == 0 {
		return p.clusterUsers(ctx)
	}
	users, skipped, err := readManifests(p.flags.files, stdin)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(p.stderr, "read %d ZoomUsers from the manifests (%d objects of other kinds left out)\n", len(users), skipped)
	if !useCluster || len(users) == 0 {
		for i := range users {
			users[i].Namespace = orDefault(users[i].Namespace, p.flags.namespace)
		}
		return users, nil
	}
	cl, err := p.connect()
	if err != nil {
		return nil, err
	}
	for i := range users {
		users[i].Namespace = orDefault(users[i].Namespace, orDefault(p.flags.namespace, cl.namespace))
	}
	return users, p.takeLiveStatus(ctx, cl, users)
}

// takeLiveStatus gives each manifest the status (and creation time) of
// the object of the same namespace, name and email in the cluster; one
// listing per namespace.
func (p *planner) takeLiveStatus(ctx context.Context, cl *cluster, users []zoomv1.ZoomUser) error {
	live := map[string]map[string]*zoomv1.ZoomUser{} // namespace -> name -> object
	taken := 0
	for i := range users {
		zu := &users[i]
		byName, ok := live[zu.Namespace]
		if !ok {
			var list zoomv1.ZoomUserList
			if err := cl.reader.List(ctx, &list, client.InNamespace(zu.Namespace)); err != nil {
				return readError(err, "the ZoomUsers of namespace "+zu.Namespace, "zoomusers", zoomv1.GroupVersion.Group, zu.Namespace)
			}
			byName = map[string]*zoomv1.ZoomUser{}
			for j := range list.Items {
				byName[list.Items[j].Name] = &list.Items[j]
			}
			live[zu.Namespace] = byName
		}
		if have, ok := byName[zu.Name]; ok && strings.EqualFold(have.Spec.Email, zu.Spec.Email) {
			zu.Status, zu.CreationTimestamp = have.Status, have.CreationTimestamp
			taken++
		}
	}
	p.others = nil
	for _, byName := range live {
		for name, zu := range byName {
			if !named(users, zu.Namespace, name) {
				p.others = append(p.others, *zu)
			}
		}
	}
	fmt.Fprintf(p.stderr, "%d of the manifests exist in the cluster; the plan uses their status\n", taken)
	return nil
}

func named(users []zoomv1.ZoomUser, namespace, name string) bool {
	return slices.ContainsFunc(users, func(zu zoomv1.ZoomUser) bool { return zu.Namespace == namespace && zu.Name == name })
}

func (p *planner) clusterUsers(ctx context.Context) ([]zoomv1.ZoomUser, error) {
	cl, err := p.connect()
	if err != nil {
		return nil, err
	}
	var opts []client.ListOption
	namespace, where := "", "every namespace"
	if !p.flags.allNamespaces {
		namespace = orDefault(p.flags.namespace, cl.namespace)
		where = "namespace " + namespace
		opts = append(opts, client.InNamespace(namespace))
	}
	var list zoomv1.ZoomUserList
	if err := cl.reader.List(ctx, &list, opts...); err != nil {
		return nil, readError(err, "the ZoomUsers of "+where, "zoomusers", zoomv1.GroupVersion.Group, namespace)
	}
	fmt.Fprintf(p.stderr, "read %d ZoomUsers from %s\n", len(list.Items), where)
	return list.Items, nil
}

func (p *planner) connect() (*cluster, error) {
	cl, err := p.flags.creds.connect(p.getenv)
	if err != nil && p.flags.creds.fromAccount == "" {
		return nil, fmt.Errorf("%w (without --from-account or ZOOM_* variables, plan reads each ZoomUser's accountRef through the kubeconfig)", err)
	}
	return cl, err
}

// groups sorts the users by account, reading each account object once;
// fixed, when set, is every user's account.
func (p *planner) groups(ctx context.Context, users []zoomv1.ZoomUser, fixed *account) (map[string]*accountGroup, []string) {
	groups := map[string]*accountGroup{}
	var order []string
	for i := range users {
		key := fixedKey
		if fixed == nil {
			key = accountName(users[i].Namespace, users[i].Spec.AccountRef)
		}
		g, ok := groups[key]
		if !ok {
			g = &accountGroup{acct: fixed}
			if fixed == nil {
				g.acct, g.err = p.readAccount(ctx, users[i].Namespace, users[i].Spec.AccountRef)
			}
			groups[key] = g
			order = append(order, key)
		}
		g.items = append(g.items, i)
	}
	return groups, order
}

// fixedKey groups every user when one account serves them all.
const fixedKey = ""

func (p *planner) readAccount(ctx context.Context, namespace string, ref zoomv1.AccountReference) (*account, error) {
	cl, err := p.connect()
	if err != nil {
		return nil, err
	}
	hosts, err := p.flags.creds.hosts()
	if err != nil {
		return nil, err
	}
	return readAccount(ctx, cl.reader, namespace, ref, hosts)
}

// planGroup looks up the users of one account and decides each.
func (p *planner) planGroup(ctx context.Context, g *accountGroup, users []zoomv1.ZoomUser, entries []plan.Entry, refusals []string) {
	find, err := p.finder(ctx, g)
	adopt := p.flags.adoptExisting
	if !p.adoptSet && g.acct != nil {
		adopt = g.acct.Settings.AdoptExistingUsers
	}
	for _, i := range g.items {
		if entries[i].Err != nil {
			continue
		}
		if err != nil {
			entries[i].Err = err
			continue
		}
		zu := &users[i]
		if refusals[i] != "" {
			entries[i].Step = plan.Decide(plan.Input{User: zu, Refusal: refusals[i]})
			continue
		}
		remote, err := find(ctx, userapi.Target{ID: zu.Status.ID, Email: zu.Spec.Email})
		if err != nil {
			entries[i].Err = fmt.Errorf("looking up %s in %s: %w", zu.Spec.Email, g.acct.Name, err)
			continue
		}
		entries[i].Step = plan.Decide(plan.Input{User: zu, Remote: remote, AdoptExistingUsers: adopt})
	}
}

// findFunc returns the Zoom user the operator would observe for t.
type findFunc func(ctx context.Context, t userapi.Target) (*zoom.User, error)

// finder authenticates with the group's account and chooses how to look
// its users up: one GET each for a few, one listing for more.
func (p *planner) finder(ctx context.Context, g *accountGroup) (findFunc, error) {
	if g.err != nil {
		return nil, g.err
	}
	c := g.acct.client()
	if err := c.Authenticate(ctx); err != nil {
		return nil, fmt.Errorf("authenticating with Zoom as %s: %w", g.acct.Name, err)
	}
	direct := userapi.Direct{Client: c}
	lookUp := func(ctx context.Context, t userapi.Target) (*zoom.User, error) {
		return direct.Observe(ctx, t, false)
	}
	if len(g.items) <= lookupByEmailMax {
		fmt.Fprintf(p.stderr, "%s: looking up %d users one by one\n", g.acct.Name, len(g.items))
		return lookUp, nil
	}
	fmt.Fprintf(p.stderr, "%s: listing the account for %d users\n", g.acct.Name, len(g.items))
	listing, err := export.List(ctx, c, export.Statuses, p.stderr)
	if err != nil {
		return nil, fmt.Errorf("listing the users of %s: %w", g.acct.Name, err)
	}
	idx := indexUsers(listing.Users)
	return func(ctx context.Context, t userapi.Target) (*zoom.User, error) {
		if u := idx.find(t); u == nil || u.ID != "" {
			return u, nil
		}
		// Zoom lists some pending invitations without an id: ask for the
		// user itself, as the operator does, to tell whether it is the
		// one status.id names.
		return lookUp(ctx, t)
	}, nil
}

// userIndex finds listed users as Observe does: by id, then by email.
type userIndex struct {
	byID, byEmail map[string]*zoom.User
}

func indexUsers(users []zoom.User) userIndex {
	idx := userIndex{byID: map[string]*zoom.User{}, byEmail: map[string]*zoom.User{}}
	for i := range users {
		u := &users[i]
		if u.ID != "" {
			idx.byID[u.ID] = u
		}
		idx.byEmail[strings.ToLower(u.Email)] = u
	}
	return idx
}

func (idx userIndex) find(t userapi.Target) *zoom.User {
	if u, ok := idx.byID[t.ID]; ok && t.ID != "" {
		return u
	}
	return idx.byEmail[strings.ToLower(t.Email)]
}
