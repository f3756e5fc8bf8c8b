package ui

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/signing"
)

// The receiver under fuzz holds two secrets, as during a rotation grace,
// and its clock stands still at fuzzNow.
const (
	fuzzSecretNew = "wrsec_fuzz-new-secret-0123456789abcdefABCDEF"
	fuzzSecretOld = "wrsec_fuzz-old-secret-0123456789abcdefABCDEF"
	fuzzNow       = int64(1767225612)
	fuzzNonce     = "9f2c7a41d0b83e65f1a2c3d4e5f60718"
)

// Flags of FuzzReceive: what the harness fixes up after the fuzzer chose
// the raw values, so that the accepting paths (which need a real HMAC)
// stay reachable.
const (
	fuzzSignNew    = 1 << iota // append a valid v1= entry under the new secret
	fuzzSignOld                // append one under the old secret
	fuzzJSONOutput             // --json lines
)

// fuzzBody is a valid ticket-export.webhook.v1 body with key.
func fuzzBody(tb testing.TB, key string, test bool) []byte {
	tb.Helper()
	b, err := payload.Build(payload.TargetRef{ID: "tgt_fuzz", Name: "fuzz"}, "generic_webhook",
		payload.SampleTicket(), key, test, time.Unix(fuzzNow, 0))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// independentMAC is the v1 entry of docs/signing.md computed here, apart
// from core/signing.
func independentMAC(secret, ts, nonce string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + nonce + "."))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// FuzzReceive drives the reference receiver's handler (receive) with
// arbitrary methods, headers and bodies. Invariants:
//
//   - 200 "accepted" only for a POST whose signature header has an entry
//     equal to an independently computed HMAC under one of the receiver's
//     secrets, whose timestamp is within the tolerance, whose event and
//     schema headers are exact, whose idempotency key header equals the
//     body's, and whose body passes the schema;
//   - the same request again is never accepted (the nonce is spent), and an
//     accepted key sent again with a fresh nonce is a "duplicate", never
//     accepted twice;
//   - every answer is one of the documented statuses with a JSON body;
//   - every request prints exactly one line, free of control, bidi and
//     invalid bytes (or valid JSON with --json).
func FuzzReceive(f *testing.F) {
	good := fuzzBody(f, "wro_5cde8c53221bdb9a6e632e20532ffbbf", false)
	ts := strconv.FormatInt(fuzzNow, 10)
	for _, s := range []struct {
		method, ts, nonce, sig, event, schema, key string
		body                                       []byte
		flags                                      uint8
	}{
		{"POST", ts, fuzzNonce, "", signing.EventName, signing.SchemaVersion, "wro_5cde8c53221bdb9a6e632e20532ffbbf", good, fuzzSignNew},
		{"POST", ts, fuzzNonce, "v2=abc", signing.EventName, signing.SchemaVersion, "wro_5cde8c53221bdb9a6e632e20532ffbbf", good, fuzzSignOld | fuzzJSONOutput},
		{"POST", ts, fuzzNonce, "", signing.EventName, signing.SchemaVersion, "wro_other", good, fuzzSignNew},
		{"POST", ts, fuzzNonce, "", signing.EventName, "ticket-export.webhook.v2", "wro_5cde8c53221bdb9a6e632e20532ffbbf", good, fuzzSignNew},
		{"POST", strconv.FormatInt(fuzzNow-301, 10), fuzzNonce, "", signing.EventName, signing.SchemaVersion, "wro_5cde8c53221bdb9a6e632e20532ffbbf", good, fuzzSignNew},
		{"POST", ts, fuzzNonce, "v1=" + strings.Repeat("0", 64), signing.EventName, signing.SchemaVersion, "wro_5cde8c53221bdb9a6e632e20532ffbbf", good, 0},
		{"POST", ts, fuzzNonce, "", signing.EventName, signing.SchemaVersion, "wro_x", []byte(`{"idempotency_key":"wro_x"}`), fuzzSignNew},
		{"POST", ts, fuzzNonce, "", signing.EventName, signing.SchemaVersion, "wro_\x1b]52;c;aGk=\a\u202e", []byte(`{"idempotency_key":"wro_\u001b]52;c;aGk=\u0007\u202e"}`), fuzzSignNew},
		{"GET", ts, fuzzNonce, "", "", "", "", nil, fuzzJSONOutput},
		{"POST", "", "", "", "", "", "", nil, 0},
		{"POST", ts, "NOT-HEX\xff", "v1=\x1b[31m", signing.EventName, signing.SchemaVersion, "wro_\xff\xfe", []byte("\xff\x00{"), fuzzSignNew},
	} {
		f.Add(s.method, s.ts, s.nonce, s.sig, s.event, s.schema, s.key, s.body, s.flags)
	}
	f.Fuzz(func(t *testing.T, method, ts, nonce, sig, event, schema, key string, body []byte, flags uint8) {
		var out bytes.Buffer
		now := time.Unix(fuzzNow, 0)
		app := &App{Out: &out, Err: io.Discard, Now: func() time.Time { return now }}
		secrets := []string{fuzzSecretNew, fuzzSecretOld}
		rv := newReceiver(app, secrets, delivery.StaticSecrets(secrets...), signing.DefaultTolerance, flags&fuzzJSONOutput != 0, false)

		sign := func(nonce string) string {
			s := sig
			for _, add := range []struct {
				bit    uint8
				secret string
			}{{fuzzSignNew, fuzzSecretNew}, {fuzzSignOld, fuzzSecretOld}} {
				if flags&add.bit != 0 {
					if s != "" {
						s += " "
					}
					s += independentMAC(add.secret, ts, nonce, body)
				}
			}
			return s
		}
		send := func(nonce, sig string) (int, map[string]string) {
			h := http.Header{}
			for name, v := range map[string]string{signing.HeaderTimestamp: ts, signing.HeaderNonce: nonce,
				signing.HeaderSignature: sig, signing.HeaderEvent: event, signing.HeaderSchema: schema,
				signing.HeaderIdempotencyKey: key} {
				if v != "" {
					h.Set(name, v)
				}
			}
			r := &http.Request{Method: method, URL: &url.URL{Path: "/hook"}, Header: h,
				Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
			r = r.WithContext(context.Background())
			before := out.Len()
			w := httptest.NewRecorder()
			rv.ServeHTTP(w, r)
			checkLine(t, out.String()[before:], w.Code, flags&fuzzJSONOutput != 0)
			var answer map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil {
				t.Fatalf("answer %d is not JSON: %q", w.Code, w.Body.String())
			}
			switch w.Code {
			case 200, 400, 401, 405, 413, 503:
			default:
				t.Fatalf("undocumented status %d", w.Code)
			}
			return w.Code, answer
		}

		fullSig := sign(nonce)
		code, answer := send(nonce, fullSig)
		accepted := code == 200 && answer["status"] == "accepted"
		if code == 200 && !accepted {
			t.Fatalf("a fresh receiver answered 200 %v", answer)
		}
		if accepted {
			if method != http.MethodPost {
				t.Fatalf("accepted a %q", method)
			}
			matched := false
			for _, e := range strings.Split(fullSig, " ") {
				if e == independentMAC(fuzzSecretNew, ts, nonce, body) || e == independentMAC(fuzzSecretOld, ts, nonce, body) {
					matched = true
				}
			}
			if !matched {
				t.Fatalf("accepted %q, which has no entry matching the HMAC under either secret", fullSig)
			}
			n, err := strconv.ParseInt(ts, 10, 64)
			if err != nil || n < fuzzNow-300 || n > fuzzNow+300 {
				t.Fatalf("accepted timestamp %q", ts)
			}
			if event != signing.EventName || schema != signing.SchemaVersion {
				t.Fatalf("accepted event %q schema %q", event, schema)
			}
			if err := payload.ValidateBody(body); err != nil {
				t.Fatalf("accepted a body the schema refuses: %v", err)
			}
			var b struct {
				IdempotencyKey string `json:"idempotency_key"`
			}
			if json.Unmarshal(body, &b) != nil || b.IdempotencyKey != key {
				t.Fatalf("accepted header key %q for body key %q", key, b.IdempotencyKey)
			}
		}

		// The very same request again: the nonce is spent.
		if code, answer := send(nonce, fullSig); code == 200 && answer["status"] == "accepted" {
			t.Fatal("a replayed request was accepted")
		}
		if !accepted {
			return
		}
		// A retry of the accepted delivery, correctly signed with a new
		// nonce, is acknowledged as a duplicate.
		fresh := strings.Repeat("a", 32)
		if nonce == fresh {
			fresh = strings.Repeat("b", 32)
		}
		if code, answer := send(fresh, sign(fresh)); code != 200 || answer["status"] != "duplicate" {
			t.Fatalf("a retry of an accepted key answered %d %v", code, answer)
		}
	})
}

// checkLine holds the invariants of the one line receive prints per
// request.
func checkLine(t *testing.T, line string, status int, asJSON bool) {
	t.Helper()
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
		t.Fatalf("not exactly one line: %q", line)
	}
	line = strings.TrimSuffix(line, "\n")
	if asJSON {
		var l receiveLine
		if err := json.Unmarshal([]byte(line), &l); err != nil || l.HTTPStatus != status {
			t.Fatalf("--json line %q (%v) for status %d", line, err, status)
		}
		return
	}
	if !utf8.ValidString(line) {
		t.Fatalf("line is not valid UTF-8: %q", line)
	}
	for _, r := range line {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			t.Fatalf("line keeps %U: %q", r, line)
		}
	}
	if !strings.Contains(line, " "+strconv.Itoa(status)+" ") {
		t.Fatalf("line %q does not name status %d", line, status)
	}
}

// TestReceiverAnswers pins the paths the fuzz target relies on reaching:
// a correctly signed delivery is accepted, its retry is a duplicate, a
// replay and a wrong secret are 401, a schema failure 400, a GET 405.
func TestReceiverAnswers(t *testing.T) {
	var out bytes.Buffer
	now := time.Unix(fuzzNow, 0)
	app := &App{Out: &out, Err: io.Discard, Now: func() time.Time { return now }}
	rv := newReceiver(app, []string{fuzzSecretNew}, delivery.StaticSecrets(fuzzSecretNew), 0, false, false)
	body := fuzzBody(t, "wro_5cde8c53221bdb9a6e632e20532ffbbf", true)
	send := func(method, nonce, secret string, body []byte) int {
		r := httptest.NewRequest(method, "/hook", bytes.NewReader(body))
		if nonce == "" {
			nonce, _ = signing.NewNonce()
		}
		ts := strconv.FormatInt(fuzzNow, 10)
		for name, v := range map[string]string{signing.HeaderTimestamp: ts, signing.HeaderNonce: nonce,
			signing.HeaderSignature: independentMAC(secret, ts, nonce, body), signing.HeaderEvent: signing.EventName,
			signing.HeaderSchema: signing.SchemaVersion, signing.HeaderIdempotencyKey: "wro_5cde8c53221bdb9a6e632e20532ffbbf"} {
			r.Header.Set(name, v)
		}
		w := httptest.NewRecorder()
		rv.ServeHTTP(w, r)
		return w.Code
	}
	if c := send("POST", fuzzNonce, fuzzSecretNew, body); c != 200 || !strings.Contains(out.String(), "200 accepted") {
		t.Fatalf("signed delivery: %d\n%s", c, out.String())
	}
	if c := send("POST", fuzzNonce, fuzzSecretNew, body); c != 401 {
		t.Fatalf("replay: %d\n%s", c, out.String())
	}
	if c := send("POST", "", fuzzSecretNew, body); c != 200 || !strings.Contains(out.String(), "200 duplicate") {
		t.Fatalf("retry: %d\n%s", c, out.String())
	}
	if c := send("POST", "", fuzzSecretOld, body); c != 401 {
		t.Fatalf("wrong secret: %d", c)
	}
	bad := bytes.Replace(body, []byte(`"severity":"info"`), []byte(`"severity":"urgent"`), 1)
	if bytes.Equal(bad, body) {
		t.Fatal("nothing replaced")
	}
	if c := send("POST", "", fuzzSecretNew, bad); c != 400 {
		t.Fatalf("schema failure: %d", c)
	}
	if c := send("GET", "", fuzzSecretNew, nil); c != 405 {
		t.Fatalf("GET: %d", c)
	}
}
