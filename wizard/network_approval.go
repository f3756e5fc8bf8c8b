package wizard

import (
	"net/netip"
	"strings"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// The endpoint check's verdict when it said the endpoint needs approval in
// the Private network step, so that step can say which host and addresses
// need it, suggest the narrowest entry and open on allowlist. It lives
// with the answers for this run only (unexported: not in the draft); a
// resumed draft opens the step as before, and Review still judges the
// endpoint again.
type approvalNote struct {
	url string // the URL the verdict is about; another URL voids it
	v   urlsafe.Verdict
}

// noteVerdict keeps v when it needs private-network approval and forgets
// any earlier note otherwise.
func (a *answers) noteVerdict(v urlsafe.Verdict) {
	a.approval = nil
	if v.NeedsApproval {
		a.approval = &approvalNote{url: a.URL, v: v}
	}
}

// pendingApproval is the noted verdict for the URL as it stands; nil when
// none needs approval.
func (a *answers) pendingApproval() *urlsafe.Verdict {
	if a.approval == nil || a.approval.url != a.URL {
		return nil
	}
	return &a.approval.v
}

// narrowestEntries are the allowlist entries that approve exactly the
// addresses v found (one /32 or /128 each), those the core accepts.
func narrowestEntries(v *urlsafe.Verdict) []string {
	var out []string
	for _, s := range v.Addresses {
		addr, err := netip.ParseAddr(s)
		if err != nil {
			continue
		}
		entry := netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()).String()
		if core.AllowlistEntryProblem(entry) == nil {
			out = append(out, entry)
		}
	}
	return out
}

// approvalView is the Private network step's "HOST → ADDRESSES need
// approval" line and the narrowest entry to approve them.
func approvalView(st *styles, v *urlsafe.Verdict, width int) string {
	text := clean(v.Host) + " → " + clean(strings.Join(v.Addresses, ", ")) + " need approval"
	out := st.warn.Render(wrap(text, width))
	if entries := narrowestEntries(v); len(entries) > 0 {
		out += "\n" + st.dim.Render(wrap("Narrowest entry to add: "+strings.Join(entries, ", ")+" (exactly these addresses)", width))
	}
	return out
}
