package payload

import (
	"encoding/json"
	"runtime"
	"sync"
	"sync/atomic"
)

// checker takes the JSON text of each ticket in input order from the
// reader (parseArray, parseStream), checks it (checkTicket) and hands the
// checked tickets to the caller's fn in the same order. add may return the
// error of a ticket already read, or fn's; finish ends the input and
// returns the error of the input: that of the first ticket in input order
// that failed (or fn's), else readErr, what the reader stopped with.
type checker interface {
	add(n int, raw json.RawMessage) error
	finish(readErr error) error
}

// inOrder checks each ticket as it is read, on the reader's goroutine.
func inOrder(fn func(Ticket) error) checker { return sequential{fn} }

type sequential struct{ fn func(Ticket) error }

func (c sequential) add(n int, raw json.RawMessage) error {
	t, err := checkTicket(n, raw)
	if err != nil {
		return err
	}
	return c.fn(t)
}

func (sequential) finish(readErr error) error { return readErr }

// Chunks of the parallel checker: up to checkChunk tickets or chunkBytes of
// JSON text a chunk, and at most maxChunks chunks or maxAheadBytes read
// ahead of fn, so memory stays bounded however long the input and however
// large its tickets (one ticket may be MaxTicketBytes).
const (
	checkChunk    = 64
	chunkBytes    = 64 << 10
	maxChunks     = 8
	maxAheadBytes = 1 << 20
)

// inParallel checks the tickets on workers goroutines while the reader
// goes on reading, a chunk at a time, and calls fn on the reader's
// goroutine in input order; the result is ParseTickets', in less wall
// time. Checking (decoding and the schema) is two thirds of reading a
// ticket, and export checks the whole input before it queues anything, so
// on two cores its wall time nearly halves (docs/performance.md).
func inParallel(fn func(Ticket) error, workers int) checker {
	if workers < 2 {
		return inOrder(fn)
	}
	c := &parallel{fn: fn, work: make(chan *chunk, maxChunks)}
	for range workers {
		c.wg.Add(1)
		go c.worker()
	}
	return c
}

type parallel struct {
	fn      func(Ticket) error
	work    chan *chunk
	wg      sync.WaitGroup
	stop    atomic.Bool // the error is known: check no more
	pending []*chunk    // sent to the workers, in input order
	cur     *chunk      // being filled
	ahead   int         // bytes of JSON text in pending and cur
	err     error       // the first failure in input order, once seen
}

// chunk is checkChunk tickets from first on; a worker fills out (and err,
// at the first ticket that fails, after which it stops) and closes done.
type chunk struct {
	first int
	bytes int
	raws  []json.RawMessage
	out   []Ticket
	err   error
	done  chan struct{}
}

func (c *parallel) worker() {
	defer c.wg.Done()
	for ch := range c.work {
		for i, raw := range ch.raws {
			if c.stop.Load() {
				break // nobody reads this chunk any more
			}
			t, err := checkTicket(ch.first+i, raw)
			if err != nil {
				// The rest of this chunk comes after the failure; earlier
				// chunks still count, so the others go on.
				ch.err = err
				break
			}
			ch.out = append(ch.out, t)
		}
		close(ch.done)
	}
}

func (c *parallel) add(n int, raw json.RawMessage) error {
	if c.cur == nil {
		c.cur = &chunk{first: n, raws: make([]json.RawMessage, 0, checkChunk), out: make([]Ticket, 0, checkChunk), done: make(chan struct{})}
	}
	c.cur.raws = append(c.cur.raws, raw)
	c.cur.bytes += len(raw)
	c.ahead += len(raw)
	if len(c.cur.raws) < checkChunk && c.cur.bytes < chunkBytes {
		return nil
	}
	c.send()
	return c.deliver(false)
}

// send hands the chunk being filled to the workers.
func (c *parallel) send() {
	if c.cur == nil {
		return
	}
	c.pending = append(c.pending, c.cur)
	c.work <- c.cur
	c.cur = nil
}

// deliver hands fn the checked chunks at the head of pending: those done,
// and with all set, every one, waiting for them; it waits anyway while
// maxChunks or maxAheadBytes are pending. It returns the first failure.
func (c *parallel) deliver(all bool) error {
	for c.err == nil && len(c.pending) > 0 {
		head := c.pending[0]
		if !all && len(c.pending) < maxChunks && c.ahead < maxAheadBytes {
			select {
			case <-head.done:
			default:
				return nil
			}
		}
		<-head.done
		c.pending[0] = nil
		c.pending = c.pending[1:]
		c.ahead -= head.bytes
		for _, t := range head.out {
			if err := c.fn(t); err != nil {
				c.err = err
				break
			}
		}
		if c.err == nil && head.err != nil {
			c.err = head.err
		}
	}
	return c.err
}

func (c *parallel) finish(readErr error) error {
	if c.err == nil {
		c.send()
	}
	close(c.work)
	err := c.deliver(true)
	if err != nil {
		c.stop.Store(true)
	}
	c.wg.Wait()
	if err != nil {
		return err
	}
	return readErr
}

// checkWorkers is how many goroutines check an export's tickets.
func checkWorkers() int { return runtime.GOMAXPROCS(0) }
