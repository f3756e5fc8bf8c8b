package payload

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"os"

	"github.com/webriskops/webhook-setup/core/codes"
)

// TicketSpool holds tickets ParseTickets has validated, in order, for a
// second read: export checks its whole input before it queues anything,
// then reads it again to queue it. The second read comes from here, not
// from the input: it needs no JSON decoding and no schema check (a fifth
// of an export's cost per ticket, docs/performance.md), it cannot see an
// input file changed between the two reads, and standard input needs no
// copy of its own. The tickets are in a private temporary file, unlinked
// at once so that nothing is left behind whatever happens to the process,
// or in memory when no temporary file can be made.
type TicketSpool struct {
	f     *os.File // nil: in memory
	mem   []byte   // the spool when f is nil
	w     *bufio.Writer
	count int
}

// SpoolTickets reads every ticket of r as ParseTickets does, checking each
// (on as many goroutines as there are processors, inParallel), into a new
// spool. An invalid input is ParseTickets' error, and leaves
// nothing behind.
func SpoolTickets(r io.Reader) (*TicketSpool, error) {
	s := &TicketSpool{}
	if f, err := os.CreateTemp("", "webhook-setup-tickets-*"); err == nil {
		_ = os.Remove(f.Name()) // unlinked: gone when the process is
		s.f = f
		s.w = bufio.NewWriterSize(f, 64<<10)
	} else {
		s.w = bufio.NewWriterSize(memWriter{&s.mem}, 64<<10)
	}
	err := parseTickets(r, inParallel(func(t Ticket) error {
		s.count++
		return s.put(t)
	}, checkWorkers()))
	if err == nil {
		err = s.w.Flush()
	}
	if err != nil {
		s.Close()
		var ce *codes.Error
		if !errors.As(err, &ce) {
			err = codes.Errorf(codes.Internal, "spool the tickets: %v", err)
		}
		return nil, err
	}
	return s, nil
}

// Len is the number of tickets.
func (s *TicketSpool) Len() int { return s.count }

// Each calls fn with every ticket in order, as ParseTickets gave it, and
// stops at fn's first error, which it returns.
func (s *TicketSpool) Each(fn func(Ticket) error) error {
	var src io.Reader
	if s.f != nil {
		src = io.NewSectionReader(s.f, 0, 1<<62)
	} else {
		src = &sliceReader{b: s.mem}
	}
	br := bufio.NewReaderSize(src, 64<<10)
	for range s.count {
		t, err := readTicket(br)
		if err != nil {
			return codes.Errorf(codes.Internal, "read the spooled tickets back: %v", err)
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return nil
}

// Close removes the spool.
func (s *TicketSpool) Close() error {
	s.mem = nil
	if s.f != nil {
		return s.f.Close()
	}
	return nil
}

// put appends t: each field as its length (uvarint) and bytes, then the
// number of labels and each label the same way.
func (s *TicketSpool) put(t Ticket) error {
	for _, f := range []string{t.Title, t.Description, t.Severity, t.Kind, t.FindingID, t.ReportURL, t.DueDate} {
		s.putString(f)
	}
	s.putUvarint(uint64(len(t.Labels)))
	for _, l := range t.Labels {
		s.putString(l)
	}
	return nil
}

func (s *TicketSpool) putUvarint(n uint64) {
	var buf [binary.MaxVarintLen64]byte
	s.w.Write(buf[:binary.PutUvarint(buf[:], n)])
}

func (s *TicketSpool) putString(v string) {
	s.putUvarint(uint64(len(v)))
	s.w.WriteString(v)
}

// readTicket reads one ticket put wrote; it was checked by ParseTickets
// before it was spooled.
func readTicket(br *bufio.Reader) (Ticket, error) {
	var f [7]string
	for i := range f {
		v, err := readSpooled(br)
		if err != nil {
			return Ticket{}, err
		}
		f[i] = v
	}
	t := Ticket{Title: f[0], Description: f[1], Severity: f[2], Kind: f[3], FindingID: f[4], ReportURL: f[5], DueDate: f[6], checked: true}
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return Ticket{}, err
	}
	if n > MaxTicketBytes {
		return Ticket{}, errors.New("damaged spool")
	}
	for range n {
		l, err := readSpooled(br)
		if err != nil {
			return Ticket{}, err
		}
		t.Labels = append(t.Labels, l)
	}
	return t, nil
}

func readSpooled(br *bufio.Reader) (string, error) {
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return "", err
	}
	if n > MaxTicketBytes {
		return "", errors.New("damaged spool")
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(br, b); err != nil {
		return "", err
	}
	return string(b), nil
}

// memWriter appends to a byte slice.
type memWriter struct{ b *[]byte }

func (m memWriter) Write(p []byte) (int, error) { *m.b = append(*m.b, p...); return len(p), nil }

// sliceReader reads a byte slice.
type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
