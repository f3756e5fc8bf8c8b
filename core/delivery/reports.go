package delivery

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"io"
	"os"
)

// Reports are the reports of a run's deliveries, in the order the run
// first saw them, kept small: an export of 100,000 tickets has 100,000 of
// them. What changes during the run (status, attempts, last code) is held
// in 16 bytes per delivery; the id and the idempotency key, which never
// change, are spooled to a private temporary file once they outgrow
// spoolInMemory, unlinked at once so that nothing is left behind whatever
// happens to the process; fallback paths (failed or blocked deliveries
// only) are held by index. The zero value is not usable: NewReports.
type Reports struct {
	rows      []reportRow
	codes     []string          // interned last codes; codes[0] is ""
	codeIndex map[string]uint16 // code → index in codes
	fallback  map[int32]string

	spool  spool
	w      *bufio.Writer // buffers appends to spool
	size   int64         // bytes appended to spool, flushed or not
	fileOK bool          // spool is the temporary file
	seed   maphash.Seed
	byHash map[uint64]int32 // id hash → index, for Find
	byID   map[string]int32 // ids whose hash an earlier id has
	err    error            // the first spool failure
}

// reportRow is what changes of one report, and where its id and key are.
type reportRow struct {
	at       int64 // offset of the id and key in the spool
	attempts int32
	code     uint16
	status   packedStatus
}

// packedStatus is a Status in one byte.
type packedStatus uint8

const (
	packedPending packedStatus = iota
	packedDelivered
	packedFailed
	packedBlocked
)

func packStatus(s Status) packedStatus {
	switch s {
	case StatusDelivered:
		return packedDelivered
	case StatusFailed:
		return packedFailed
	case StatusBlocked:
		return packedBlocked
	}
	return packedPending
}

func (s packedStatus) status() Status {
	return [...]Status{StatusPending, StatusDelivered, StatusFailed, StatusBlocked}[s]
}

// spoolInMemory is how many bytes of ids and keys stay in memory before
// they go to the temporary file (about 1,000 deliveries).
const spoolInMemory = 64 << 10

// spool holds the ids and keys: memory first, then the temporary file.
type spool interface {
	io.Writer
	io.ReaderAt
}

// memSpool is a spool in memory.
type memSpool struct{ b []byte }

func (m *memSpool) Write(p []byte) (int, error) { m.b = append(m.b, p...); return len(p), nil }

func (m *memSpool) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(m.b)) {
		return 0, io.EOF
	}
	n := copy(p, m.b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// NewReports returns an empty list.
func NewReports() *Reports {
	mem := &memSpool{}
	return &Reports{codes: []string{""}, codeIndex: map[string]uint16{"": 0}, fallback: map[int32]string{},
		spool: mem, w: bufio.NewWriterSize(mem, 4096), seed: maphash.MakeSeed(),
		byHash: map[uint64]int32{}, byID: map[string]int32{}}
}

// Len is the number of reports.
func (r *Reports) Len() int { return len(r.rows) }

// Add appends rep and returns its index.
func (r *Reports) Add(rep Report) int32 {
	i := int32(len(r.rows))
	r.rows = append(r.rows, reportRow{at: r.size})
	r.appendStrings(rep.ID, rep.IdempotencyKey)
	r.Set(i, rep)
	h := maphash.String(r.seed, rep.ID)
	if _, taken := r.byHash[h]; taken {
		r.byID[rep.ID] = i
	} else {
		r.byHash[h] = i
	}
	return i
}

// Find returns the index of the report of delivery id.
func (r *Reports) Find(id string) (int32, bool) {
	i, ok := r.byHash[maphash.String(r.seed, id)]
	if !ok {
		return 0, false
	}
	if r.ID(i) == id {
		return i, true
	}
	i, ok = r.byID[id]
	return i, ok
}

// Set replaces what changes of report i: status, attempts, last code and,
// when rep has one, the fallback path. The id and key stay as added.
func (r *Reports) Set(i int32, rep Report) {
	row := &r.rows[i]
	row.status, row.attempts, row.code = packStatus(rep.Status), int32(rep.Attempts), r.intern(rep.LastCode)
	if rep.FallbackPath != "" {
		r.fallback[i] = rep.FallbackPath
	}
}

// Status is the status of report i.
func (r *Reports) Status(i int32) Status { return r.rows[i].status.status() }

// ID is the delivery id of report i.
func (r *Reports) ID(i int32) string {
	id, _ := r.strings(i)
	return id
}

// Get returns report i.
func (r *Reports) Get(i int32) Report {
	rep := r.State(i)
	rep.ID, rep.IdempotencyKey = r.strings(i)
	return rep
}

// State is report i without its id and key: what Set changes. It reads
// nothing from the spool (which, past spoolInMemory, is a file: a flush
// and a read per call), so recording an outcome costs no system call.
func (r *Reports) State(i int32) Report {
	row := r.rows[i]
	return Report{Status: row.status.status(), Attempts: int(row.attempts), LastCode: r.codes[row.code], FallbackPath: r.fallback[i]}
}

// Each calls fn with every report in order, reading the spool once, and
// stops at fn's first error.
func (r *Reports) Each(fn func(Report) error) error {
	if err := r.flush(); err != nil {
		return err
	}
	br := bufio.NewReaderSize(io.NewSectionReader(r.spool, 0, r.size), 32<<10)
	for i, row := range r.rows {
		id, err := readString(br)
		if err != nil {
			return r.fail(err)
		}
		key, err := readString(br)
		if err != nil {
			return r.fail(err)
		}
		rep := Report{ID: id, IdempotencyKey: key, Status: row.status.status(), Attempts: int(row.attempts),
			LastCode: r.codes[row.code], FallbackPath: r.fallback[int32(i)]}
		if err := fn(rep); err != nil {
			return err
		}
	}
	return nil
}

// All returns every report in order, in memory: for small runs and tests.
func (r *Reports) All() []Report {
	out := make([]Report, 0, len(r.rows))
	_ = r.Each(func(rep Report) error { out = append(out, rep); return nil })
	return out
}

// Err is the first failure of the spool: its reports read back empty.
func (r *Reports) Err() error { return r.err }

// Close removes the spool.
func (r *Reports) Close() error {
	if f, ok := r.spool.(*os.File); ok {
		return f.Close()
	}
	return nil
}

func (r *Reports) intern(code string) uint16 {
	if i, ok := r.codeIndex[code]; ok {
		return i
	}
	if len(r.codes) == 1<<16-1 {
		return 0 // never: codes come from a short catalog
	}
	i := uint16(len(r.codes))
	r.codes = append(r.codes, code)
	r.codeIndex[code] = i
	return i
}

// appendStrings spools id and key, moving the spool to its temporary file
// once it outgrows spoolInMemory.
func (r *Reports) appendStrings(id, key string) {
	var buf [2 * binary.MaxVarintLen64]byte
	n := binary.PutUvarint(buf[:], uint64(len(id)))
	r.write(buf[:n])
	r.write([]byte(id))
	n = binary.PutUvarint(buf[:], uint64(len(key)))
	r.write(buf[:n])
	r.write([]byte(key))
	if !r.fileOK && r.size > spoolInMemory && r.err == nil {
		r.toFile()
	}
}

func (r *Reports) write(p []byte) {
	if _, err := r.w.Write(p); err != nil {
		r.fail(err)
	}
	r.size += int64(len(p))
}

// toFile copies the spool so far to a private temporary file and goes on
// there. When no file can be made, the spool stays in memory: the run
// goes on, only larger.
func (r *Reports) toFile() {
	f, err := os.CreateTemp("", "webhook-setup-reports-*")
	if err != nil {
		r.fileOK = true // do not try again
		return
	}
	_ = os.Remove(f.Name()) // unlinked: gone when the process is
	if err := r.w.Flush(); err != nil {
		f.Close()
		r.fail(err)
		return
	}
	if _, err := f.Write(r.spool.(*memSpool).b); err != nil {
		f.Close()
		r.fileOK = true
		return
	}
	r.spool, r.fileOK = f, true
	r.w = bufio.NewWriterSize(f, 32<<10)
}

func (r *Reports) flush() error {
	if err := r.w.Flush(); err != nil {
		return r.fail(err)
	}
	return r.err
}

// strings reads the id and key of report i.
func (r *Reports) strings(i int32) (id, key string) {
	if r.flush() != nil {
		return "", ""
	}
	end := r.size
	if int(i)+1 < len(r.rows) {
		end = r.rows[i+1].at
	}
	br := bufio.NewReaderSize(io.NewSectionReader(r.spool, r.rows[i].at, end-r.rows[i].at), 512)
	id, err := readString(br)
	if err == nil {
		key, err = readString(br)
	}
	if err != nil {
		r.fail(err)
		return "", ""
	}
	return id, key
}

func (r *Reports) fail(err error) error {
	if r.err == nil {
		r.err = err
	}
	return r.err
}

func readString(br *bufio.Reader) (string, error) {
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return "", err
	}
	if n > 1<<20 {
		return "", errors.New("report spool: damaged record")
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(br, b); err != nil {
		return "", err
	}
	return string(b), nil
}
