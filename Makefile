# zoom-operator Makefile. Tools come from go.mod `tool` lines, so every
# machine runs the same pinned versions.
SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

GO ?= go
CONTROLLER_GEN ?= $(GO) tool controller-gen
# Tests need kube-controller-manager too (the namespace-deletion test);
# run-local and bench only need kube-apiserver and etcd. Both are expanded
# only by the targets that use them.
ENVTEST_ASSETS = $(shell WITH_CONTROLLER_MANAGER=1 hack/envtest-assets.sh)
RUN_ASSETS = $(shell hack/envtest-assets.sh)
# go test's default -timeout is 10m per package; test/reliability alone
# budgets about 19 minutes on a busy two-core machine.
TEST_TIMEOUT ?= 30m
TEST_FLAGS ?=

.PHONY: all
all: build

##@ Development

.PHONY: manifests
manifests: ## Generate CRDs and RBAC from the markers in the code, then bring the Helm chart and config/prometheus in step.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd paths="./..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	$(MAKE) chart

.PHONY: chart
chart: ## Copy CRDs, RBAC, alert rules and dashboard from config/ into charts/zoom-operator (and wrap the rules for config/prometheus).
	$(GO) run ./hack/chartsync

.PHONY: generate
generate: ## Generate deepcopy code.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./..."

.PHONY: fmt
fmt: ## go fmt
	$(GO) fmt ./...

.PHONY: vet
vet: ## go vet
	$(GO) vet ./...

.PHONY: envtest-assets
envtest-assets: ## Build (once, cached) kube-apiserver, etcd and kube-controller-manager for envtest; prints their directory.
	@WITH_CONTROLLER_MANAGER=1 hack/envtest-assets.sh

FUZZ_TARGETS = FuzzAPIResponse FuzzParseRetryAfter
FUZZTIME ?= 1m

.PHONY: test
test: vet ## Run unit and envtest integration tests, and a short run of each fuzz test.
	KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" $(GO) test ./... -count=1 -timeout $(TEST_TIMEOUT) $(TEST_FLAGS)
	$(MAKE) fuzz FUZZTIME=10s

.PHONY: test-soak
test-soak: ## Long runs: random manager kills over 2,000 users three times, three shard replicas over 900 users, and 5 minutes of each fuzz test.
	KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" RELIABILITY_USERS=2000 RELIABILITY_KILLS=8 \
		$(GO) test ./test/reliability -run 'TestRandomKillsWhileUsersConverge' -count=3 -timeout 90m -v
	KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" SHARD_REPLICAS=3 SHARD_ACCOUNTS=9 SHARD_USERS=300 \
		$(GO) test ./test/reliability -run 'TestShardsSplitAccountsAndHandOver' -count=1 -timeout 30m -v
	$(MAKE) fuzz FUZZTIME=5m

.PHONY: fuzz
fuzz: ## Run each fuzz test for FUZZTIME (default 1m); findings land in internal/zoom/testdata/fuzz.
	for target in $(FUZZ_TARGETS); do \
		$(GO) test ./internal/zoom -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

##@ Build and run

.PHONY: build
build: ## Build the manager, the kubectl zoom plugin and the fake Zoom server into bin/.
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/manager .
	$(GO) build -o bin/zoomfake ./cmd/zoomfake
	$(GO) build -o bin/kubectl-zoom ./cmd/kubectl-zoom
	$(GO) build -o bin/run-local ./hack/runlocal

.PHONY: run-local
run-local: ## Local control plane + fake Zoom (or real Zoom with ZOOM_* set) + manager + samples.
	$(GO) build -o bin/manager .
	$(GO) build -o bin/run-local ./hack/runlocal
	KUBEBUILDER_ASSETS="$(RUN_ASSETS)" bin/run-local --manager=bin/manager --samples=config/samples --manager-log=bin/run-local-manager.log $(RUN_LOCAL_FLAGS)

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z_-]+:.*?##/ { printf "  %-16s %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Deployment

# VERSION is the release's version: the image tag, the chart's version and
# appVersion, and the image config/manager names all follow it (a test in
# test/deploy checks that they agree). Change them together.
VERSION ?= 0.1.0
IMAGE_REPO ?= ghcr.io/zoom-operator/zoom-operator
IMG ?= $(IMAGE_REPO):$(VERSION)
# The commit and its date are stamped into the binary and the image; the
# commit's date (not the time of the build) keeps builds reproducible.
COMMIT ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
BUILD_DATE ?= $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS = -X github.com/zoom-operator/zoom-operator/internal/version.Version=$(VERSION) -X github.com/zoom-operator/zoom-operator/internal/version.Commit=$(COMMIT) -X github.com/zoom-operator/zoom-operator/internal/version.Date=$(BUILD_DATE)
IMAGE_TAR = dist/zoom-operator-$(VERSION).oci.tar
KUBECTL ?= kubectl
CONTAINER_TOOL ?= docker
ignore-not-found ?= false

# RENDER prints config/default with $(IMG) as the manager's image. It needs
# only kubectl's built-in kustomize, and leaves the checked-in files alone.
RENDER = $(KUBECTL) kustomize config/default | sed 's|^\([[:space:]]*image:[[:space:]]*\)$(IMAGE_REPO):$(VERSION)[[:space:]]*$$|\1$(IMG)|'

.PHONY: install
install: manifests ## Install the CRDs into the cluster of the current kubeconfig context.
	$(KUBECTL) apply --server-side -k config/crd

.PHONY: uninstall
uninstall: manifests ## Remove the CRDs (and so every ZoomUser and account); ignore-not-found=true to tolerate missing ones.
	$(KUBECTL) delete --ignore-not-found=$(ignore-not-found) -k config/crd

.PHONY: deploy
deploy: manifests ## Deploy the CRDs and the manager (image $(IMG)) into the current cluster.
	$(RENDER) | $(KUBECTL) apply --server-side -f -

.PHONY: undeploy
undeploy: ## Remove everything deploy created; ignore-not-found=true to tolerate missing objects.
	$(RENDER) | $(KUBECTL) delete --ignore-not-found=$(ignore-not-found) -f -

.PHONY: build-installer
build-installer: manifests generate ## Write dist/install.yaml: CRDs, RBAC and the manager (image $(IMG)) in one file.
	$(GO) run ./hack/release --out dist --img $(IMG) --install-only

.PHONY: image
image: ## Build the multi-arch (linux/amd64, linux/arm64) OCI image as $(IMAGE_TAR), with Go alone (no container engine).
	$(GO) run ./hack/image build --version $(VERSION) --commit $(COMMIT) --date $(BUILD_DATE) --name $(IMG) --out $(IMAGE_TAR)

.PHONY: image-push
image-push: ## Push $(IMAGE_TAR) (make image) to $(IMG), with the credentials of ~/.docker/config.json.
	$(GO) run ./hack/image push --from $(IMAGE_TAR) $(IMG)

.PHONY: release
release: manifests generate image ## Write dist/: install.yaml, the chart .tgz, the image tar file and SHA256SUMS.
	$(GO) run ./hack/release --out dist --img $(IMG) --image-tar $(IMAGE_TAR)

.PHONY: docker-build
docker-build: ## Build the manager's container image $(IMG) with a container engine (the Dockerfile; `make image` is the tested path).
	$(CONTAINER_TOOL) build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) --build-arg BUILD_DATE=$(BUILD_DATE) -t $(IMG) .

.PHONY: docker-push
docker-push: ## Push the manager's container image $(IMG).
	$(CONTAINER_TOOL) push $(IMG)

##@ Benchmarks

BENCH_FLAGS ?=

.PHONY: bench
bench: ## Operator vs. naive baseline at N = 1,000 and 10,000 ZoomUsers against a rate-limited fake Zoom; rewrites the results block of docs/benchmarks.md (about an hour).
	KUBEBUILDER_ASSETS="$(RUN_ASSETS)" $(GO) run ./hack/bench --sizes=1000,10000 --out docs/benchmarks.md $(BENCH_FLAGS)

PACING_USERS ?= 1000

.PHONY: bench-pacing
bench-pacing: ## The request budget alone: PACING_USERS creates at Pro and Business limits, clock and sliding windows, against the fake Zoom without a control plane; prints T / floor, 429s and held calls.
	$(GO) test ./internal/zoom -run '^$$' -bench Pacing -benchtime=1x -pacing-users=$(PACING_USERS)

# Every account at 1 create a second (Pro × 0.034; the fake's limits are
# whole requests), 50 a second in all, and the manager's Kubernetes client
# raised to carry the three API requests each created user costs, so that
# Zoom's per-account budgets set the pace. That needs a machine whose local
# API server takes 50 ZoomUsers a second: on 2 shared CPUs it took about 30,
# and then it sets every account's pace.
.PHONY: bench-accounts
bench-accounts: ## 50 Zoom accounts of 1,000 ZoomUsers in one manager, each against its own floor; rewrites the accounts block of docs/benchmarks.md (about 35 minutes).
	KUBEBUILDER_ASSETS="$(RUN_ASSETS)" $(GO) run ./hack/bench --accounts=50 --sizes=1000 --modes=operator --scale=0.034 \
		--export=false --max-wait=40m --manager-flag=--kube-api-qps=400 --manager-flag=--kube-api-burst=400 --out docs/benchmarks.md $(BENCH_FLAGS)

# Three replicas split nine accounts, each account at 1 create a second
# (Pro × 0.034; floor 300 s). Every replica has its own Kubernetes client:
# nine creates a second, about three requests each plus the leader's label
# patch, stay well under one replica's default --kube-api-qps of 300.
# BENCH_FLAGS=--kill-replica-after=2m also kills the busiest replica midway
# and times the handover of its accounts.
.PHONY: bench-shards
bench-shards: ## 3 manager replicas splitting 9 Zoom accounts of 300 ZoomUsers, per replica and per account; rewrites the shards block of docs/benchmarks.md (about 10 minutes).
	KUBEBUILDER_ASSETS="$(RUN_ASSETS)" $(GO) run ./hack/bench --replicas=3 --accounts=9 --sizes=300 --modes=operator --scale=0.034 \
		--export=false --out docs/benchmarks.md $(BENCH_FLAGS)
