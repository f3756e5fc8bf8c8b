package delivery

// Report is where one delivery stands at the end of a run.
type Report struct {
	ID             string `json:"id"`
	IdempotencyKey string `json:"idempotency_key"`
	Status         Status `json:"status"`
	Attempts       int    `json:"attempts"`
	LastCode       string `json:"last_code"`
	FallbackPath   string `json:"fallback_path"`
}

// Summary counts the deliveries of a run by status and reports each.
type Summary struct {
	Delivered int `json:"delivered"`
	Failed    int `json:"failed"`
	Blocked   int `json:"blocked"`
	Pending   int `json:"pending"`
	// Reports holds one report per delivery: in the order of
	// RunOptions.IDs (or Reports, or as queued), or for a drain in the
	// order they were first claimed. Read them with Each: a large run's
	// reports are spooled, not held. nil is no deliveries.
	Reports *Reports `json:"-"`
}

// Total is the number of deliveries reported.
func (s Summary) Total() int {
	if s.Reports == nil {
		return 0
	}
	return s.Reports.Len()
}

// Each calls fn with every report in order and stops at fn's first error.
func (s Summary) Each(fn func(Report) error) error {
	if s.Reports == nil {
		return nil
	}
	return s.Reports.Each(fn)
}

// All returns every report in order, in memory: for small runs and tests.
func (s Summary) All() []Report {
	if s.Reports == nil {
		return []Report{}
	}
	return s.Reports.All()
}

// Close frees the spool of the reports.
func (s Summary) Close() error {
	if s.Reports == nil {
		return nil
	}
	return s.Reports.Close()
}

// Count adds r to the totals.
func (s *Summary) Count(r Report) {
	switch r.Status {
	case StatusDelivered:
		s.Delivered++
	case StatusFailed:
		s.Failed++
	case StatusBlocked:
		s.Blocked++
	default:
		s.Pending++
	}
}
