package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// TestSecretSourceNeverEchoesASecret: a secret pasted where the name of
// its variable or file belongs is not repeated in the refusal (it would
// land in terminals and cron logs); real names and paths still are.
func TestSecretSourceNeverEchoesASecret(t *testing.T) {
	app := &App{Getenv: func(string) string { return "" }}
	for _, secret := range []string{"s3cret-known-value-for-tests-0123456789abcdef", "wrsec_Z2VuZXJhdGVkLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVmZ2g"} {
		for _, f := range []secretFlags{{env: secret}, {file: secret}} {
			_, _, err := f.read(app)
			if e := codes.AsError(err); e.Code != codes.SecretMissing || strings.Contains(e.Reason, secret) || !strings.Contains(e.Reason, "looks like a secret") {
				t.Errorf("%+v: %v", f, err)
			}
		}
	}
	for _, name := range []string{"WEBHOOK_SETUP_ZAPIER_TICKETS_SECRET_PROD", "ZAP_SECRET", "/etc/webriskops/zapier-tickets-production.secret"} {
		for _, f := range []secretFlags{{env: name}, {file: name}} {
			if _, _, err := f.read(app); !strings.Contains(codes.AsError(err).Reason, name) {
				t.Errorf("%+v: the name is not shown: %v", f, err)
			}
		}
	}
}

// TestSecretFileIsReadBounded: --secret-file /dev/zero (or any huge file)
// is refused at once instead of being read until memory runs out; so are
// --request, --ca-file and --tls-cert.
func TestSecretFileIsReadBounded(t *testing.T) {
	done := make(chan error, 4)
	go func() {
		_, _, err := (&secretFlags{file: "/dev/zero"}).read(&App{})
		done <- err
	}()
	go func() { _, err := readCaptured("/dev/zero"); done <- err }()
	go func() { _, err := loadCAFile("/dev/zero"); done <- err }()
	go func() {
		_, err := receiverCert(&App{}, &receiveOptions{tlsCert: "/dev/zero", tlsKey: "/dev/zero"})
		done <- err
	}()
	for range 4 {
		select {
		case err := <-done:
			if e := codes.AsError(err); e.Code != codes.SecretMissing && e.Code != codes.Usage || !strings.Contains(e.Reason, "over") {
				t.Errorf("got %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a read of /dev/zero did not stop")
		}
	}
}
