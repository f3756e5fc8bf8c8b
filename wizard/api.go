package wizard

import (
	"context"
	"io"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/doctor"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// Store is what the wizard needs of the local store; *store.Store
// satisfies it. Targets never carries secrets, so the home screen can list
// thousands of targets a page at a time without decrypting anything.
type Store interface {
	Targets(ctx context.Context, offset, limit int) ([]core.Target, error)
	CountTargets(ctx context.Context) (int, error)
	Target(ctx context.Context, name string) (core.Target, error)
	CreateTarget(ctx context.Context, t *core.Target, secret, actor string) error
	// CreateTargetWithEdge is CreateTarget for a target with an edge
	// header (t.EdgeAuth) and its value.
	CreateTargetWithEdge(ctx context.Context, t *core.Target, secret, edgeValue, actor string) error
	RotateSecret(ctx context.Context, name, secret string, grace time.Duration, actor string) (core.Target, error)
	// UpdateTargetWithEdge saves an edited target (found by t.ID, at
	// t.Version) and returns the names of the changed fields; a new edge
	// value replaces the stored one ("" keeps it). The secret stays.
	UpdateTargetWithEdge(ctx context.Context, t *core.Target, edgeValue, actor string) ([]string, error)
	DeleteTarget(ctx context.Context, name, actor string) error
	SaveDraft(ctx context.Context, id, step string, data []byte) error
	LoadDraft(ctx context.Context, id string) (step string, data []byte, updatedAt time.Time, ok bool, err error)
	DeleteDraft(ctx context.Context, id string) error
	HasDraft(ctx context.Context, id string) (bool, error)
}

// TestMode is the kind of test send an operator asks for.
type TestMode int

// The test sends the wizard offers after saving and on saved targets.
const (
	// TestDryRun signs a test delivery and shows it; nothing is sent.
	TestDryRun TestMode = iota
	// TestRehearsal sends a signed test delivery to a local receiver the
	// operator runs, not to the target's endpoint.
	TestRehearsal
	// TestLive sends one signed test delivery to the target's endpoint.
	TestLive
)

func (m TestMode) String() string {
	switch m {
	case TestDryRun:
		return "dry run"
	case TestRehearsal:
		return "rehearsal"
	case TestLive:
		return "live"
	}
	return "unknown"
}

// TestKind says which test send to make and, for a rehearsal, where.
type TestKind struct {
	Mode TestMode
	// ReceiverURL is the local receiver of a rehearsal.
	ReceiverURL string
	// CAFile is a PEM file with the CA that signed the rehearsal
	// receiver's certificate; empty means the system roots.
	CAFile string
}

// dryRunKind asks for a signed request that is shown, not sent.
func dryRunKind() TestKind { return TestKind{Mode: TestDryRun} }

// rehearsalKind asks for a test delivery to a local receiver at url, trusting
// caFile when it is not empty.
func rehearsalKind(url, caFile string) TestKind {
	return TestKind{Mode: TestRehearsal, ReceiverURL: url, CAFile: caFile}
}

// liveKind asks for one test delivery to the target's own endpoint.
func liveKind() TestKind { return TestKind{Mode: TestLive} }

// TestResult is the outcome of one test send.
type TestResult struct {
	// OK reports whether the receiver accepted the delivery (for a dry
	// run: whether the request could be built and signed).
	OK bool
	// Summary is one human sentence: what was sent where and what came back.
	Summary string
	// Problem holds the code, reason and fix when OK is false.
	Problem *codes.Problem
	// Request is, for a dry run, the signed request as text with the URL
	// redacted.
	Request string
}

// TestSender makes test sends. The wizard works without one (nil): it
// then points to `webhook-setup test-send NAME`.
type TestSender interface {
	TestSend(ctx context.Context, t core.Target, kind TestKind) (TestResult, error)
}

// RotationVerifier sends a probe signed with a saved target's current
// secret only to its receiver (live) and records the outcome; when the
// receiver accepts it and retireOld is set, the previous secrets are
// retired. A refusal is a result with a Problem, not an error.
type RotationVerifier interface {
	VerifyRotation(ctx context.Context, t core.Target, retireOld bool) (TestResult, error)
}

// DoctorRunner makes the report of webhook-setup doctor (without
// --network), for the Doctor screen.
type DoctorRunner interface {
	Doctor(ctx context.Context) (doctor.Report, error)
}

// Options is everything Run needs; ui fills it from its App and settings.
type Options struct {
	// In and Out are the terminal. In should be an *os.File so the
	// accessible mode can read secrets without echo.
	In  io.Reader
	Out io.Writer

	// Store is the open store. When it is nil, OpenStore is called after
	// the first frame is drawn, and the store is closed at the end when it
	// is an io.Closer.
	Store     Store
	OpenStore func() (Store, error)

	// Resolver answers DNS for the endpoint check; nil means the system's.
	Resolver urlsafe.Resolver
	// Sender makes test sends; nil means test sends go through the CLI.
	Sender TestSender
	// Verifier verifies a rotation on the rotate screen; nil hides it and
	// points to rotate-secret --verify-only.
	Verifier RotationVerifier
	// Doctor runs the health report of the Doctor screen (? on the home
	// screen); nil hides the screen and points to webhook-setup doctor.
	Doctor DoctorRunner

	// Accessible runs plain prompts (huh's accessible mode) instead of the
	// full-screen program.
	Accessible bool
	// Color draws with colour; false draws plain text.
	Color bool

	// Now is the clock (for "saved 5 min ago"); nil means time.Now.
	Now func() time.Time
	// Actor is recorded in audit events.
	Actor string
	// DraftID names this operator's unfinished setup in the store.
	DraftID string
	// Version is shown in the title bar of Integration status.
	Version string
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// RotateGrace is how long a rotated-out secret keeps signing; zero
	// means 24h, like rotate-secret.
	RotateGrace time.Duration
}
