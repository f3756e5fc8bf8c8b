package wizard

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// component is one screen: a Bubble Tea model that lists its keys for the
// help line and is told how much room it has. Screens are pointers and
// change in place; Update returns the same pointer.
type component interface {
	tea.Model
	help.KeyMap
	SetSize(width, height int)
}

// capturer is a screen in a modal state (a recipe open, a name being
// edited): it wants esc and shift+tab itself instead of going back.
type capturer interface {
	Captures() bool
}

// env is what every screen shares: the store once it is open, the
// resolver and sender, the clock, who is acting and the styles.
type env struct {
	ctx      context.Context
	store    Store
	resolver urlsafe.Resolver
	sender   TestSender
	doctor   DoctorRunner
	verifier RotationVerifier
	now      func() time.Time
	actor    string
	draftID  string
	grace    time.Duration
	st       *styles

	// secretDir is where f writes a generated secret; "" is the current
	// folder (tests point it at a temp dir).
	secretDir string

	// navQueue holds navigation messages posted by screens during one
	// Update; the parent handles them before Update returns, so a key
	// typed right after enter already reaches the next screen.
	navQueue []tea.Msg

	// shown is the problems the parent shows, as of the last Update, so a
	// screen can clear or renew them once the input that caused them
	// changes.
	shown []codes.Problem

	// saves counts draft saves in flight, so Run can let them finish
	// before the process exits.
	saves sync.WaitGroup
}

// post queues msg for the parent to handle within the current Update,
// synchronously. Navigation goes this way rather than through a command:
// a command's message is queued behind keys that already arrived (a paste
// right after enter, type-ahead in one SSH packet), which would then land
// on the old screen.
func (e *env) post(msg tea.Msg) tea.Cmd {
	e.navQueue = append(e.navQueue, msg)
	return nil
}

// showing reports whether a problem about one of fields (or a part of
// one, like private_network.allowlist) is on screen.
func (e *env) showing(fields ...string) bool {
	for _, p := range e.shown {
		for _, f := range fields {
			if p.Field == f || strings.HasPrefix(p.Field, f+".") {
				return true
			}
		}
	}
	return false
}

// checkTimeout bounds one endpoint check (DNS included).
const checkTimeout = 10 * time.Second

// storeTimeout bounds one store call made for the screen.
const storeTimeout = 30 * time.Second

// cmdCtx is a context for one command's slow work.
func (e *env) cmdCtx(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(e.ctx, d)
}
