package payload

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// parallelCollect reads input as SpoolTickets does (inParallel), with four
// checking goroutines whatever the machine has.
func parallelCollect(input string, fn func(Ticket) error) ([]Ticket, error) {
	var got []Ticket
	err := parseTickets(strings.NewReader(input), inParallel(func(t Ticket) error {
		if fn != nil {
			if err := fn(t); err != nil {
				return err
			}
		}
		got = append(got, t)
		return nil
	}, 4))
	return got, err
}

// ndjson is n valid tickets, one a line, with bad (index: line) in place.
func ndjson(n int, bad map[int]string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if line, ok := bad[i]; ok {
			b.WriteString(line + "\n")
			continue
		}
		fmt.Fprintf(&b, `{"title":"Finding %d","description":"d %d","severity":"high","kind":"finding","finding_id":"fnd_%d"}`+"\n", i, i, i)
	}
	return b.String()
}

// The parallel checker gives what ParseTickets gives: the same tickets in
// the same order, and for a bad input the same error, that of the first
// bad ticket in input order, even when a later chunk fails first or the
// JSON breaks further on.
func TestParallelCheckAgreesWithParseTickets(t *testing.T) {
	invalid := `{"title":"x"}`
	inputs := map[string]string{
		"many":                         ndjson(10*checkChunk+7, nil),
		"one":                          t1,
		"array":                        "[" + t1 + "," + t2 + "]",
		"bad in the last chunk":        ndjson(5*checkChunk, map[int]string{5*checkChunk - 1: invalid}),
		"two bad, chunks apart":        ndjson(6*checkChunk, map[int]string{checkChunk + 3: invalid, 5*checkChunk + 1: strings.Replace(t1, "One", "O\xffne", 1)}),
		"bad, then broken JSON":        ndjson(4*checkChunk, map[int]string{2*checkChunk + 9: invalid, 3*checkChunk + 2: "nope"}),
		"broken JSON after good ones":  ndjson(3*checkChunk, map[int]string{3*checkChunk - 5: `{"title":`}),
		"bad in the first, many after": ndjson(20*checkChunk, map[int]string{1: invalid}),
	}
	for _, c := range []struct{ name, input string }{
		{"empty", ""}, {"garbage", "hello"}, {"empty array", "[]"}, {"unclosed array", "[" + t1},
	} {
		inputs[c.name] = c.input
	}
	for name, input := range inputs {
		t.Run(name, func(t *testing.T) {
			want, wantErr := collect(input)
			got, err := parallelCollect(input, nil)
			if fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Fatalf("error %v, want %v", err, wantErr)
			}
			if wantErr == nil && fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
				t.Fatalf("%d tickets differ from ParseTickets' %d", len(got), len(want))
			}
		})
	}
}

// fn's error stops the read and is returned as is; fn sees no ticket after it.
func TestParallelCheckStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := parallelCollect(ndjson(10*checkChunk, nil), func(Ticket) error {
		n++
		if n == checkChunk+2 {
			return stop
		}
		return nil
	})
	if err != stop || n != checkChunk+2 {
		t.Fatalf("err = %v after %d tickets, want the callback's error after %d", err, n, checkChunk+2)
	}
}
