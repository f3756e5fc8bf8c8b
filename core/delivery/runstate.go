package delivery

import (
	"container/heap"
	"sync"
	"time"
)

// runState is what a run knows about its deliveries: one report each, in
// the caller's order, and the schedule of the pending ones. A tracked run
// (given its deliveries) schedules them itself; a drain reports what it
// touched and schedules only wake-ups for what it put back. It is kept
// small, since an export of 100,000 tickets holds one report (Reports:
// about 40 bytes in memory) and at most one schedule entry per ticket.
type runState struct {
	mu      sync.Mutex
	tracked bool
	// reports are found by delivery id (Reports.Find) by a drain and
	// while an export's Queue feeds; a tracked run carries report indexes
	// in its jobs instead.
	reports *Reports
	// due schedules tracked deliveries; for a drain it holds the times of
	// the deliveries it put back, so it knows when to look again.
	due dueHeap

	// An export's run (RunOptions.Queue) also knows whether its Queue is
	// still going (feeding), the deliveries queued claimed for it that no
	// worker took yet, oldest first (held), and whether it stopped
	// starting attempts (closed): then nothing more is held. Reports.Find
	// folds deliveries queued twice while it feeds.
	feeding bool
	closed  bool
	held    []job
}

func newRunState(opts RunOptions) *runState {
	s := &runState{reports: NewReports()}
	switch {
	case opts.Queue != nil:
	case opts.Reports != nil:
		for _, r := range opts.Reports {
			s.reports.Add(r)
		}
	default:
		for _, id := range opts.IDs {
			if _, seen := s.reports.Find(id); !seen {
				s.reports.Add(Report{ID: id, Status: StatusPending})
			}
		}
	}
	// Given deliveries, even none, make a tracked run: only a run given
	// nothing at all drains the whole outbox.
	s.tracked = opts.Reports != nil || opts.IDs != nil || opts.Queue != nil
	s.feeding = opts.Queue != nil
	if !s.tracked {
		return s
	}
	now := time.Now().UnixNano()
	for i := range int32(s.reports.Len()) {
		if s.reports.Status(i) == StatusPending {
			s.due = append(s.due, dueEntry{at: now, i: i})
		}
	}
	heap.Init(&s.due)
	return s
}

// id is the delivery id of report idx.
func (s *runState) id(idx int32) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reports.ID(idx)
}

// touch notes a delivery a drain claimed and returns its report's index.
func (s *runState) touch(d Delivery) int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.reports.Find(d.ID); ok {
		return i
	}
	return s.reports.Add(Report{ID: d.ID, IdempotencyKey: d.IdempotencyKey, Status: d.Status,
		Attempts: d.Attempts, LastCode: d.LastCode})
}

// queued takes in one batch an export's Queue stored: a report for each
// delivery not seen before, in order; the claimed ones (claimed at at) are
// held for the workers, the other pending ones scheduled to be claimed.
// Once the run is closed, the claimed ones are returned instead, for the
// caller to release.
func (s *runState) queued(stored []Delivery, claimed []bool, at time.Time) (release []job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, d := range stored {
		if _, ok := s.reports.Find(d.ID); ok {
			continue // queued twice: one delivery
		}
		idx := s.reports.Add(Report{ID: d.ID, IdempotencyKey: d.IdempotencyKey, Status: d.Status,
			Attempts: d.Attempts, LastCode: d.LastCode, FallbackPath: d.FallbackPath})
		switch {
		case claimed[i] && s.closed:
			release = append(release, job{d: d, claimedAt: at, idx: idx})
		case claimed[i]:
			s.held = append(s.held, job{d: d, claimedAt: at, idx: idx})
		case d.Status == StatusPending:
			heap.Push(&s.due, dueEntry{at: at.UnixNano(), i: idx})
		}
	}
	return release
}

// takeHeld takes up to n held deliveries, oldest first.
func (s *runState) takeHeld(n int) []job {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := min(n, len(s.held))
	if k == 0 {
		return nil
	}
	out := make([]job, k)
	copy(out, s.held)
	clear(s.held[:k]) // the bodies go with the workers
	s.held = s.held[k:]
	if len(s.held) == 0 {
		s.held = nil
	}
	return out
}

// room is how many more deliveries may be held with limit held at most:
// none once the run is closed or its Queue returned.
func (s *runState) room(limit int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || !s.feeding {
		return 0
	}
	return max(0, limit-len(s.held))
}

// close marks the run as no longer starting attempts and returns the held
// deliveries, for the caller to release.
func (s *runState) close() []job {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	held := s.held
	s.held = nil
	return held
}

// isFeeding reports whether an export's Queue is still going.
func (s *runState) isFeeding() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.feeding
}

// fedAll notes that Queue returned.
func (s *runState) fedAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.feeding = false
}

// popDue takes up to n tracked deliveries due at now.
func (s *runState) popDue(now time.Time, n int) []int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int32
	for len(out) < n && len(s.due) > 0 && s.due[0].at <= now.UnixNano() {
		e := heap.Pop(&s.due).(dueEntry)
		if s.reports.Status(e.i) == StatusPending {
			out = append(out, e.i)
		}
	}
	return out
}

// reschedule puts tracked deliveries back, due at at.
func (s *runState) reschedule(idxs []int32, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.tracked {
		return
	}
	for _, i := range idxs {
		heap.Push(&s.due, dueEntry{at: at.UnixNano(), i: i})
	}
}

// nextDue is the earliest time a tracked delivery is due, or for a drain
// the next time one of the deliveries it put back is due after now (a drain
// has just tried to claim whatever was due by now).
func (s *runState) nextDue(now time.Time) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.due) > 0 {
		e := s.due[0]
		if s.reports.Status(e.i) != StatusPending || (!s.tracked && e.at <= now.UnixNano()) {
			heap.Pop(&s.due)
			continue
		}
		return time.Unix(0, e.at), true
	}
	return time.Time{}, false
}

// end records that a tracked delivery ended elsewhere (another process).
func (s *runState) end(idx int32, d Delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reports.Set(idx, Report{Status: d.Status, Attempts: d.Attempts, LastCode: d.LastCode, FallbackPath: d.FallbackPath})
}

// recorded updates the report of one recorded (or released) job.
func (s *runState) recorded(b done) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rep := s.reports.State(b.idx)
	if b.released {
		rep.Attempts, rep.LastCode = b.d.Attempts, b.d.LastCode
		s.reports.Set(b.idx, rep)
		if s.tracked && !b.excluded {
			// Claimable again at once; excluded ones this run never sends.
			heap.Push(&s.due, dueEntry{at: time.Now().UnixNano(), i: b.idx})
		}
		return
	}
	o := b.out
	rep.Attempts = b.d.Attempts + 1
	rep.LastCode = o.Attempt.Code
	rep.Status = o.Status
	rep.FallbackPath = o.FallbackPath // kept when empty
	s.reports.Set(b.idx, rep)
	if o.Status == StatusPending {
		heap.Push(&s.due, dueEntry{at: o.NextAttemptAt.UnixNano(), i: b.idx})
	}
}

func (s *runState) summary() Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := Summary{Reports: s.reports}
	for i := range int32(s.reports.Len()) {
		sum.Count(Report{Status: s.reports.Status(i)})
	}
	return sum
}

// dueEntry is one scheduled delivery: its time and its report's index.
type dueEntry struct {
	at int64
	i  int32
}

type dueHeap []dueEntry

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(dueEntry)) }
func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
