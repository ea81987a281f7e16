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

// Command zoomfake runs the in-memory fake Zoom server on its own, for local
// runs of the operator against something that behaves like Zoom.
//
// The API is served under <base>/v2 and the token endpoint at
// <base>/oauth/token. Every flag can also be set through the environment
// variable named in its help text.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/zoom-operator/zoom-operator/internal/zoomfake"
)

const shutdownGrace = 5 * time.Second

type config struct {
	addr string
	opts zoomfake.Options
}

func main() {
	cfg, err := parseConfig(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		log.Fatal(err)
	}
}

// parseConfig reads flags; each defaults to its ZOOMFAKE_* variable, then to
// a built-in value.
func parseConfig(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("zoomfake", flag.ContinueOnError)
	fs.StringVar(&cfg.addr, "addr", envString("ZOOMFAKE_ADDR", "127.0.0.1:8089"), "listen address (ZOOMFAKE_ADDR)")
	fs.StringVar(&cfg.opts.AccountID, "account-id", envString("ZOOMFAKE_ACCOUNT_ID", "local-account"), "accepted account_id (ZOOMFAKE_ACCOUNT_ID)")
	fs.StringVar(&cfg.opts.ClientID, "client-id", envString("ZOOMFAKE_CLIENT_ID", "local-client"), "accepted client_id (ZOOMFAKE_CLIENT_ID)")
	fs.StringVar(&cfg.opts.ClientSecret, "client-secret", envString("ZOOMFAKE_CLIENT_SECRET", "local-secret"), "accepted client_secret (ZOOMFAKE_CLIENT_SECRET)")
	lifetime, err := envDuration("ZOOMFAKE_TOKEN_LIFETIME", time.Hour)
	if err != nil {
		return cfg, err
	}
	fs.DurationVar(&cfg.opts.TokenLifetime, "token-lifetime", lifetime, "access token lifetime (ZOOMFAKE_TOKEN_LIFETIME)")
	ints := []struct {
		dst       *int
		name, env string
		usage     string
	}{
		{&cfg.opts.LightPerSecond, "light-qps", "ZOOMFAKE_LIGHT_QPS", "Light requests per second, 0 = unlimited"},
		{&cfg.opts.MediumPerSecond, "medium-qps", "ZOOMFAKE_MEDIUM_QPS", "Medium requests per second, 0 = unlimited"},
		{&cfg.opts.CreateDailyLimit, "create-daily", "ZOOMFAKE_CREATE_DAILY", "invitations (action=create) per UTC day, 0 = unlimited"},
		{&cfg.opts.MaxLicensed, "max-licensed", "ZOOMFAKE_MAX_LICENSED", "licensed (type 2) users allowed, 0 = unlimited"},
		{&cfg.opts.PageSizeCap, "page-size-cap", "ZOOMFAKE_PAGE_SIZE_CAP", "largest list page served whatever page_size asks, 0 = Zoom's maximum (2000)"},
	}
	for _, f := range ints {
		def, err := envInt(f.env, 0)
		if err != nil {
			return cfg, err
		}
		fs.IntVar(f.dst, f.name, def, f.usage+" ("+f.env+")")
	}
	fs.Func("managed-domains", "comma-separated managed (associated) email domains, whose users cannot be disassociated (ZOOMFAKE_MANAGED_DOMAINS)",
		func(v string) error { cfg.opts.ManagedDomains = splitList(v); return nil })
	cfg.opts.ManagedDomains = splitList(os.Getenv("ZOOMFAKE_MANAGED_DOMAINS"))
	fs.Func("scopes", "comma-separated scopes of the app's tokens; unset = user:read:admin,user:write:admin (ZOOMFAKE_SCOPES)",
		func(v string) error { cfg.opts.Scopes = splitList(v); return nil })
	cfg.opts.Scopes = splitList(os.Getenv("ZOOMFAKE_SCOPES"))
	fs.BoolVar(&cfg.opts.RetryAfterSeconds, "retry-after-seconds", os.Getenv("ZOOMFAKE_RETRY_AFTER_SECONDS") == "true",
		"send Retry-After on QPS 429s as seconds instead of an ISO-8601 time (ZOOMFAKE_RETRY_AFTER_SECONDS)")
	window, err := zoomfake.ParseWindow(os.Getenv("ZOOMFAKE_WINDOW"))
	if err != nil {
		return cfg, err
	}
	cfg.opts.Window = window
	fs.Func("window", "how per-second limits are counted: clock (each whole second) or sliding (any one second) (ZOOMFAKE_WINDOW)",
		func(v string) (err error) { cfg.opts.Window, err = zoomfake.ParseWindow(v); return err })
	return cfg, fs.Parse(args)
}

// splitList splits a comma- or space-separated list; nil when empty, which
// leaves the fake's default in place.
func splitList(v string) []string {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	if len(fields) == 0 {
		return nil
	}
	return fields
}

func envString(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envInt(name string, def int) (int, error) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return n, nil
}

func envDuration(name string, def time.Duration) (time.Duration, error) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

// run serves until ctx ends, then lets in-flight requests finish.
func run(ctx context.Context, cfg config) error {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: zoomfake.New(cfg.opts), ReadHeaderTimeout: 10 * time.Second}
	base := "http://" + ln.Addr().String()
	// The base URL goes alone on stdout so scripts can read it.
	fmt.Println(base)
	log.Printf("zoomfake serving API at %s/v2 and tokens at %s/oauth/token", base, base)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
