// Package wizard is the guided setup of a webhook target: a Bubble Tea
// program whose parent model owns the flow (Integration status, the eight
// setup steps, the test send and the actions on saved targets) and one
// model per screen. The same steps run as plain prompts in huh's
// accessible mode.
//
// The wizard reaches the store and the test sender through the Store and
// TestSender interfaces defined here, so tests drive it with fakes and the
// ui package hands it the real ones. Nothing on the way to the first frame
// touches the network or waits on the store: the store is opened and the
// first page of targets listed by commands that run after the first frame.
// URL checks (DNS) run as commands with a spinner, never inside Update.
//
// Every string that came from outside (names, URLs, owner text, server
// responses, problem reasons) goes through core/sanitize before it is
// drawn.
package wizard

import (
	// termbg must be initialised before bubbletea; importing it here puts
	// it in every binary that has the wizard. See its package comment.
	"github.com/webriskops/webhook-setup/wizard/termbg"
)

// init runs after bubbletea's init (this package imports bubbletea), so
// the terminal query is over and TERM can be put back.
func init() { termbg.Restore() }
