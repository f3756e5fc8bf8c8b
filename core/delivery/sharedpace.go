package delivery

import (
	"context"
	"time"
)

// PaceBook reserves the starts of deliveries to one target across every
// process that shares it (the store implements it with a row per target).
// BookPace returns the first start at or after earliest that is at least
// spacing after the start booked before it, and books it; when deadline is
// not zero and that start is after it, nothing is booked and ok is false.
type PaceBook interface {
	BookPace(ctx context.Context, targetID string, earliest time.Time, spacing time.Duration, deadline time.Time) (start time.Time, ok bool, err error)
}

// bookTimeout bounds one booking: the store waits for its write lock, and a
// pacer must not wait for ever on a stuck database.
const bookTimeout = 10 * time.Second

// sharedPace is a pacer's link to a PaceBook for one target.
type sharedPace struct {
	book     PaceBook
	targetID string
}

// Share makes p book every start with book under targetID as well, so the
// pace holds for all processes sending to the target, not only this one: an
// export, a cron `deliveries drain` and a test send to one Zapier target
// together still start one delivery per slice of its recipe. A nil or
// unpaced pacer ignores it.
func (p *Pacer) Share(book PaceBook, targetID string) {
	if p == nil || p.limit <= 0 || book == nil || targetID == "" {
		return
	}
	p.mu.Lock()
	p.shared = &sharedPace{book: book, targetID: targetID}
	p.mu.Unlock()
}

// book asks the shared book for the start at or after local; without one
// the local start stands. p.mu is held, so the starts of this process are
// booked in order.
func (p *Pacer) book(local time.Time, spacing time.Duration, deadline time.Time) (time.Time, bool, error) {
	if p.shared == nil {
		return local, true, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), bookTimeout)
	defer cancel()
	return p.shared.book.BookPace(ctx, p.shared.targetID, local, spacing, deadline)
}
