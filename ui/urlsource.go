package ui

import (
	"fmt"
	"strings"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/config"
)

// maxTargetsURLFile bounds a webhook_url_file: a URL is at most a few kilobytes,
// so anything larger is the wrong file.
const maxTargetsURLFile = 16 << 10

// readURLs reads the webhook URL of every target that names a source: a
// webhook_url_file relative to dir (read by readCredentialFile: private
// files only, one trailing newline trimmed, one line) or a webhook_url_env
// variable. Failures become the target's problem, which the planner
// reports on the source's line. Nothing here repeats the URL: it is a
// bearer credential.
func readURLs(app *App, specs []config.TargetSpec, dir string) map[string]config.SourcedURL {
	out := map[string]config.SourcedURL{}
	for _, s := range specs {
		switch {
		case s.URLFile != "":
			p := fromTargetFile(dir, s.URLFile)
			v, err := readCredentialFile(p, maxTargetsURLFile)
			if err != nil {
				out[s.Target.Name] = config.SourcedURL{Problem: credentialFileProblem(err, "webhook URL file", urlFilePath(s.URLFile, p),
					codes.URLMissing, "Put the target's webhook URL in that file (one line, mode 0600), or name webhook_url_env instead; export-config --url-files DIR writes them.")}
				continue
			}
			if strings.ContainsAny(v, "\r\n") {
				pr := codes.NewProblem(codes.URLUnsafe, "", fmt.Sprintf("the webhook URL file %s holds more than one line", urlFilePath(s.URLFile, p)))
				pr.Fix = "Keep only the URL in the file, on one line."
				out[s.Target.Name] = config.SourcedURL{Problem: &pr}
				continue
			}
			if v == "" {
				pr := codes.NewProblem(codes.URLMissing, "", fmt.Sprintf("the webhook URL file %s is empty", urlFilePath(s.URLFile, p)))
				pr.Fix = "Put the target's webhook URL in that file, on one line."
				out[s.Target.Name] = config.SourcedURL{Problem: &pr}
				continue
			}
			out[s.Target.Name] = config.SourcedURL{Value: v}
		case s.URLEnv != "":
			v := app.Getenv(s.URLEnv)
			if v == "" {
				pr := codes.NewProblem(codes.URLMissing, "",
					fmt.Sprintf("the environment variable %s is empty or unset", urlSourceName(s.URLEnv)))
				pr.Fix = "Set the variable to the target's webhook URL for the apply, or name a webhook_url_file instead."
				out[s.Target.Name] = config.SourcedURL{Problem: &pr}
				continue
			}
			out[s.Target.Name] = config.SourcedURL{Value: v}
		}
	}
	return out
}

// urlFilePath is sourcePath for a webhook_url_file: the URL itself pasted
// where its file's path belongs is not repeated either.
func urlFilePath(given, path string) string {
	if strings.Contains(given, "://") {
		return "given (not repeated here: it looks like a URL, not a file name)"
	}
	return sourcePath(given, path)
}

// urlSourceName is how a message names the variable a URL was to come
// from: as given, unless the URL itself was pasted where its name belongs
// (it holds "://" or "/"), which must not be copied into terminals and logs.
func urlSourceName(name string) string {
	if strings.ContainsAny(name, "/:") {
		return "given (not repeated here: it looks like a URL, not a variable name)"
	}
	return sourceName(name)
}
