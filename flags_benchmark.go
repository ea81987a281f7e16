//go:build benchmark

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

import "flag"

// registerBenchmarkFlags adds the switches only hack/bench needs; they are
// compiled in with -tags benchmark and absent from the production binary.
func registerBenchmarkFlags(fs *flag.FlagSet, o *options) {
	fs.Float64Var(&o.rateScale, "zoom-rate-scale", 1, "Multiplies Zoom's published rate limits in the client-side budget, to match a scaled fake Zoom.")
	fs.BoolVar(&o.baseline, "baseline", false, "Behave like a naive controller (one GET per object and resync, no request budget, 429s as errors with exponential backoff).")
}
