package core

import (
	"fmt"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// TestTextBounds (issue 15, finding 10): --authorized-by was unbounded
// (130 KB stored and printed) and a 130 KB name was echoed whole. Every
// text a target carries is bounded, and no problem repeats more than
// MaxEchoRunes characters of what was typed.
func TestTextBounds(t *testing.T) {
	huge := strings.Repeat("A", 130_000)
	base := Target{Name: "n8n-prod", ProviderKey: ProviderGeneric, DeploymentMode: ModeSelfHosted,
		BaseURL: "https://10.20.1.7/hook", ReceiverOwner: "ops", RevokePath: "n8n > Workflows",
		ReceiverChecksConfirmed: true,
		PrivateNetwork:          PrivateNetwork{Policy: PolicyAllowlist, Allowlist: []string{"10.20.0.0/16"}, AuthorizedBy: "CAB-1"}}
	secret := strings.Repeat("k", 40)
	if ps := Validate(base, secret); len(ps) != 0 {
		t.Fatalf("the base target is refused: %+v", ps)
	}
	many := make([]string, 200_000)
	for i := range many {
		many[i] = "10.20.0.0/16"
	}
	for _, tt := range []struct {
		name  string
		edit  func(*Target)
		field string
		code  codes.Code
	}{
		{"authorized_by", func(t *Target) { t.PrivateNetwork.AuthorizedBy = huge }, "private_network.authorized_by", codes.TextTooLong},
		{"owner", func(t *Target) { t.ReceiverOwner = huge }, "receiver_owner", codes.TextTooLong},
		{"revoke path", func(t *Target) { t.RevokePath = huge }, "revoke_path", codes.TextTooLong},
		{"allowlist entry", func(t *Target) { t.PrivateNetwork.Allowlist = []string{huge} }, "private_network.allowlist", codes.TextTooLong},
		{"allowlist size", func(t *Target) { t.PrivateNetwork.Allowlist = many }, "private_network.allowlist", codes.TextTooLong},
		{"name", func(t *Target) { t.Name = huge }, "name", codes.NameInvalid},
	} {
		tg := base
		tt.edit(&tg)
		ps := Validate(tg, secret)
		if len(ps) != 1 || ps[0].Code != tt.code || ps[0].Field != tt.field {
			t.Errorf("%s: problems %d, first %+v", tt.name, len(ps), ps[:min(len(ps), 1)])
			continue
		}
		if n := len(ps[0].Reason); n > MaxEchoRunes+100 {
			t.Errorf("%s: the reason is %d bytes: %.120q", tt.name, n, ps[0].Reason)
		}
	}
	if tg := base; true {
		tg.PrivateNetwork.AuthorizedBy = strings.Repeat("é", MaxTextLen/2)
		if ps := Validate(tg, secret); len(ps) != 0 {
			t.Errorf("authorized_by at the limit is refused: %+v", ps)
		}
	}
}

func TestClip(t *testing.T) {
	if got := Clip("short"); got != `"short"` {
		t.Errorf("Clip(short) = %s", got)
	}
	got := Clip(strings.Repeat("ü", 1000))
	if !strings.HasPrefix(got, `"`+strings.Repeat("ü", MaxEchoRunes)+`"…`) || !strings.HasSuffix(got, "(2000 bytes)") {
		t.Errorf("Clip(long) = %s", got)
	}
}

// TestLimitsAgree: the code catalog cannot import core or signing, so its
// texts repeat the bounds; they must say the numbers the checks use.
func TestLimitsAgree(t *testing.T) {
	for _, tt := range []struct {
		code codes.Code
		text string
		want string
	}{
		{codes.NameInvalid, codes.NameInvalid.Meaning(), fmt.Sprintf("1 to %d characters", MaxNameLen)},
		{codes.NameInvalid, codes.NameInvalid.Fix(), fmt.Sprintf("1 to %d characters", MaxNameLen)},
		{codes.SecretWeak, codes.SecretWeak.Fix(), fmt.Sprintf("%d to %d printable", signing.MinSecretLen, signing.MaxSecretLen)},
		{codes.EdgeValueInvalid, codes.EdgeValueInvalid.Meaning(), fmt.Sprintf("shorter than %d or longer than %d", MinEdgeValueLen, MaxEdgeValueLen)},
	} {
		if !strings.Contains(tt.text, tt.want) {
			t.Errorf("%s says %q, not %q", tt.code, tt.text, tt.want)
		}
	}
	if ValidateName(strings.Repeat("a", MaxNameLen)) != nil || ValidateName(strings.Repeat("a", MaxNameLen+1)) == nil {
		t.Errorf("the name rule is not MaxNameLen (%d) characters", MaxNameLen)
	}
}
