#!/usr/bin/env bash
# Prints a directory holding kube-apiserver and etcd for envtest, and with
# WITH_CONTROLLER_MANAGER=1 kube-controller-manager too (the namespace
# deletion test runs its namespace controller). The binaries are built from the Go module proxy (no release
# downloads needed) and cached by version outside the checkout, so every clone
# and every CI run on this machine reuses them. KUBEBUILDER_ASSETS, when set,
# wins and nothing is built.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.37.2}"
ETCD_VERSION="${ETCD_VERSION:-3.6.16}"

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  echo "${KUBEBUILDER_ASSETS}"
  exit 0
fi

cache_root="${ZOOM_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zoom-operator}"
dir="${cache_root}/envtest/k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}"
mkdir -p "${dir}"

log() { echo "envtest-assets: $*" >&2; }

# build_k8s builds one k8s.io/kubernetes command. Its go.mod points every
# staging module at ./staging, which a module consumer cannot see, so the
# throwaway module replaces each with the published v0.x twin.
build_k8s() {
  local cmd="$1"
  [[ -x "${dir}/${cmd}" ]] && return 0
  log "building ${cmd} v${K8S_VERSION} (one time, several minutes)"
  local work; work="$(mktemp -d)"
  local staging_version="v0.${K8S_VERSION#1.}"
  local gomod
  gomod="$(cd "${work}" && go mod download -json "k8s.io/kubernetes@v${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')"
  {
    echo "module envtestbuild"
    echo "go $(go env GOVERSION | sed 's/^go\([0-9]*\.[0-9]*\).*/\1/')"
    echo "require k8s.io/kubernetes v${K8S_VERSION}"
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#replace \1 => \1 '"${staging_version}"'#p' "${gomod}"
  } >"${work}/go.mod"
  printf 'package main\nimport _ "k8s.io/kubernetes/cmd/%s"\n' "${cmd}" >"${work}/tools.go"
  # Stamp the version that `go build` alone leaves as v0.0.0-master, so that
  # clients see a real server version.
  local minor="${K8S_VERSION#1.}"; minor="${minor%%.*}"
  local pkg=k8s.io/component-base/version
  local ldflags="-s -w -X ${pkg}.gitVersion=v${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor} -X ${pkg}.gitTreeState=clean"
  (cd "${work}" && GOFLAGS=-mod=mod go mod tidy >&2 && CGO_ENABLED=0 go build -ldflags "${ldflags}" -o "${dir}/${cmd}.tmp" "k8s.io/kubernetes/cmd/${cmd}" >&2)
  mv "${dir}/${cmd}.tmp" "${dir}/${cmd}"
  rm -rf "${work}"
}

build_etcd() {
  [[ -x "${dir}/etcd" ]] && return 0
  log "building etcd v${ETCD_VERSION} (one time)"
  local work; work="$(mktemp -d)"
  printf 'module etcdbuild\ngo 1.26\nrequire go.etcd.io/etcd/server/v3 v%s\n' "${ETCD_VERSION}" >"${work}/go.mod"
  printf 'package main\nimport _ "go.etcd.io/etcd/server/v3"\n' >"${work}/tools.go"
  (cd "${work}" && GOFLAGS=-mod=mod go mod tidy >&2 && CGO_ENABLED=0 go build -o "${dir}/etcd.tmp" go.etcd.io/etcd/server/v3 >&2)
  mv "${dir}/etcd.tmp" "${dir}/etcd"
  rm -rf "${work}"
}

build_etcd
build_k8s kube-apiserver
if [[ "${WITH_CONTROLLER_MANAGER:-0}" == "1" ]]; then
  build_k8s kube-controller-manager
fi
echo "${dir}"
