package ui

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/net/netutil"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/sanitize"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/store"
)

// maxReceiveBody caps a request body, as docs/signing.md tells receivers.
const maxReceiveBody = 1 << 20

// The receiver's bounds (finding 4 of issue 15: 500 slow clients with
// large headers took an unbounded receiver to 1.3 GB). A signed delivery's
// headers are well under 2 KiB, so these leave room and cap what one
// connection can hold: net/http stops reading a header block at
// maxReceiveHeaderBytes (plus its own 4 KiB slack) and answers 431, and at
// most maxReceiveConns connections are served at once (more wait in the
// kernel's accept queue), so memory is bounded by their product, not by
// what clients send. The timeouts close slow and idle connections.
const (
	maxReceiveHeaderBytes = 16 << 10
	maxReceiveHeaders     = 64
	maxReceiveConns       = 1024
	receiveHeaderTimeout  = 10 * time.Second
	receiveReadTimeout    = 30 * time.Second
	receiveWriteTimeout   = 30 * time.Second
	receiveIdleTimeout    = 30 * time.Second
)

// replayWindowFull is how signing.Verifier words a refusal for a full nonce
// window: the receiver is at capacity, and answers 503 so the sender
// retries instead of giving up on a "signature" that was fine.
const replayWindowFull = "replay window is full"

type receiveOptions struct {
	listen          string
	secret          secretFlags
	target          string
	selfSigned      bool
	certOut         string
	tlsCert, tlsKey string
	tolerance       time.Duration
	once, public    bool
	json            bool
	state           string
}

// NewCmdReceive builds `receive`: the reference receiver, for rehearsals on
// this machine and as a working example of verification. runF, when not nil,
// gets the checked options instead of receiveRun (tests).
func NewCmdReceive(app *App, runF func(*receiveOptions) error) *cobra.Command {
	opts := &receiveOptions{}
	cmd := &cobra.Command{
		Use:   "receive [TARGET] --listen ADDR [--secret-file F] [--self-signed --cert-out PEM | --tls-cert C --tls-key K]",
		Short: "Run the reference receiver: verify deliveries as docs/signing.md says, one line per request",
		Long: `receive is a reference receiver. It accepts POSTs on any path over HTTPS and
checks each as docs/signing.md says: raw body (1 MiB at most), the six
X-WebRiskOps headers, the HMAC under the given secret(s), the timestamp within
--tolerance, a nonce never seen within the window, the idempotency key equal to
the body's, and the body against ticket-export.webhook.v1. It answers

  200 {"status":"accepted"}     verified; the work would be done now
  200 {"status":"duplicate"}    an idempotency key it already accepted
  503 {"error":"receiver_busy"} its replay window is full (Retry-After: 1)
  401 {"error":"WEBHOOK_SIGNATURE_INVALID","reason":...}  bad or missing
                                signature, stale timestamp, replayed nonce
  400 {"error":"WEBHOOK_PAYLOAD_INVALID","reason":...}    body fails the schema

and prints one line per request. Processed keys are kept in memory only;
--state FILE keeps the replay window (nonces) across restarts.

It listens on loopback only unless --public is given: --listen 0.0.0.0:8443
or a non-loopback address is refused without it. Without --tls-cert and
--tls-key it serves a self-signed certificate for 127.0.0.1, ::1 and
localhost, made at start (--self-signed says so explicitly); --cert-out
writes it so test-send --to ... --ca-file PEM can trust it. Ctrl-C stops it (exit 130).`,
		Example: `  webhook-setup receive zapier-tickets --listen 127.0.0.1:8443 --self-signed --cert-out receiver.pem
  webhook-setup test-send zapier-tickets --to https://127.0.0.1:8443/hook --ca-file receiver.pem`,
	}
	takesTarget(cmd, &opts.target, func(cmd *cobra.Command) error {
		if err := opts.validate(); err != nil {
			return err
		}
		if runF != nil {
			return runF(opts)
		}
		return receiveRun(cmd.Context(), app, opts)
	})
	fs := cmd.Flags()
	fs.StringVar(&opts.listen, "listen", "", "address to listen on, e.g. 127.0.0.1:8443 (port 0 picks a free one)")
	opts.secret.registerSources(fs, "verify with the secret")
	fs.BoolVar(&opts.selfSigned, "self-signed", false, "serve a fresh self-signed certificate for 127.0.0.1, ::1 and localhost")
	fs.StringVar(&opts.certOut, "cert-out", "", "with --self-signed: write the certificate (PEM) to this new file (0600), for --ca-file")
	fs.StringVar(&opts.tlsCert, "tls-cert", "", "serve this certificate (PEM)")
	fs.StringVar(&opts.tlsKey, "tls-key", "", "the key of --tls-cert (PEM)")
	fs.DurationVar(&opts.tolerance, "tolerance", signing.DefaultTolerance, "accept timestamps this far from the clock, and remember nonces as long")
	fs.BoolVar(&opts.once, "once", false, "exit after the first accepted delivery")
	fs.BoolVar(&opts.public, "public", false, "allow listening on a non-loopback address")
	fs.StringVar(&opts.state, "state", "", "keep the replay window (nonces) in this file across restarts (a file of yours, 0600, or a new one)")
	fs.BoolVar(&opts.json, "json", false, `print one JSON line per request: {"at","status","http_status","code","idempotency_key","reason","test"}`)
	return cmd
}

// validate refuses flag combinations that cannot mean anything, before a
// file is read or a port opened; self-signed TLS is the default.
func (opts *receiveOptions) validate() error {
	if !opts.selfSigned && opts.tlsCert == "" && opts.tlsKey == "" {
		opts.selfSigned = true // the sender speaks only HTTPS: self-signed is the default
	}
	switch {
	case opts.listen == "":
		return codes.Errorf(codes.Usage, "receive needs --listen ADDR, e.g. 127.0.0.1:8443")
	case opts.secret.given() == (opts.target != ""):
		return codes.Errorf(codes.Usage, "give the secret one way: --secret-file, --secret-env or a saved TARGET")
	case opts.selfSigned == (opts.tlsCert != "" || opts.tlsKey != ""):
		return codes.Errorf(codes.Usage, "serve TLS one way: --self-signed, or --tls-cert with --tls-key")
	case !opts.selfSigned && (opts.tlsCert == "" || opts.tlsKey == ""):
		return codes.Errorf(codes.Usage, "--tls-cert and --tls-key go together")
	case opts.certOut != "" && !opts.selfSigned:
		return codes.Errorf(codes.Usage, "--cert-out goes with --self-signed")
	case opts.tolerance < time.Second || opts.tolerance > time.Hour:
		return codes.Errorf(codes.Usage, "--tolerance %s is outside 1s..1h", opts.tolerance)
	}
	return checkListen(opts.listen, opts.public)
}

func receiveRun(ctx context.Context, app *App, opts *receiveOptions) error {
	cert, err := receiverCert(app, opts)
	if err != nil {
		return err
	}
	if opts.target == "" {
		secret, _, err := opts.secret.read(app)
		if err != nil {
			return err
		}
		return serveReceiver(ctx, app, opts, cert, delivery.StaticSecrets(secret))
	}
	return app.withStore(func(s *store.Store) error {
		t, err := s.Target(ctx, opts.target)
		if err != nil {
			return err
		}
		return serveReceiver(ctx, app, opts, cert, delivery.StoredSecrets(s, t.ID))
	})
}

// checkListen refuses a non-loopback address unless --public.
func checkListen(addr string, public bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return codes.Errorf(codes.Usage, "--listen %q is not HOST:PORT", addr)
	}
	if public {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if a, err := netip.ParseAddr(host); err == nil && a.IsLoopback() {
		return nil
	}
	return codes.Errorf(codes.Usage, "--listen %s is not a loopback address", addr).
		WithFix("Listen on 127.0.0.1 or [::1], or pass --public to accept deliveries from other machines.")
}

// receiverCert loads or makes the certificate to serve.
func receiverCert(app *App, opts *receiveOptions) (tls.Certificate, error) {
	if !opts.selfSigned {
		certPEM, err := readFileMax(opts.tlsCert, maxPEMFile)
		if err != nil {
			return tls.Certificate{}, codes.Errorf(codes.Usage, "--tls-cert %s: %v", opts.tlsCert, unwrapPathError(err))
		}
		keyPEM, err := readFileMax(opts.tlsKey, maxPEMFile)
		if err != nil {
			return tls.Certificate{}, codes.Errorf(codes.Usage, "--tls-key %s: %v", opts.tlsKey, unwrapPathError(err))
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return cert, codes.Errorf(codes.Usage, "--tls-cert/--tls-key: %v", err)
		}
		return cert, nil
	}
	cert, pemBytes, err := selfSigned(app.Now())
	if err != nil {
		return cert, codes.Errorf(codes.Internal, "make a self-signed certificate: %v", err)
	}
	if opts.certOut != "" {
		if err := writeFreshFile("--cert-out", opts.certOut, pemBytes); err != nil {
			return cert, err
		}
	}
	return cert, nil
}

// receiver is the handler of receive.
type receiver struct {
	app     *App
	v       *signing.Verifier
	secrets func(context.Context, time.Time) ([]string, error)
	json    bool
	// accepted is closed after the first accepted delivery when exitOnce
	// (--once) is set.
	exitOnce bool
	accepted chan struct{}
	once     sync.Once
	mu       sync.Mutex // one line at a time
	bodies   *byteBudget
	// state, with --state, keeps accepted nonces across restarts.
	state *nonceState
}

// receiveLine is one request as --json prints it.
type receiveLine struct {
	At             time.Time `json:"at"`
	Status         string    `json:"status"`
	HTTPStatus     int       `json:"http_status"`
	Code           string    `json:"code,omitempty"`
	IdempotencyKey string    `json:"idempotency_key,omitempty"`
	Reason         string    `json:"reason,omitempty"`
	Test           bool      `json:"test,omitempty"`
}

func serveReceiver(ctx context.Context, app *App, opts *receiveOptions, cert tls.Certificate,
	secrets func(context.Context, time.Time) ([]string, error)) error {
	first, err := secrets(ctx, app.Now())
	if err != nil {
		return err
	}
	if len(first) == 0 {
		return codes.Errorf(codes.SecretMissing, "%s has no valid signing secret to verify with", opts.target)
	}
	rv := newReceiver(app, first, secrets, opts.tolerance, opts.json, opts.once)
	if opts.state != "" {
		st, err := openNonceState(opts.state, rv.v.Nonces(), app.Now)
		if err != nil {
			return err
		}
		defer st.Close()
		rv.state = st
	}
	l, err := net.Listen("tcp", opts.listen)
	if err != nil {
		return codes.Errorf(codes.Usage, "--listen %s: %v", opts.listen, err)
	}
	l = netutil.LimitListener(l, maxReceiveConns)
	srv := &http.Server{
		Handler:           rv,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}},
		ReadHeaderTimeout: receiveHeaderTimeout,
		ReadTimeout:       receiveReadTimeout,
		WriteTimeout:      receiveWriteTimeout,
		IdleTimeout:       receiveIdleTimeout,
		MaxHeaderBytes:    maxReceiveHeaderBytes,
		ErrorLog:          log.New(lineWriter{app.Err}, "receive: ", 0),
	}
	served := make(chan error, 1)
	go func() { served <- srv.ServeTLS(l, "", "") }()
	fmt.Fprintf(app.Err, "Listening on https://%s/ (any path). Ctrl-C stops.\n", l.Addr())
	var stopErr error
	select {
	case err := <-served:
		return codes.Errorf(codes.Internal, "the receiver stopped: %v", err)
	case <-rv.accepted:
	case <-ctx.Done():
		stopErr = &silentError{code: codes.Interrupted}
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shut)
	if stopErr != nil {
		fmt.Fprintln(app.Err, "Stopped.")
	}
	return stopErr
}

// newReceiver returns the handler of receive: it verifies with first until
// secrets (asked again on every request) answers, on app's clock, and prints
// one line per request to app.Out (JSON when asJSON). With once, accepted
// is closed after the first accepted delivery.
func newReceiver(app *App, first []string, secrets func(context.Context, time.Time) ([]string, error),
	tolerance time.Duration, asJSON, once bool) *receiver {
	rv := &receiver{app: app, v: signing.NewVerifier(first, tolerance), secrets: secrets,
		json: asJSON, exitOnce: once, accepted: make(chan struct{}), bodies: &byteBudget{left: receiveBodyBudget}}
	rv.v.Now = app.Now
	return rv
}

// ServeHTTP answers one delivery: refused before its body is read (too
// many headers, not POST, too large), busy when the bodies in flight would
// overdraw their budget, then verified (verify) and accepted once (accept).
// Every request prints one line.
func (rv *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	line := receiveLine{At: rv.app.Now().UTC()}
	defer func() { rv.print(line) }()
	out := reply{w: w, line: &line}
	if n := headerCount(r.Header); n > maxReceiveHeaders {
		out.refuse(http.StatusRequestHeaderFieldsTooLarge, codes.PayloadInvalid,
			fmt.Sprintf("%d header fields; at most %d are accepted", n, maxReceiveHeaders))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		out.refuse(http.StatusMethodNotAllowed, codes.Usage, "only POST is accepted")
		return
	}
	if r.ContentLength > maxReceiveBody {
		out.refuse(http.StatusRequestEntityTooLarge, codes.PayloadInvalid, "the body is larger than 1 MiB")
		return
	}
	// Bodies held at once share one budget: a request that would overdraw
	// it is answered 503 at once (the sender retries), so many large
	// bodies in flight cannot grow the receiver without bound.
	want := r.ContentLength
	if want < 0 {
		want = maxReceiveBody
	}
	if !rv.bodies.take(want) {
		out.busy("too many request bodies in flight")
		return
	}
	defer rv.bodies.give(want)
	body, err := readBody(http.MaxBytesReader(w, r.Body, maxReceiveBody), want)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			out.refuse(http.StatusRequestEntityTooLarge, codes.PayloadInvalid, "the body is larger than 1 MiB")
		} else {
			out.refuse(http.StatusBadRequest, codes.PayloadInvalid, "the body could not be read")
		}
		return
	}
	if key, ok := rv.verify(out, r, body); ok {
		rv.accept(out, r, key, body)
	}
}

// verify checks the signature of a delivery against the target's current
// secrets and answers when it does not hold; ok says it does.
func (rv *receiver) verify(out reply, r *http.Request, body []byte) (key string, ok bool) {
	if secrets, err := rv.secrets(r.Context(), rv.app.Now()); err == nil && len(secrets) > 0 {
		rv.v.SetSecrets(secrets) // follows a rotation of TARGET
	}
	key, err := rv.v.Verify(r, body)
	if err == nil {
		return key, true
	}
	reason := codes.AsError(err).Reason
	switch {
	case strings.Contains(reason, replayWindowFull):
		// Capacity, not a bad signature: the sender retries with a new
		// nonce (docs/signing.md, "Replay window").
		out.busy(reason)
	case errors.Is(err, signing.ErrNotAnExport):
		out.refuse(http.StatusBadRequest, codes.PayloadInvalid, reason)
	default:
		out.refuse(http.StatusUnauthorized, codes.SignatureInvalid, reason)
	}
	return "", false
}

// accept takes a verified delivery: its nonce remembered (with a state
// file), its body valid against the schema, answered accepted the first
// time its idempotency key is seen and duplicate after.
func (rv *receiver) accept(out reply, r *http.Request, key string, body []byte) {
	out.line.IdempotencyKey = key
	if rv.state != nil {
		if err := rv.recordNonce(r); err != nil {
			// Not remembered, so not accepted: a retry may come back.
			out.busy("the replay window could not be saved")
			fmt.Fprintf(rv.app.Err, "receive: %v\n", err)
			return
		}
	}
	if err := payload.ValidateBody(body); err != nil {
		out.refuse(http.StatusBadRequest, codes.PayloadInvalid, codes.AsError(err).Reason)
		return
	}
	var p struct {
		Test bool `json:"test"`
	}
	_ = json.Unmarshal(body, &p)
	out.line.Test = p.Test
	if !rv.v.MarkProcessed(key) {
		out.line.Status = "duplicate"
		out.answer(http.StatusOK, map[string]string{"status": "duplicate"})
		return
	}
	out.line.Status = "accepted"
	out.answer(http.StatusOK, map[string]string{"status": "accepted"})
	if rv.exitOnce {
		rv.once.Do(func() { close(rv.accepted) })
	}
}

// reply answers one request in JSON and fills the line printed for it.
type reply struct {
	w    http.ResponseWriter
	line *receiveLine
}

func (out reply) answer(status int, v any) {
	out.line.HTTPStatus = status
	out.w.Header().Set("Content-Type", "application/json")
	out.w.WriteHeader(status)
	_ = json.NewEncoder(out.w).Encode(v)
}

// refuse answers a delivery that will never be accepted as it is.
func (out reply) refuse(status int, code codes.Code, reason string) {
	out.line.Status, out.line.Code, out.line.Reason = "rejected", string(code), reason
	out.answer(status, map[string]string{"error": string(code), "reason": reason})
}

// busy answers 503 with Retry-After: the receiver's capacity, not the
// delivery, is the trouble, so the sender tries again.
func (out reply) busy(reason string) {
	out.w.Header().Set("Retry-After", "1")
	out.line.Status, out.line.Code, out.line.Reason = "busy", string(codes.DeliveryFailed), reason
	out.answer(http.StatusServiceUnavailable, map[string]string{"error": "receiver_busy", "reason": reason})
}

// receiveBodyBudget bounds the bytes of request bodies the receiver holds
// at once.
const receiveBodyBudget = 64 << 20

// byteBudget is a count of bytes that may still be taken.
type byteBudget struct {
	mu   sync.Mutex
	left int64
}

// take reserves n bytes when that many are left.
func (b *byteBudget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > b.left {
		return false
	}
	b.left -= n
	return true
}

func (b *byteBudget) give(n int64) {
	b.mu.Lock()
	b.left += n
	b.mu.Unlock()
}

// readBody reads r into a buffer sized once for size bytes, so the body
// costs what it weighs and not the doubling of a growing slice.
func readBody(r io.Reader, size int64) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(size) + bytes.MinRead)
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// recordNonce appends the nonce of a verified request to --state, with
// the second after which the window forgets it (its timestamp plus the
// tolerance, as the in-memory window keeps it).
func (rv *receiver) recordNonce(r *http.Request) error {
	nonce := signing.HeaderValue(r.Header, signing.HeaderNonce)
	ts, err := strconv.ParseInt(signing.HeaderValue(r.Header, signing.HeaderTimestamp), 10, 64)
	if err != nil {
		return err
	}
	return rv.state.record(nonce, ts+int64(rv.v.Tolerance()/time.Second))
}

// headerCount counts header fields, repeated names once per value.
func headerCount(h http.Header) int {
	n := 0
	for _, v := range h {
		n += len(v)
	}
	return n
}

// print writes one line for a request; everything in it that came from the
// request is neutralised first.
func (rv *receiver) print(l receiveLine) {
	l.IdempotencyKey = sanitize.Line(l.IdempotencyKey)
	l.Reason = sanitize.Line(l.Reason)
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if rv.json {
		b, _ := json.Marshal(l)
		fmt.Fprintf(rv.app.Out, "%s\n", escapeInvisible(b))
		return
	}
	text := fmt.Sprintf("%s %d %s", l.At.Format(time.RFC3339), l.HTTPStatus, l.Status)
	if l.IdempotencyKey != "" {
		text += " " + l.IdempotencyKey
	}
	if l.Test {
		text += " (test)"
	}
	if l.Code != "" {
		text += " " + l.Code + ": " + l.Reason
	}
	fmt.Fprintln(rv.app.Out, text)
}

// lineWriter neutralises the server's own log lines (TLS handshake errors
// name what the client sent).
type lineWriter struct{ w io.Writer }

func (lw lineWriter) Write(p []byte) (int, error) {
	_, err := fmt.Fprintln(lw.w, sanitize.Text(string(p[:len(p)-min(1, len(p))])))
	return len(p), err
}
