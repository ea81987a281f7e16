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

package plan

import (
	"fmt"
	"io"
	"strings"
)

// Entry is one ZoomUser of a plan: its Step, or the error that kept the
// plan from deciding (an account that could not be read, a failed lookup).
type Entry struct {
	// Name is "namespace/name", or just the name when the namespace is unknown.
	Name  string
	Email string
	Step  Step
	Err   error
}

// Summary counts the entries of a plan by verdict.
type Summary struct {
	Create, Adopt, Update, Refused, NotCorrected, Unchanged int
	// Pending counts the pending invitations, whatever their verdict.
	Pending int
	Errors  int
}

// Summarize counts entries.
func Summarize(entries []Entry) Summary {
	var s Summary
	for _, e := range entries {
		if e.Err != nil {
			s.Errors++
			continue
		}
		switch e.Step.Verdict {
		case Create:
			s.Create++
		case Adopt:
			s.Adopt++
		case Update:
			s.Update++
		case Refused:
			s.Refused++
		case NotCorrected:
			s.NotCorrected++
		default:
			s.Unchanged++
		}
		if e.Step.Pending {
			s.Pending++
		}
	}
	return s
}

// Actionable reports whether the plan holds anything but unchanged users:
// something the operator would do, refuse, or leave differing from the spec.
func (s Summary) Actionable() bool {
	return s.Create+s.Adopt+s.Update+s.Refused+s.NotCorrected > 0
}

func (s Summary) String() string {
	line := fmt.Sprintf("Plan: %d to create, %d to adopt, %d to update, %d refused, %d not corrected, %d unchanged",
		s.Create, s.Adopt, s.Update, s.Refused, s.NotCorrected, s.Unchanged)
	if s.Pending > 0 {
		line += fmt.Sprintf("; %d pending %s", s.Pending, plural(s.Pending, "invitation", "invitations"))
	}
	if s.Errors > 0 {
		line += fmt.Sprintf("; %d %s", s.Errors, plural(s.Errors, "error", "errors"))
	}
	return line + "."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Write prints each entry and the summary. Unchanged entries are printed
// when showUnchanged, or when they say something: a pending invitation, a
// suspended object, a type that waits for activation.
func Write(w io.Writer, entries []Entry, showUnchanged bool) error {
	var b strings.Builder
	for _, e := range entries {
		quiet := e.Step.Detail == "" && len(e.Step.Notes) == 0
		if e.Err == nil && e.Step.Verdict == Unchanged && quiet && !showUnchanged {
			continue
		}
		writeEntry(&b, e)
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	b.WriteString(Summarize(entries).String() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeEntry writes "name (email): verdict: detail", then each change and
// note on its own indented line.
func writeEntry(b *strings.Builder, e Entry) {
	fmt.Fprintf(b, "%s (%s): ", e.Name, e.Email)
	if e.Err != nil {
		fmt.Fprintf(b, "error: %v\n", e.Err)
		return
	}
	b.WriteString(string(e.Step.Verdict))
	if e.Step.Detail != "" {
		b.WriteString(": " + e.Step.Detail)
	}
	b.WriteString("\n")
	for _, c := range e.Step.Changes {
		fmt.Fprintf(b, "    %s\n", c)
	}
	for _, n := range e.Step.Notes {
		fmt.Fprintf(b, "    note: %s\n", n)
	}
}
