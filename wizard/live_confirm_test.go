package wizard

import (
	"context"
	"strings"
	"testing"
)

// A live test send asks first: n, esc and enter send nothing, y and Y
// send once each; the menu opens on Dry run every time, also after a
// live send, so "another test" → enter is a dry run.
func TestLiveTestSendAsksAndMenuStartsOnDryRun(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	sender := &fakeSender{res: TestResult{OK: true, Summary: "Delivered to hooks.zapier.com."}}
	d := newDriver(t, st, func(e *env) { e.sender = sender })
	d.key("t")
	for _, no := range []string{"n", "esc", "enter", "x"} {
		d.key("down", "down", "enter")
		d.want("Send a live test delivery to hooks.zapier.com? [y/N]", "y send", "n/esc cancel")
		d.key(no)
		if len(sender.kinds) != 0 {
			t.Fatalf("%q sent %v", no, sender.kinds)
		}
		d.want("Dry run", "Rehearsal", "Live")
		if v := d.m.cur.(*testSend).list.selected().value; v != "dry" {
			t.Fatalf("after %q the menu is on %q", no, v)
		}
	}
	for i, yes := range []string{"y", "Y"} {
		d.key("down", "down", "enter", yes)
		if len(sender.kinds) != i+1 || sender.kinds[i].Mode != TestLive {
			t.Fatalf("%q sent %v", yes, sender.kinds)
		}
		d.want("✓ Delivered to hooks.zapier.com.")
		d.key("enter") // another test
		if v := d.m.cur.(*testSend).list.selected().value; v != "dry" {
			t.Fatalf("after a live send the menu is on %q", v)
		}
	}
	d.key("enter")
	if n := len(sender.kinds); n != 3 || sender.kinds[2].Mode != TestDryRun {
		t.Fatalf("another test → enter sent %v", sender.kinds)
	}
}

// Accessible mode asks the same question as a line: n, an empty answer
// and anything but y or Y send nothing; y sends once.
func TestAccessibleLiveTestSendAsks(t *testing.T) {
	for _, c := range []struct {
		answer string
		sends  int
	}{{"n", 0}, {"", 0}, {"yes please", 0}, {"\x1b", 0}, {"y", 1}, {"Y", 1}} {
		st := newFakeStore()
		st.targets["zap-tickets"] = readyTarget("zap-tickets")
		sender := &fakeSender{res: TestResult{OK: true, Summary: "Delivered to hooks.zapier.com."}}
		out := &safeBuffer{}
		d := newDriver(t, st) // for its resolver
		err := Run(context.Background(), Options{
			In: &lineFeeder{lines: []string{
				"3", "zap-tickets", // Test send, the target
				"3", // Live
				c.answer,
				"6", // quit
			}}, Out: out, Store: st, Resolver: d.res, Sender: sender,
			Accessible: true, DraftID: "wizard:tester", Actor: "tester",
		})
		if err != nil {
			t.Fatalf("%q: %v\n%s", c.answer, err, out)
		}
		if len(sender.kinds) != c.sends {
			t.Fatalf("%q made %d sends, want %d\n%s", c.answer, len(sender.kinds), c.sends, out)
		}
		if !strings.Contains(out.String(), "Send a live test delivery to hooks.zapier.com? [y/N]") {
			t.Fatalf("%q: the question is not asked:\n%s", c.answer, out)
		}
		if c.sends == 0 && !strings.Contains(out.String(), "Nothing sent.") {
			t.Fatalf("%q: no word that nothing was sent:\n%s", c.answer, out)
		}
	}
}
