package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
)

// progressEvery is how often the live line is redrawn and, at most, how
// often a progress event is written: often enough to look alive, rarely
// enough that a 100,000-delivery run writes a few hundred lines, not
// 100,000.
const progressEvery = 250 * time.Millisecond

// progressFlags is --json-events, shared by export and deliveries drain.
type progressFlags struct{ jsonEvents bool }

func (f *progressFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.jsonEvents, "json-events", false, `stream NDJSON on stdout instead of the summary: {"event":"start"|"estimate"|"progress"|"summary",...} (docs/delivery.md)`)
}

// check refuses --json-events together with --json: stdout carries one
// of them.
func (f progressFlags) check(jsonOut bool) error {
	if f.jsonEvents && jsonOut {
		return codes.Errorf(codes.Usage, "--json-events and --json both write stdout; use one")
	}
	return nil
}

// progressCounts is where a run stands: every delivery of total is
// delivered, retrying (an attempt failed, another is due), failed, blocked
// or still queued (not attempted yet).
type progressCounts struct {
	Total     int     `json:"total"`
	Delivered int     `json:"delivered"`
	Retrying  int     `json:"retrying"`
	Failed    int     `json:"failed"`
	Blocked   int     `json:"blocked"`
	Queued    int     `json:"queued"`
	Rate      float64 `json:"rate_per_second"`
	ETA       float64 `json:"eta_seconds"`
}

// progress reports a long run (export, deliveries drain) while it goes:
// one live line on stderr when stderr is a terminal, NDJSON events on
// stdout with --json-events, nothing at all otherwise (a pipe, a log file,
// a systemd journal get only the summary).
type progress struct {
	live   io.Writer // stderr when it is a terminal, else nil
	dumb   bool      // TERM=dumb: overwrite with spaces, no escape codes
	events io.Writer // stdout with --json-events, else nil
	now    func() time.Time

	mu        sync.Mutex
	c         progressCounts
	retrying  map[string]bool
	began     time.Time
	lastEvent time.Time
	width     int // of the line drawn last, for TERM=dumb
	stop      chan struct{}
	stopped   sync.WaitGroup
}

// newProgress returns the reporter of one run of total deliveries, or a
// reporter that draws nothing when there is nobody to tell.
func newProgress(app *App, f progressFlags, total int) *progress {
	p := &progress{now: time.Now, retrying: map[string]bool{}}
	p.c.Total = total
	if f.jsonEvents {
		p.events = app.Out
	} else if isTerminal(app.Err) {
		p.live = app.Err
		p.dumb = app.Getenv("TERM") == "dumb"
	}
	return p
}

// active reports whether anything is drawn or written.
func (p *progress) active() bool { return p.live != nil || p.events != nil }

// event writes one NDJSON line with --json-events.
func (p *progress) event(name string, fields any) {
	if p.events == nil {
		return
	}
	b, err := json.Marshal(fields)
	if err != nil || len(b) < 2 {
		return
	}
	line := `{"event":` + strconv.Quote(name)
	if len(b) > 2 {
		line += "," + string(b[1:len(b)-1])
	}
	fmt.Fprintln(p.events, line+"}")
}

// start begins the clock and the live line.
func (p *progress) start(fields any) {
	p.mu.Lock()
	p.began = p.now()
	p.mu.Unlock()
	p.event("start", fields)
	if p.live == nil {
		return
	}
	p.stop = make(chan struct{})
	p.stopped.Add(1)
	go func() {
		defer p.stopped.Done()
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}()
}

// observe takes in one recorded outcome (Runner.OnOutcome).
func (p *progress) observe(d delivery.Delivery, o delivery.Outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.retrying[d.ID] {
		delete(p.retrying, d.ID)
		p.c.Retrying--
	}
	switch o.Status {
	case delivery.StatusDelivered:
		p.c.Delivered++
	case delivery.StatusFailed:
		p.c.Failed++
	case delivery.StatusBlocked:
		p.c.Blocked++
	default:
		p.retrying[d.ID] = true
		p.c.Retrying++
	}
	if p.events != nil && p.now().Sub(p.lastEvent) >= progressEvery {
		p.lastEvent = p.now()
		p.event("progress", p.counts())
	}
}

// counts fills in queued, the rate and the ETA. p.mu is held.
func (p *progress) counts() progressCounts {
	c := p.c
	ended := c.Delivered + c.Failed + c.Blocked
	c.Total = max(c.Total, ended+c.Retrying)
	c.Queued = c.Total - ended - c.Retrying
	if secs := p.now().Sub(p.began).Seconds(); secs > 0 && ended > 0 {
		c.Rate = float64(int(float64(ended)/secs*10)) / 10
		if c.Rate > 0 {
			c.ETA = float64(int(float64(c.Total-ended) / c.Rate))
		}
	}
	return c
}

// line is the live line: counts of total, the rate and the ETA.
func (c progressCounts) line() string {
	s := fmt.Sprintf("delivered %s · retrying %s · failed %s · queued %s of %s",
		thousands(c.Delivered), thousands(c.Retrying), thousands(c.Failed+c.Blocked), thousands(c.Queued), thousands(c.Total))
	if c.Rate > 0 {
		s += fmt.Sprintf(" · %.1f/s · ETA %s", c.Rate, shortDuration(time.Duration(c.ETA)*time.Second))
	}
	return s
}

// draw rewrites the live line in place. p.mu is held.
func (p *progress) draw() {
	line := p.counts().line()
	if p.dumb {
		pad := max(p.width-len([]rune(line)), 0)
		fmt.Fprint(p.live, "\r"+line+strings.Repeat(" ", pad))
	} else {
		fmt.Fprint(p.live, "\r\x1b[K"+line)
	}
	p.width = len([]rune(line))
}

// finish stops the live line and erases it: the summary on stdout says the
// rest. With --json-events it writes the last progress event.
func (p *progress) finish() {
	if p.stop != nil {
		close(p.stop)
		p.stopped.Wait()
		p.stop = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live != nil && p.width > 0 {
		if p.dumb {
			fmt.Fprint(p.live, "\r"+strings.Repeat(" ", p.width)+"\r")
		} else {
			fmt.Fprint(p.live, "\r\x1b[K")
		}
		p.width = 0
	}
	p.event("progress", p.counts())
}

// summaryEvent is the last line of --json-events: the run's totals and how
// it ended, the exit code included, so a script needs no other output.
type summaryEvent struct {
	Delivered int        `json:"delivered"`
	Failed    int        `json:"failed"`
	Blocked   int        `json:"blocked"`
	Pending   int        `json:"pending"`
	Exit      int        `json:"exit"`
	Code      codes.Code `json:"code,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	Fix       string     `json:"fix,omitempty"`
}

// finishEvents ends a --json-events run as finishRun ends the others: a
// local failure is returned as is; otherwise the summary event carries the
// outcome and the exit code is set without printing anything else.
func finishEvents(p *progress, sum delivery.Summary, fallbackDir string, runErr error) error {
	interrupted := runErr != nil && errors.Is(runErr, context.Canceled)
	if runErr != nil && !interrupted {
		return runErr
	}
	ev := summaryEvent{Delivered: sum.Delivered, Failed: sum.Failed, Blocked: sum.Blocked, Pending: sum.Pending}
	var e *codes.Error
	if interrupted {
		e = codes.Errorf(codes.Interrupted, "interrupted; %d deliveries stay queued", sum.Pending)
	} else {
		e = runError(sum, fallbackDir)
	}
	if e != nil {
		ev.Exit, ev.Code, ev.Reason, ev.Fix = codes.ExitCode(e), e.Code, e.Reason, e.Fix
	}
	p.event("summary", ev)
	if e != nil {
		return &silentError{code: e.Code}
	}
	return nil
}

// paceWarning says, before anything is sent, that the target's pace cannot
// send count deliveries within wait, with the numbers; "" when it can.
func paceWarning(est delivery.Estimate, perSecond float64, wait time.Duration) string {
	if est.Left == 0 {
		return ""
	}
	return fmt.Sprintf("%s at %.4g/s (paced at %.4g/s) ≈ %s > --wait %s: about %s will stay queued for drain",
		thousands(est.Count), perSecond, est.PerSecond, shortDuration(est.Needed), shortDuration(wait), thousands(est.Left))
}

// shortDuration writes d in whole seconds up to two minutes (111s), then
// as core.DurationText does (4m, 1h30m).
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	if d < 2*time.Minute {
		return strconv.Itoa(int(d.Seconds())) + "s"
	}
	return core.DurationText(d)
}

// thousands writes n with comma separators: 2,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
