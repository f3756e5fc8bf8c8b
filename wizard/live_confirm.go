package wizard

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"github.com/webriskops/webhook-setup/core"
)

// A live test send posts a signed delivery to the target's real hook (a
// production Zap or scenario runs on it), so both front ends ask first,
// with the same question and the same answers: y or Y sends; anything
// else, an empty answer or esc, sends nothing.

var (
	keyLiveYes = key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "send"))
	keyLiveNo  = key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "cancel"))
)

// liveQuestion is the confirmation asked before a live test send of t.
func liveQuestion(t core.Target) string {
	return "Send a live test delivery to " + clean(endpointHost(t.BaseURL)) + "? [y/N]"
}

// confirmsLive reports whether answer (a key, or a typed line) says yes.
func confirmsLive(answer string) bool {
	a := strings.TrimSpace(answer)
	return a == "y" || a == "Y"
}
