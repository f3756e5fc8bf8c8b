package wizard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core/recipes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// headerChecks says what the receiver checks in each header, in
// receiverHeaders order.
var headerChecks = map[string]string{
	signing.HeaderEvent:          "is " + signing.EventName,
	signing.HeaderSchema:         "is " + signing.SchemaVersion,
	signing.HeaderIdempotencyKey: "was not processed before (a retry is acknowledged only)",
	signing.HeaderTimestamp:      "is within the tolerance of the receiver's clock",
	signing.HeaderNonce:          "was not seen before within that window (replay)",
	signing.HeaderSignature:      "matches HMAC-SHA256 of timestamp.nonce.raw body",
}

// receiverStep is "Receiver checks": the operator ticks each of the six
// headers the receiver verifies, with the verification recipe for the
// chosen provider one key away.
type receiverStep struct {
	env    *env
	a      *answers
	ticks  []bool
	cursor int
	pager  pager
	width  int
	room   int
	edge   edgeEditor
}

func newReceiverStep(e *env, a *answers) *receiverStep {
	s := &receiverStep{env: e, a: a, ticks: make([]bool, len(receiverHeaders)), pager: newPager(e.st)}
	for i, h := range receiverHeaders {
		s.ticks[i] = a.Ticked(h)
	}
	return s
}

func (s *receiverStep) Init() tea.Cmd { return nil }

// save writes the ticks into the answers.
func (s *receiverStep) save() {
	s.a.Checks = s.a.Checks[:0]
	for i, h := range receiverHeaders {
		if s.ticks[i] {
			s.a.Checks = append(s.a.Checks, h)
		}
	}
}

func (s *receiverStep) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if s.pager.open {
		_, cmd := s.pager.update(msg)
		return s, cmd
	}
	if s.edge.editing {
		return s, s.updateEdge(msg)
	}
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	switch {
	case key.Matches(k, keyUp):
		s.cursor = max(s.cursor-1, 0)
	case key.Matches(k, keyDown):
		s.cursor = min(s.cursor+1, len(receiverHeaders)+extraRows-1)
	case key.Matches(k, keyToggle) && s.cursor >= len(receiverHeaders):
		return s, s.toggleExtra(s.cursor - len(receiverHeaders))
	case key.Matches(k, keyToggle):
		// Space only ticks: the cursor stays, as in every other list of
		// the wizard, so a double press undoes and never ticks a neighbour.
		s.ticks[s.cursor] = !s.ticks[s.cursor]
		s.save()
		if s.env.showing("receiver_checks_confirmed") {
			// The error shown lists what is not ticked: keep it true,
			// and clear it once all six are.
			return s, report(s, s.a.FieldProblems("receiver_checks_confirmed")...)
		}
	case key.Matches(k, keyRecipe):
		s.pager.show("Verification recipe: "+s.recipeName(), s.recipe(), "webhook-setup recipe --provider "+s.recipeName()+" > recipe.txt")
	case key.Matches(k, keyNext):
		s.save()
		if ps := s.a.FieldProblems("receiver_checks_confirmed"); len(ps) > 0 {
			return s, report(s, ps...)
		}
		return s, tea.Batch(report(s), s.env.post(stepDoneMsg{step: stepReceiver}))
	}
	return s, nil
}

// recipeName is the recipe that fits the chosen provider.
func (s *receiverStep) recipeName() string {
	if r := recipes.ForProviderKey(string(s.a.Provider)); r != "" {
		return r
	}
	return "node"
}

// recipe renders the recipe for the answers so far; it names the target,
// the host and the secret's fingerprint, never the secret.
func (s *receiverStep) recipe() string {
	data := recipes.Data{Target: s.a.TargetName(), Host: endpointHost(s.a.URL)}
	if signing.CheckSecret(s.a.Secret) == nil {
		data.Fingerprint = signing.Fingerprint(s.a.Secret)
	}
	text, err := recipes.Render(s.recipeName(), data)
	if err != nil {
		return "The recipe could not be drawn here: " + err.Error() + "\n\nPrint it with: webhook-setup recipe " + s.recipeName()
	}
	return text
}

func (s *receiverStep) pagerOpen() bool { return s.pager.open }

// Captures reports whether the recipe or the edge editor is open (esc
// closes it).
func (s *receiverStep) Captures() bool { return s.pager.open || s.edge.editing }

func (s *receiverStep) View() string {
	st := s.env.st
	if s.pager.open {
		return s.pager.view(st)
	}
	intro := wrap(defOf(stepReceiver).intro, s.width) +
		"\n" + st.dim.Render("Press ") + st.key.Render("v") + st.dim.Render(" for the "+s.recipeName()+" verification recipe.") + "\n"
	count := st.dim.Render(fmt.Sprintf("%d of %d confirmed", s.a.confirmedCount(), len(receiverHeaders)))
	var rows []string
	for i, h := range receiverHeaders {
		box := "[ ]"
		if s.ticks[i] {
			box = st.ok.Render("[x]")
		}
		name := "  " + h
		if i == s.cursor {
			name = st.selected.Render("› " + h)
		}
		rows = append(rows, name+" "+box, st.dim.Render("      "+truncate(headerChecks[h], s.width-6)))
	}
	rows = append(rows, strings.Split(s.extrasView(), "\n")...)
	all := intro + "\n" + count + "\n" + strings.Join(rows, "\n")
	if s.room <= 0 || strings.Count(all, "\n")+1 <= s.room {
		return all
	}
	// Too short for everything (60×20 with an error under it): the count
	// stays on top and the rows scroll so the focused one is drawn; the
	// intro goes (the help line still names v).
	first, last := s.cursorLines()
	if s.room < 2 {
		return rows[first] // one line: the focused row itself
	}
	return count + "\n" + strings.Join(scrollTo(rows, first, last, s.room-1), "\n")
}

// cursorLines is the first and last line, in the rows View draws under the
// count, of the focused row: a header is its name and check lines; the
// extras (extrasView: a blank, their heading, then one line each) follow;
// the edge row takes the editor's two lines while it is open.
func (s *receiverStep) cursorLines() (first, last int) {
	if s.cursor < len(receiverHeaders) {
		return 2 * s.cursor, 2*s.cursor + 1
	}
	row := s.cursor - len(receiverHeaders)
	first = 2*len(receiverHeaders) + 2 + row
	last = first
	if row == rowEdge && s.edge.editing {
		last += 2
	}
	return first, last
}

// scrollTo is the room lines of lines that start nearest the top while
// still holding lines first..last.
func scrollTo(lines []string, first, last, room int) []string {
	if room <= 0 || len(lines) <= room {
		return lines
	}
	start := 0
	if last >= room {
		start = min(last-room+1, first)
	}
	return lines[start:min(start+room, len(lines))]
}

// setRoom is the body height left once the frame, the errors and the help
// line are drawn: View fits itself into it.
func (s *receiverStep) setRoom(h int) { s.room = h }

func (s *receiverStep) SetSize(w, h int) {
	s.width = w
	s.pager.setSize(w, h)
}

func (s *receiverStep) ShortHelp() []key.Binding {
	if s.pager.open {
		return s.pager.help()
	}
	if s.edge.editing {
		return s.edge.help()
	}
	keys := []key.Binding{keyUp, keyToggle, keyRecipe}
	keys = append(keys, when(len(s.a.FieldProblems("receiver_checks_confirmed")) == 0, keyNext)...)
	return append(keys, keyBack)
}

func (s *receiverStep) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
