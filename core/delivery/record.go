package delivery

import (
	"context"
	"time"
)

// record writes outcomes in batches and releases what was not sent.
func (x *run) record(ctx context.Context, results <-chan done, flushed chan<- int, dispatched <-chan struct{}, idle <-chan struct{}) {
	var batch []done
	t := time.NewTicker(flushInterval)
	defer t.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := x.write(ctx, batch); err != nil {
			x.fail(err)
		}
		for _, b := range batch {
			x.state.recorded(b)
			if !b.released && x.r.OnOutcome != nil {
				x.r.OnOutcome(b.d, b.out)
			}
		}
		select {
		case flushed <- len(batch):
		case <-dispatched: // nobody counts any more
		}
		batch = batch[:0]
	}
	// add puts a result in the batch; at the end of the results (ok false)
	// it writes what is left and says the recorder is done.
	add := func(b done, ok bool) (finished bool) {
		if !ok {
			flush()
			return true
		}
		batch = append(batch, b)
		return false
	}
	for {
		select {
		case b, ok := <-results:
			if add(b, ok) {
				return
			}
			if len(batch) >= flushEvery {
				flush()
			}
		case <-t.C:
			flush()
		case <-idle:
			// Every worker sent its result before it counted as free, so
			// the results channel holds all of them: take them, then write.
			for more := true; more; {
				select {
				case b, ok := <-results:
					if add(b, ok) {
						return
					}
				default:
					more = false
				}
			}
			flush()
		}
	}
}

// write stores one batch: outcomes in one transaction, releases in
// another. It outlives an interrupt, so what happened is kept.
func (x *run) write(ctx context.Context, batch []done) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	var outs []Outcome
	var ids []string
	for _, b := range batch {
		if b.released {
			ids = append(ids, b.d.ID)
		} else {
			outs = append(outs, b.out)
		}
	}
	if len(outs) > 0 {
		if err := x.r.Outbox.Record(ctx, x.worker, outs); err != nil {
			return err
		}
	}
	return x.r.Outbox.Release(ctx, x.worker, ids)
}
