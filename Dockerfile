# The manager as a static binary on a distroless, non-root base, for those
# who build with a container engine: `make docker-build IMG=...`.
# The release image is built without one by `make image` (hack/image), which
# is the path the tests exercise; this file is not built by them.
FROM golang:1.26 AS builder
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=0.0.0-dev
ARG COMMIT=unknown
ARG BUILD_DATE=unknown

WORKDIR /workspace
# Modules first, so that a change of code does not download them again.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} \
    go build -trimpath -o manager \
    -ldflags="-s -w -X github.com/zoom-operator/zoom-operator/internal/version.Version=${VERSION} -X github.com/zoom-operator/zoom-operator/internal/version.Commit=${COMMIT} -X github.com/zoom-operator/zoom-operator/internal/version.Date=${BUILD_DATE}" .

FROM gcr.io/distroless/static:nonroot
WORKDIR /
COPY --from=builder /workspace/manager /manager
USER 65532:65532
ENTRYPOINT ["/manager"]
