package wizard

import (
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// The narrowest entry approves each address alone, IPv4-mapped addresses
// as IPv4, and leaves out what the core would refuse (a loopback).
func TestNarrowestEntries(t *testing.T) {
	v := &urlsafe.Verdict{Addresses: []string{"10.1.2.3", "fd00::5", "::ffff:10.1.2.4", "127.0.0.1", "not-an-address"}}
	got := strings.Join(narrowestEntries(v), " ")
	if got != "10.1.2.3/32 fd00::5/128 10.1.2.4/32" {
		t.Fatalf("narrowest entries = %q", got)
	}
}
