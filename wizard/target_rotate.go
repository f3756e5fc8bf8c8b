package wizard

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// verifiedMsg is the outcome of a verified rotation's probe.
type verifiedMsg struct {
	src *rotate
	res TestResult
	err error
}

// rotatedMsg is the outcome of a rotation.
type rotatedMsg struct {
	src *rotate
	t   core.Target
	err error
}

// rotate replaces a saved target's signing secret: generated (shown once,
// confirmed as stored in the receiver first) or pasted, masked. The old
// secret keeps signing for the grace period so the receiver can switch.
type rotate struct {
	env     *env
	t       core.Target
	entry   secretEntry
	spin    spinner.Model
	running bool
	done    bool
	width   int
	// verifying is set while the probe of a verified rotation runs;
	// verified holds its outcome.
	verifying bool
	verified  *TestResult
}

func newRotate(e *env, t core.Target) *rotate {
	return &rotate{env: e, t: t, entry: newSecretEntry(e, ""),
		spin: newSpinner(e.st)}
}

func (r *rotate) Init() tea.Cmd { return nil }

// Captures reports whether esc belongs to the secret entry.
func (r *rotate) Captures() bool { return !r.done && !r.running && r.entry.captures() }

func (r *rotate) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case rotatedMsg:
		if msg.src != r {
			return r, nil
		}
		r.running = false
		if msg.err != nil {
			r.entry.drop()
			return r, report(r, codes.ProblemOf(msg.err))
		}
		r.t, r.done = msg.t, true
		return r, report(r)
	case verifiedMsg:
		if msg.src != r {
			return r, nil
		}
		r.verifying = false
		if msg.err != nil {
			return r, report(r, codes.ProblemOf(msg.err))
		}
		r.verified = &msg.res
		if msg.res.Problem != nil {
			return r, report(r, *msg.res.Problem)
		}
		return r, report(r)
	case spinner.TickMsg:
		return r, spinTick(&r.spin, msg, r.running || r.verifying)
	}
	if k, ok := msg.(tea.KeyMsg); ok && r.done && !r.verifying && r.env.verifier != nil && key.Matches(k, keyVerify) {
		r.verifying = true
		e, t := r.env, r.t
		return r, tea.Batch(r.spin.Tick, func() tea.Msg {
			res, err := e.verifier.VerifyRotation(e.ctx, t, true)
			return verifiedMsg{src: r, res: res, err: err}
		})
	}
	if r.done || r.running {
		return r, nil
	}
	if k, ok := msg.(tea.KeyMsg); ok && r.entry.captures() && key.Matches(k, keyBack) {
		r.entry.escape()
		return r, report(r)
	}
	ev, cmd := r.entry.update(r, msg)
	if ev != secretAccepted {
		return r, cmd
	}
	r.running = true
	e, name, secret := r.env, r.t.Name, r.entry.secret
	return r, tea.Batch(cmd, r.spin.Tick, func() tea.Msg {
		ctx, cancel := e.cmdCtx(storeTimeout)
		defer cancel()
		t, err := e.store.RotateSecret(ctx, name, secret, e.grace, e.actor)
		return rotatedMsg{src: r, t: t, err: err}
	})
}

func (r *rotate) View() string {
	st := r.env.st
	var b strings.Builder
	b.WriteString(field(st, "target", r.t.Name) + "\n")
	b.WriteString(field(st, "current signing", core.SigningSummary(r.t.Signing)) + "\n\n")
	switch {
	case r.done:
		b.WriteString(st.ok.Render("✓ Rotated.") + " Now " + clean(core.SigningSummary(r.t.Signing)) + ".\n")
		switch {
		case r.verifying:
			b.WriteString(r.spin.View() + " sending a probe signed with the new secret only…")
		case r.verified != nil && r.verified.OK:
			b.WriteString(wrap(r.verified.Summary, r.width))
		case r.verified != nil:
			b.WriteString(wrap(r.verified.Summary+" The previous secret was kept and keeps signing for "+graceText(r.env.grace)+".", r.width))
		default:
			b.WriteString(wrap("The previous secret keeps signing for "+graceText(r.env.grace)+", so the receiver can switch; deliveries carry both signatures until then.", r.width))
			if r.env.verifier != nil {
				b.WriteString("\n\n" + wrap("Once the receiver has the new secret, press v: a probe signed with the new secret only is sent, and if the receiver accepts it the previous secret is retired now.", r.width))
			}
		}
	case r.running:
		b.WriteString(r.spin.View() + " rotating…")
	default:
		b.WriteString(r.entry.view("Put it where the receiver reads it; the previous secret keeps signing for " + graceText(r.env.grace) + "."))
	}
	return b.String()
}

// graceText is a grace period as people write it: 24h, 1h30m, 10m.
func graceText(d time.Duration) string { return core.DurationText(d) }

func (r *rotate) SetSize(w, _ int) {
	r.width = w
	r.entry.width = w
	r.entry.input.Width = max(w-len(r.entry.input.Prompt)-2, 10)
}

func (r *rotate) ShortHelp() []key.Binding {
	if r.done && !r.verifying && r.env.verifier != nil && (r.verified == nil || !r.verified.OK) {
		return []key.Binding{keyVerify, keyBack}
	}
	if r.done || r.running {
		return []key.Binding{keyBack}
	}
	return r.entry.help()
}

func (r *rotate) FullHelp() [][]key.Binding { return [][]key.Binding{r.ShortHelp()} }
