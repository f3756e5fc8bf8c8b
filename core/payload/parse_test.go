package payload

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

const (
	t1 = `{"title":"One","description":"d1","severity":"high","kind":"finding","finding_id":"f1"}`
	t2 = `{"title":"Two","description":"","severity":"low","kind":"fix_task","finding_id":"f2","labels":["a"],"due_date":"2026-02-01","report_url":"https://x.example/f2"}`
)

func collect(input string) ([]Ticket, error) {
	var out []Ticket
	err := ParseTickets(strings.NewReader(input), func(t Ticket) error {
		out = append(out, t)
		return nil
	})
	return out, err
}

func TestParseTicketsForms(t *testing.T) {
	for _, c := range []struct {
		name  string
		input string
		ids   []string
	}{
		{"one object", t1, []string{"f1"}},
		{"one object, pretty, trailing newline", "\n  {\n \"title\": \"One\", \"description\": \"d1\",\n \"severity\": \"high\", \"kind\": \"finding\", \"finding_id\": \"f1\"\n}\n", []string{"f1"}},
		{"array", "[" + t1 + "," + t2 + "]", []string{"f1", "f2"}},
		{"array with white space", " [\n " + t1 + " ,\n " + t2 + "\n ]\n\n", []string{"f1", "f2"}},
		{"NDJSON", t1 + "\n" + t2 + "\n", []string{"f1", "f2"}},
		{"NDJSON with CRLF and no final newline", t1 + "\r\n" + t2, []string{"f1", "f2"}},
		{"byte order mark", "\xef\xbb\xbf" + t1, []string{"f1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := collect(c.input)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, tk := range got {
				ids = append(ids, tk.FindingID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(c.ids) {
				t.Errorf("finding ids %v, want %v", ids, c.ids)
			}
		})
	}
	got, _ := collect(t2)
	want := Ticket{Title: "Two", Severity: "low", Kind: "fix_task", FindingID: "f2", Labels: []string{"a"}, DueDate: "2026-02-01", ReportURL: "https://x.example/f2",
		checked: true}
	if len(got) != 1 {
		t.Fatalf("%d tickets, want 1: %#v", len(got), got)
	}
	if fmt.Sprintf("%#v", got[0]) != fmt.Sprintf("%#v", want) {
		t.Errorf("ticket = %#v", got[0])
	}
}

func TestParseTicketsRefuses(t *testing.T) {
	bad := strings.Replace(t2, `"low"`, `"urgent"`, 1)
	for _, c := range []struct {
		name  string
		input string
		want  []string
	}{
		{"empty", "", []string{"no ticket found", "empty"}},
		{"only white space", " \n\t ", []string{"no ticket found"}},
		{"empty array", "[]", []string{"no ticket found", "array is empty"}},
		{"garbage", "hello", []string{`starts with 'h'`}},
		{"number", "42", []string{"starts with '4'"}},
		{"truncated object", `{"title":"x"`, []string{"ticket 1", "ends in the middle"}},
		{"truncated array", "[" + t1 + ",", []string{"ticket 2"}},
		{"unclosed array", "[" + t1, []string{"the array after ticket 1"}},
		{"garbage in array", "[" + t1 + ", nope]", []string{"ticket 2 is not valid JSON at byte"}},
		{"garbage after object", t1 + "\nnope", []string{"ticket 2 is not valid JSON"}},
		{"data after array", "[" + t1 + "] " + t2, []string{"unexpected data after the array of 1 tickets"}},
		{"unknown field", strings.Replace(t1, `"title"`, `"assignee":"bob","title"`, 1), []string{"ticket 1", "(root)", "'assignee'"}},
		{"wrong case field", strings.Replace(t1, `"title"`, `"Title"`, 1), []string{"ticket 1", "'Title'"}},
		{"invalid value names index and pointer", "[" + t1 + "," + bad + "]", []string{"ticket 2 does not match", "/severity"}},
		{"invalid value in NDJSON", t1 + "\n" + t1 + "\n" + strings.Replace(t1, `"f1"`, `""`, 1), []string{"ticket 3", "/finding_id"}},
		{"missing required", `{"title":"x"}`, []string{"ticket 1", "missing properties"}},
		{"array element not an object", "[" + t1 + ",[]]", []string{"ticket 2", "(root)", "want object"}},
		{"null", "[null]", []string{"ticket 1", "want object"}},
		{"null field", strings.Replace(t1, `"d1"`, `null`, 1), []string{"ticket 1", "/description"}},
		{"invalid utf-8", strings.Replace(t1, "One", "O\xffne", 1), []string{"ticket 1 is not valid UTF-8"}},
		{"secret field", strings.Replace(t1, `"title"`, `"signing_secret":"wrsec_x","title"`, 1), []string{"'signing_secret'"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := collect(c.input)
			wantInvalid(t, err, c.want...)
		})
	}
}

func TestParseTicketsCapsOneTicket(t *testing.T) {
	huge := strings.Replace(t1, `"d1"`, `"`+strings.Repeat("x", MaxTicketBytes)+`"`, 1)
	for _, input := range []string{huge, "[" + t1 + "," + huge + "]", t1 + "\n" + huge} {
		_, err := collect(input)
		wantInvalid(t, err, "is larger than 4 MiB")
	}
	// Many tickets together may exceed the cap; each one alone may not.
	many := strings.Repeat(strings.Replace(t1, `"d1"`, `"`+strings.Repeat("x", 19000)+`"`, 1)+"\n", 300)
	if got, err := collect(many); err != nil || len(got) != 300 {
		t.Fatalf("%d tickets, %v", len(got), err)
	}
}

func TestParseTicketsStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := ParseTickets(strings.NewReader(t1+"\n"+t1+"\n"+t1), func(Ticket) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Fatalf("err = %v after %d tickets, want the callback's error after 2", err, n)
	}
}

func TestParseTicketsReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader("["+t1+","), errReader{})
	_, err := collect2(r)
	wantInvalid(t, err, "ticket 2")
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func collect2(r io.Reader) (int, error) {
	n := 0
	err := ParseTickets(r, func(Ticket) error { n++; return nil })
	return n, err
}

// ticketStream generates a JSON array of n tickets on the fly, so the test
// measures the parser's memory, not the input's.
type ticketStream struct {
	n, i int
	buf  []byte
	done bool
}

func (s *ticketStream) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		switch {
		case s.done:
			return 0, io.EOF
		case s.i == 0:
			s.buf = append(s.buf, '[')
		case s.i > s.n:
			s.buf = append(s.buf, "]\n"...)
			s.done = true
		default:
			if s.i > 1 {
				s.buf = append(s.buf, ",\n"...)
			}
			s.buf = fmt.Appendf(s.buf, `{"title":"Finding %d","description":"%s","severity":"medium","kind":"finding","finding_id":"fnd_%d","labels":["webriskops","bulk"]}`,
				s.i, strings.Repeat("x", 400), s.i)
		}
		s.i++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// 100,000 tickets (about 50 MB of JSON) stream through in bounded memory.
func TestParseTicketsStreamsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	const n = 100_000
	runtime.GC()
	var peak uint64
	var ms runtime.MemStats
	count := 0
	err := ParseTickets(&ticketStream{n: n}, func(tk Ticket) error {
		count++
		if count%5000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Fatalf("parsed %d tickets, want %d", count, n)
	}
	if peak > 32<<20 {
		t.Fatalf("heap in use peaked at %d MiB while streaming", peak>>20)
	}
	t.Logf("%d tickets, peak heap in use %.1f MiB", n, float64(peak)/(1<<20))
}
