package wizard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/sanitize"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// clean is sanitize.Line: every outside string is drawn through it.
func clean(s string) string { return sanitize.Line(s) }

// fit cuts every line of s to width cells and keeps at most height lines,
// so no screen ever wraps or scrolls the terminal, at 80×24 or after a
// resize. width or height <= 0 means no limit.
func fit(s string, width, height int) string {
	lines := strings.Split(s, "\n")
	if height > 0 && len(lines) > height {
		lines = lines[:height]
	}
	if width > 0 {
		for i, l := range lines {
			if ansi.StringWidth(l) > width {
				lines[i] = ansi.Truncate(l, width, "…")
			}
		}
	}
	return strings.Join(lines, "\n")
}

// wrap word-wraps text to width cells, breaking only at spaces (header
// names like X-WebRiskOps-Signature stay whole) and cutting words longer
// than a line. Continuation lines keep the paragraph's indent. No limit
// when width <= 0.
func wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	paras := strings.Split(s, "\n")
	for i, p := range paras {
		indent := p[:len(p)-len(strings.TrimLeft(p, " "))]
		if len(indent) >= width/2 {
			indent = ""
		}
		var lines []string
		line := indent
		for _, w := range strings.Fields(p) {
			ww := ansi.StringWidth(w)
			lw := ansi.StringWidth(line)
			switch {
			case strings.TrimSpace(line) == "" && lw+ww <= width:
				line += w
			case lw+1+ww <= width:
				line += " " + w
			default:
				if strings.TrimSpace(line) != "" {
					lines = append(lines, line)
				}
				line = indent + w
				for ansi.StringWidth(line) > width {
					cut := ansi.Truncate(line, width, "")
					rest := strings.TrimPrefix(line, cut)
					if cut == "" || rest == line {
						break // styled text that does not cut cleanly: fit will
					}
					lines = append(lines, cut)
					line = indent + rest
				}
			}
		}
		paras[i] = strings.Join(append(lines, line), "\n")
	}
	return strings.Join(paras, "\n")
}

// problemLines draws problems: the code and reason, then the fix, every
// part sanitised (reasons quote what the operator typed or the server
// said) and wrapped under a two-space indent.
func problemLines(st *styles, ps []codes.Problem, width int) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		head := string(p.Code) + ":"
		lines := strings.Split(wrap(head+" "+clean(p.Reason), max(width-2, 20)), "\n")
		b.WriteString(st.bad.Render("✗ "+head) + strings.TrimPrefix(lines[0], head))
		for _, l := range lines[1:] {
			b.WriteString("\n  " + l)
		}
		if fix := wizardFix(p, false); fix != "" {
			for j, l := range strings.Split(wrap("fix: "+clean(fix), max(width-2, 20)), "\n") {
				if j == 0 {
					l = st.dim.Render("fix:") + strings.TrimPrefix(l, "fix:")
				}
				b.WriteString("\n  " + l)
			}
		}
	}
	return b.String()
}

// helpLines draws key bindings as "key desc" items two spaces apart,
// wrapped to width so no key is ever cut off the help line. An item wider
// than the line (the pager's command for the unwrapped text, at 60
// columns) is wrapped over lines of its own rather than cut.
func helpLines(st *styles, bindings []key.Binding, width int) string {
	var lines []string
	line, lw := "", 0
	for _, b := range bindings {
		h := b.Help()
		if !b.Enabled() || h.Key == "" {
			continue
		}
		item := st.key.Render(h.Key) + " " + st.dim.Render(h.Desc)
		iw := ansi.StringWidth(h.Key) + 1 + ansi.StringWidth(h.Desc)
		switch {
		case width > 0 && iw > width:
			if lw > 0 {
				lines = append(lines, line)
			}
			parts := strings.Split(wrap(h.Key+" "+h.Desc, width), "\n")
			for i, p := range parts {
				if i == 0 && strings.HasPrefix(p, h.Key) {
					parts[i] = st.key.Render(h.Key) + st.dim.Render(strings.TrimPrefix(p, h.Key))
				} else {
					parts[i] = st.dim.Render(p)
				}
			}
			lines = append(lines, parts[:len(parts)-1]...)
			line, lw = parts[len(parts)-1], ansi.StringWidth(ansi.Strip(parts[len(parts)-1]))
		case lw == 0:
			line, lw = item, iw
		case width > 0 && lw+2+iw > width:
			lines = append(lines, line)
			line, lw = item, iw
		default:
			line, lw = line+"  "+item, lw+2+iw
		}
	}
	return strings.Join(append(lines, line), "\n")
}

// stateLook is how a readiness state is drawn: its style, its glyph and
// its word; ok is false for a state it does not know.
func stateLook(st *styles, s core.State) (style lipgloss.Style, glyph, word string, ok bool) {
	switch s {
	case core.Ready:
		return st.ok, "✓", "ready", true
	case core.Blocked:
		return st.bad, "✗", "blocked", true
	case core.NotApplicable:
		return st.dim, "·", "not applicable", true
	case core.Warning:
		return st.bad, "!", "warning", true
	}
	return lipgloss.Style{}, "", "", false
}

// stateGlyph is the one-character form of a readiness state.
func stateGlyph(st *styles, s core.State) string {
	style, glyph, _, ok := stateLook(st, s)
	if !ok {
		return "?"
	}
	return style.Render(glyph)
}

// stateWord is a readiness state spelled out, coloured.
func stateWord(st *styles, s core.State) string {
	style, glyph, word, ok := stateLook(st, s)
	if !ok {
		return string(s)
	}
	return style.Render(glyph + " " + word)
}

// statesGlyphs is the six states at a glance, in core.StateNames order.
func statesGlyphs(st *styles, s core.States) string {
	var b strings.Builder
	for _, n := range core.StateNames {
		b.WriteString(stateGlyph(st, s.Get(n)))
	}
	return b.String()
}

// statesTable is the six states one per line.
func statesTable(st *styles, s core.States) string {
	var b strings.Builder
	for i, n := range core.StateNames {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "  %-18s %s", n, stateWord(st, s.Get(n)))
	}
	return b.String()
}

// endpointHost is the host[:port] of an endpoint, the part of a URL that
// is safe to show (paths of hook URLs are credentials).
func endpointHost(raw string) string {
	u, _, p := urlsafe.Parse(raw)
	if p != nil || u == nil {
		return ""
	}
	return u.Host
}

// networkSummary describes a target's private-network approval.
func networkSummary(t core.Target) string {
	if t.DeploymentMode != core.ModeSelfHosted {
		return "not applicable (" + string(t.DeploymentMode) + ": public HTTPS only)"
	}
	pn := t.PrivateNetwork
	if pn.NormalizedPolicy() == core.PolicyDeny {
		return "deny (public HTTPS only)"
	}
	return fmt.Sprintf("allowlist %s, authorized by %s", strings.Join(pn.Allowlist, ", "), pn.AuthorizedBy)
}

// field is one "label  value" line with the value sanitised.
func field(st *styles, label, value string) string {
	return st.dim.Render(fmt.Sprintf("%-18s", label)) + " " + clean(value)
}

// fieldWrapped is field with the value wrapped to width under its own
// column, for values that must be read before saving (who owns the
// receiver, where it is revoked, who authorized a route), on at most
// maxLines lines (0: all), the last cut with "…" so the rest of the screen
// keeps its rows.
func fieldWrapped(st *styles, label, value string, width, maxLines int) string {
	const col = 19
	if width <= col+10 {
		return field(st, label, value)
	}
	lines := strings.Split(wrap(clean(value), width-col), "\n")
	if maxLines > 0 && len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = ansi.Truncate(lines[maxLines-1], width-col-1, "") + "…"
	}
	return st.dim.Render(fmt.Sprintf("%-18s", label)) + " " + strings.Join(lines, "\n"+strings.Repeat(" ", col))
}

// verdictView describes an endpoint check: the addresses, the verdict,
// the provider hints. A refusal's code, reason and fix are drawn by the
// parent from the errorMsg the step sends.
func verdictView(st *styles, v urlsafe.Verdict, selfHosted bool, width int) string {
	var b strings.Builder
	addrs := strings.Join(v.Addresses, ", ")
	host := clean(v.Host)
	switch {
	case v.Safe:
		b.WriteString(st.ok.Render("✓ safe") + " " + host + " → " + clean(addrs))
	case v.NeedsApproval && selfHosted:
		b.WriteString(st.warn.Render("! needs private-network approval") + " " + host + " → " + clean(addrs))
		b.WriteString("\n" + st.dim.Render(wrap("  "+clean(v.Fix)+" This is done in the Private network step.", width)))
	default:
		b.WriteString(st.bad.Render("✗ refused") + " " + host)
		if addrs != "" {
			b.WriteString(" → " + clean(addrs))
		}
	}
	for _, w := range v.Warnings {
		b.WriteString("\n" + st.warn.Render(wrap("  hint: "+clean(w), width)))
	}
	return b.String()
}

// acceptable reports whether a verdict lets the Endpoint URL step
// continue: safe, or in self-hosted mode waiting for private-network
// approval.
func acceptable(v urlsafe.Verdict, mode core.Mode) bool {
	return v.Safe || (v.NeedsApproval && mode == core.ModeSelfHosted)
}

// cleanText is sanitize.Text with tabs expanded (a tab would otherwise be
// shown as \x09 in recipes and requests).
func cleanText(s string) string {
	return sanitize.Text(strings.ReplaceAll(s, "\t", "    "))
}

// plural is n and the noun, with an s unless n is one: "1 character",
// "2 characters".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// stepCount is where s is in the setup, for the heading: "Step 3 of 7",
// short "3/7". The count depends on the deployment mode (self-hosted adds
// Private network: 8 steps), so until the mode is chosen only the step's
// number is given: the total, once shown, never changes under the
// operator's feet.
func stepCount(mode core.Mode, s stepID) (full, short string) {
	n := position(mode, s)
	if mode == "" {
		return fmt.Sprintf("Step %d", n), fmt.Sprint(n)
	}
	of := len(flow(mode))
	return fmt.Sprintf("Step %d of %d", n, of), fmt.Sprintf("%d/%d", n, of)
}
