package wizard

import (
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// An error goes away once the input that caused it is fixed, and while it
// is not fixed it says what is still wrong.
func TestReceiverChecksErrorFollowsTheTicks(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 2, 0, "https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
	pasteSecretStep(d)
	d.at(stepReceiver)
	d.key("enter")
	d.want("generic_webhook_receiver_checks_unconfirmed")
	for range 5 {
		d.key("space", "down")
	}
	d.want("generic_webhook_receiver_checks_unconfirmed", "› X-WebRiskOps-Signature [ ]")
	d.key("space")
	d.wantNot("generic_webhook_receiver_checks_unconfirmed")
	d.want("matches HMAC-SHA256 of timestamp.nonce.raw body") // the last header's line is back on screen
	d.at(stepReceiver)
}

func TestRotateWeakSecretErrorGoesWhenTheSecretIsLongEnough(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	d := newDriver(t, st)
	d.key("r", "down", "enter")
	d.typeText("short")
	d.key("enter")
	d.want("generic_webhook_secret_weak", "is 5 characters")
	d.typeText("x")
	d.want("generic_webhook_secret_weak", "is 6 characters")
	d.typeText(strings.Repeat("y", 30))
	d.want("HMAC-SHA256 sha256:")
	d.wantNot("generic_webhook_secret_weak")
	if st.secrets["zap-tickets"] != "" {
		t.Fatal("rotated before enter")
	}
}

func TestOwnerErrorGoesWhenTyped(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 2, 0, "https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
	pasteSecretStep(d)
	tickAll(d)
	d.key("enter")
	d.want("generic_webhook_receiver_owner_missing")
	d.typeText("o")
	d.wantNot("generic_webhook_receiver_owner_missing")
}

func TestAuthorizedByErrorGoesWhenTyped(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toNetwork(d)
	d.key("right", "tab")
	d.typeText("10.20.0.0/16")
	d.key("enter", "enter", "enter")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.AuthorizedByNeeded {
		t.Fatalf("problems %v", c)
	}
	d.typeText("C")
	if c := d.problemCodes(); len(c) != 0 {
		t.Fatalf("after typing who authorized it: problems %v", c)
	}
}

func TestNameErrorGoesWhenFixed(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 2, 0, "https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
	pasteSecretStep(d)
	tickAll(d)
	fillOwner(d)
	d.at(stepReview)
	d.key("e")
	d.typeText("_")
	d.key("enter")
	d.want("generic_webhook_name_invalid")
	d.key("backspace")
	d.wantNot("generic_webhook_name_invalid")
}

func TestGraceText(t *testing.T) {
	for d, want := range map[time.Duration]string{24 * time.Hour: "24h", 90 * time.Minute: "1h30m", 10 * time.Minute: "10m", 30 * time.Second: "30s", 0: "0s"} {
		if got := graceText(d); got != want {
			t.Errorf("graceText(%v) = %q, want %q", d, got, want)
		}
	}
}
