// Package e2e runs the built webhook-setup binary as operators and scripts
// do: real processes, real SQLite files in temp folders, real TLS servers on
// loopback and a real pseudo-terminal for the wizard.
package e2e

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// bin is the binary under test, built once for the package.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "webhook-setup-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "webhook-setup")
	build := exec.Command("go", "build", "-race", "-o", bin, "github.com/webriskops/webhook-setup")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// home is one operator's isolated data folder.
type home struct {
	t   *testing.T
	dir string
	db  string
	env []string
}

func newHome(t *testing.T) *home {
	t.Helper()
	dir := t.TempDir()
	h := &home{t: t, dir: dir, db: filepath.Join(dir, "data", "webhook-setup.db")}
	h.env = []string{
		"HOME=" + dir,
		"PATH=" + os.Getenv("PATH"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "share"),
		"WEBHOOK_SETUP_DB=" + h.db,
		"USER=tester",
		"NO_COLOR=1",
		// The race runtime sleeps 1 s at exit by default (TSan atexit_sleep_ms):
		// without this every process the tests run would take a second longer.
		"GORACE=atexit_sleep_ms=0",
	}
	return h
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run executes the binary with args and extra environment entries.
func (h *home) run(stdin string, extraEnv []string, args ...string) result {
	h.t.Helper()
	r := h.exec(stdin, extraEnv, args...)
	if r.code == -1 {
		h.t.Fatalf("run %v: %s", args, r.stderr)
	}
	return r
}

// ok runs args and fails the test unless they exit 0.
func (h *home) ok(args ...string) result {
	h.t.Helper()
	r := h.run("", nil, args...)
	if r.code != 0 {
		h.t.Fatalf("%v: %s", args, r)
	}
	return r
}

// writeFile writes a file in the home folder and returns its path.
func (h *home) writeFile(name, content string) string {
	h.t.Helper()
	p := filepath.Join(h.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// dump returns every row of every table, sorted, so a test can tell whether
// a command changed anything. A missing database dumps as "no database".
func (h *home) dump() string {
	h.t.Helper()
	if _, err := os.Stat(h.db); os.IsNotExist(err) {
		return "no database"
	}
	db, err := sql.Open("sqlite3", "file:"+h.db+"?mode=ro")
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type='table' ORDER BY name`)
	if err != nil {
		h.t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, tbl := range tables {
		r, err := db.Query(`SELECT * FROM "` + tbl + `"`)
		if err != nil {
			h.t.Fatal(err)
		}
		cols, _ := r.Columns()
		var lines []string
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			r.Scan(ptrs...)
			lines = append(lines, fmt.Sprint(vals...))
		}
		r.Close()
		sort.Strings(lines)
		fmt.Fprintf(&b, "%s:\n%s\n", tbl, strings.Join(lines, "\n"))
	}
	return b.String()
}
