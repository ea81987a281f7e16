# zoom-operator Makefile. Tools come from go.mod `tool` lines, so every
# machine runs the same pinned versions.
SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

GO ?= go
CONTROLLER_GEN ?= $(GO) tool controller-gen
ENVTEST_ASSETS = $(shell hack/envtest-assets.sh)
TEST_FLAGS ?=

.PHONY: all
all: build

##@ Development

.PHONY: manifests
manifests: ## Generate CRDs and RBAC from the markers in the code.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd paths="./..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac

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
envtest-assets: ## Build (once, cached) kube-apiserver and etcd for envtest; prints their directory.
	@hack/envtest-assets.sh

.PHONY: test
test: vet ## Run unit and envtest integration tests.
	KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" $(GO) test ./... -count=1 $(TEST_FLAGS)

##@ Build and run

.PHONY: build
build: ## Build the manager and the fake Zoom server into bin/.
	$(GO) build -o bin/manager .
	$(GO) build -o bin/zoomfake ./cmd/zoomfake
	$(GO) build -o bin/run-local ./hack/runlocal

.PHONY: run-local
run-local: build ## Local control plane + fake Zoom (or real Zoom with ZOOM_* set) + manager + samples.
	KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" bin/run-local --manager=bin/manager --samples=config/samples

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z_-]+:.*?##/ { printf "  %-16s %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)
