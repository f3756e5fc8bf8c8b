package wizard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core/doctor"
)

// doctorScreen shows webhook-setup doctor's report (without --network):
// the checks that need action with their fixes first, then warnings, then
// how many passed. The report is made off the UI loop.
type doctorScreen struct {
	env     *env
	running bool
	report  *doctor.Report
	err     error
	width   int
}

type doctorDoneMsg struct {
	source *doctorScreen
	report doctor.Report
	err    error
}

func newDoctorScreen(e *env) *doctorScreen { return &doctorScreen{env: e} }

func (d *doctorScreen) Init() tea.Cmd { return d.run() }

func (d *doctorScreen) run() tea.Cmd {
	d.running, d.err = true, nil
	e := d.env
	return func() tea.Msg {
		r, err := e.doctor.Doctor(e.ctx)
		return doctorDoneMsg{source: d, report: r, err: err}
	}
}

func (d *doctorScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case doctorDoneMsg:
		if msg.source == d {
			d.running = false
			d.report, d.err = &msg.report, msg.err
			if msg.err != nil {
				return d, reportErr(d, msg.err)
			}
		}
	case tea.KeyMsg:
		if key.Matches(msg, keyRerun) && !d.running {
			return d, d.run()
		}
	}
	return d, nil
}

func (d *doctorScreen) View() string {
	st := d.env.st
	if d.running {
		return st.dim.Render("Checking the store and every target…")
	}
	if d.report == nil {
		return st.dim.Render("The report could not be made.")
	}
	r := d.report
	var b strings.Builder
	switch {
	case r.Failed > 0:
		b.WriteString(st.bad.Render(fmt.Sprintf("%d check(s) need action", r.Failed)))
	case r.Warned > 0:
		b.WriteString(st.warn.Render(fmt.Sprintf("Healthy, %d warning(s)", r.Warned)))
	default:
		b.WriteString(st.ok.Render(fmt.Sprintf("Healthy: %d checks passed", len(r.Checks))))
	}
	b.WriteString("\n")
	for _, want := range []doctor.Verdict{doctor.Fail, doctor.Warn} {
		for _, c := range r.Checks {
			if c.Verdict != want {
				continue
			}
			mark, style := "FAIL", st.bad
			if want == doctor.Warn {
				mark, style = "WARN", st.warn
			}
			name := c.ID
			if c.Target != "" {
				name += " " + c.Target
			}
			b.WriteString("\n" + style.Render(mark) + " " + clean(name) + "\n")
			b.WriteString(wrap("  "+clean(c.Summary), d.width) + "\n")
			if c.Fix != "" {
				b.WriteString(st.dim.Render(wrap("  fix: "+clean(c.Fix), d.width)) + "\n")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func (d *doctorScreen) SetSize(w, _ int) { d.width = w }

func (d *doctorScreen) ShortHelp() []key.Binding { return []key.Binding{keyRerun, keyBack} }

func (d *doctorScreen) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }
