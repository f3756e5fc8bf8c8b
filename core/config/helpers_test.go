package config

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

// fakeResolver answers lookups from a table; unknown hosts do not resolve.
type fakeResolver map[string]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	a, ok := f[strings.TrimSuffix(host, ".")]
	if !ok {
		return nil, errors.New("no such host")
	}
	return []netip.Addr{netip.MustParseAddr(a)}, nil
}

// testResolver knows the hosts the tests use: public ones and one private.
var testResolver = fakeResolver{
	"hooks.zapier.com":      "3.33.152.147",
	"hook.eu1.make.com":     "54.75.1.1",
	"receiver.example.com":  "93.184.215.14",
	"n8n.internal":          "10.20.1.5",
	"internal.example.com":  "10.1.2.3",
	"n8n.example.com":       "93.184.215.15",
	"new.receiver.example.": "93.184.215.16",
}

// codesError returns err as a *codes.Error or fails the test.
func codesError(t *testing.T, err error) *codes.Error {
	t.Helper()
	var e *codes.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *codes.Error", err, err)
	}
	return e
}

// hasProblem reports whether e lists a problem with code whose reason
// contains every one of subs.
func hasProblem(e *codes.Error, code codes.Code, subs ...string) bool {
	for _, p := range e.Problems {
		if p.Code != code {
			continue
		}
		ok := true
		for _, s := range subs {
			if !strings.Contains(p.Reason, s) {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func reasons(e *codes.Error) string {
	var b strings.Builder
	for _, p := range e.Problems {
		b.WriteString(string(p.Code) + ": " + p.Reason + "\n")
	}
	return b.String()
}
