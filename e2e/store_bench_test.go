package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkCLITargets times `list --json` and `status --json` over a store
// of 10,000 targets (smoke: 1,000) with the built binary, stdout to
// /dev/null, in turns with `version` (process start-up, the floor) and
// with the same commands over one target. The budget: each under 150 ms.
// ns/op is status --json over 10,000 targets.
func BenchmarkCLITargets(b *testing.B) {
	buildBenchBins(b)
	n := sized(10000, 1000)
	dbs := map[int]string{1: targetsDB(b, 1), n: targetsDB(b, n)}
	type cmd struct {
		name    string
		targets int
		args    []string
	}
	cmds := []cmd{
		{"version", 1, []string{"version"}},
		{"list", 1, []string{"list", "--json"}},
		{"status", 1, []string{"status", "--json"}},
		{"list", n, []string{"list", "--json"}},
		{"status", n, []string{"status", "--json"}},
	}
	home := b.TempDir()
	env := func(db string) []string {
		return []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "USER=bench", "NO_COLOR=1",
			"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "WEBHOOK_SETUP_DB=" + db}
	}
	// Once each before the clock: the page cache holds the files, as it
	// does for an operator running commands one after another.
	for _, c := range cmds {
		runBench(b, env(dbs[c.targets]), c.args...)
	}
	times := make([][]time.Duration, len(cmds))
	rss := make([]int64, len(cmds))
	b.ResetTimer()
	for i := range b.N {
		for k := range cmds {
			j := (i + k) % len(cmds)
			took, r := timed(b, env(dbs[cmds[j].targets]), cmds[j].args...)
			times[j] = append(times[j], took)
			rss[j] = max(rss[j], r)
		}
	}
	b.StopTimer()
	for j, c := range cmds {
		m, p90 := quantiles(times[j])
		b.ReportMetric(ms(m), fmt.Sprintf("ms/%s/%d", c.name, c.targets))
		b.ReportMetric(ms(p90), fmt.Sprintf("ms-p90/%s/%d", c.name, c.targets))
		if c.targets == n {
			b.ReportMetric(mib(rss[j]), fmt.Sprintf("MiB-peak-rss/%s/%d", c.name, c.targets))
		}
		if c.name == "status" && c.targets == n {
			b.ReportMetric(float64(m.Nanoseconds()), "ns/op")
		}
	}
}
