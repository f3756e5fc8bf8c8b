package ui

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// BuildInfo is what `version` and `--version` print.
type BuildInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Go      string `json:"go"`
	Built   string `json:"built"`
}

// ReadBuild completes what the linker was told (release/build sets
// version, commit and built with -ldflags -X) from the module's build
// information, which `go install module@version` and a plain `go build`
// in a git checkout record: the module version, vcs.revision and vcs.time.
func ReadBuild(version, commit, built string) BuildInfo {
	b := BuildInfo{Version: version, Commit: commit, Go: runtime.Version(), Built: built}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b.orUnknown()
	}
	if (b.Version == "" || b.Version == "dev") && info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = strings.TrimPrefix(info.Main.Version, "v")
	}
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if b.Commit == "" {
				b.Commit = s.Value
			}
		case "vcs.time":
			if b.Built == "" {
				b.Built = s.Value
			}
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && b.Commit != "" && !strings.HasSuffix(b.Commit, "-dirty") {
		b.Commit += "-dirty"
	}
	return b.orUnknown()
}

func (b BuildInfo) orUnknown() BuildInfo {
	if b.Version == "" {
		b.Version = "dev"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Built == "" {
		b.Built = "unknown"
	}
	return b
}

// String is the one line --version prints.
func (b BuildInfo) String() string {
	commit := b.Commit
	if len(commit) > 12 && !strings.HasSuffix(commit, "-dirty") {
		commit = commit[:12]
	}
	return fmt.Sprintf("webhook-setup %s (commit %s, %s, built %s)", b.Version, commit, b.Go, b.Built)
}

type versionOptions struct {
	json bool
}

// NewCmdVersion builds `version`. runF, when not nil, gets the parsed
// options instead of versionRun (tests).
func NewCmdVersion(app *App, runF func(*versionOptions) error) *cobra.Command {
	opts := &versionOptions{}
	cmd := &cobra.Command{
		Use:   "version [--json]",
		Short: "Print the version, commit, Go version and build time",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(app, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, `print {"version","commit","go","built"}`)
	return cmd
}

func versionRun(app *App, opts *versionOptions) error {
	if opts.json {
		return writeJSON(app.Out, app.build())
	}
	fmt.Fprintln(app.Out, app.build())
	return nil
}

// build is the App's build information, filled in for Apps made in tests.
func (a *App) build() BuildInfo {
	b := a.Build
	if b.Version == "" {
		b.Version = a.Version
	}
	if b.Go == "" {
		b.Go = runtime.Version()
	}
	return b.orUnknown()
}
