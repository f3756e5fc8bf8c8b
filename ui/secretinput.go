package ui

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// secretFlags are the three ways to give a secret; a secret is never a flag
// value, so it cannot end up in shell history or the process list.
type secretFlags struct {
	file     string
	env      string
	generate bool
	out      string
}

func (f *secretFlags) register(fs *pflag.FlagSet, generateFlag string) {
	f.registerSources(fs, "read the signing secret")
	fs.BoolVar(&f.generate, generateFlag, false, "generate a new signing secret (wrsec_…), shown once")
	fs.StringVar(&f.out, "secret-out", "", "with a generated secret: write it to this new file (0600) instead of showing it")
}

// registerSources registers only --secret-file and --secret-env, for
// commands that sign or verify with a secret that exists already; purpose
// starts each help line.
func (f *secretFlags) registerSources(fs *pflag.FlagSet, purpose string) {
	fs.StringVar(&f.file, "secret-file", "", purpose+" from this file (one trailing newline is trimmed)")
	fs.StringVar(&f.env, "secret-env", "", purpose+" from this environment variable")
}

// given reports whether any source was named.
func (f *secretFlags) given() bool { return f.file != "" || f.env != "" || f.generate }

// read returns the secret from the one source named, and whether it was
// generated. The secret is checked against the acceptance rules.
func (f *secretFlags) read(app *App) (secret string, generated bool, err error) {
	n := 0
	for _, set := range []bool{f.file != "", f.env != "", f.generate} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return "", false, codes.Errorf(codes.SecretMissing, "no signing secret was given")
	case n > 1:
		return "", false, codes.Errorf(codes.Usage, "give the signing secret one way: --secret-file, --secret-env or generate")
	case f.out != "" && !f.generate:
		return "", false, codes.Errorf(codes.Usage, "--secret-out only goes with a generated secret")
	}
	switch {
	case f.file != "":
		b, err := readSecretFile(f.file)
		if err != nil {
			return "", false, codes.Errorf(codes.SecretMissing, "cannot read the secret file %s: %v", sourceName(f.file), unwrapPathError(err)).
				WithFix("Check the path and its permissions, or use --secret-env or --generate-secret.")
		}
		secret = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	case f.env != "":
		secret = app.Getenv(f.env)
		if secret == "" {
			return "", false, codes.Errorf(codes.SecretMissing, "the environment variable %s is empty or unset", sourceName(f.env)).
				WithFix("Give --secret-env the NAME of a variable that holds the secret, or use --secret-file or --generate-secret.")
		}
	default:
		if secret, err = signing.Generate(); err != nil {
			return "", false, err
		}
		generated = true
	}
	if p := signing.CheckSecret(secret); p != nil {
		return "", false, codes.ProblemsError([]codes.Problem{*p})
	}
	return secret, generated, nil
}

// sourceName is how a message names the file or environment variable a
// secret was to come from: as given, unless the name looks like a secret
// itself (32 or more printable characters with lower case, no '/' or '.'),
// which happens when the secret is pasted where its source belongs. The
// message must not copy it into terminals and logs.
func sourceName(name string) string {
	if signing.CheckSecret(name) == nil && !strings.ContainsAny(name, "/.") && name != strings.ToUpper(name) {
		return "given (not repeated here: it looks like a secret, not a name)"
	}
	return name
}

// sourcePath is sourceName for a secret file named as given and found at
// path.
func sourcePath(given, path string) string {
	if n := sourceName(given); n != given {
		return n
	}
	return path
}

// checkSecretOut refuses a --secret-out path that exists already, before any
// change is made, so a generated secret is never lost or overwrites a file.
func (f *secretFlags) checkSecretOut() error {
	if f.out == "" {
		return nil
	}
	if _, err := os.Lstat(f.out); err == nil {
		return codes.Errorf(codes.Usage, "--secret-out %s exists already", f.out).
			WithFix("Name a new file; an existing file is never overwritten.")
	}
	return nil
}

// handOut runs save, handing a generated secret over exactly once: written
// to --secret-out before save (and removed again when save fails, so a
// refused command leaves no file) and announced once save succeeded; or
// shown after save succeeded. It returns the text of a --json
// "generated_secret" field ("" when written to a file or not generated).
func (f *secretFlags) handOut(app *App, secret string, generated, jsonOut bool, save func() error) (string, error) {
	if !generated {
		return "", save()
	}
	if f.out != "" {
		if err := f.writeOut(secret); err != nil {
			return "", err
		}
		if err := save(); err != nil {
			_ = os.Remove(f.out)
			return "", err
		}
		fmt.Fprintf(app.Err, "Generated signing secret written to %s (0600). Put it into the receiver, then delete the file.\n", f.out)
		return "", nil
	}
	if err := save(); err != nil {
		return "", err
	}
	if jsonOut {
		return secret, nil
	}
	fmt.Fprintf(app.Out, "Generated signing secret (shown once; store it in the receiver now):\n  %s\n", secret)
	return "", nil
}

// writeOut writes secret to the new file --secret-out, 0600.
func (f *secretFlags) writeOut(secret string) error {
	fd, err := os.OpenFile(f.out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return codes.Errorf(codes.Usage, "--secret-out %s: %v", f.out, unwrapPathError(err)).
			WithFix("Name a new file in a folder you can write to; nothing was changed.")
	}
	_, err = fmt.Fprintln(fd, secret)
	if cerr := fd.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.out)
		return codes.Errorf(codes.Internal, "write --secret-out: %v", err)
	}
	return nil
}

// errExposed is readCredentialFile's error for a file its group or others
// may read or write.
var errExposed = errors.New("open to its group or others")

// readCredentialFile reads a file that a targets file names for a
// credential (signing.secret_file, webhook_url_file): at most max bytes,
// with one trailing newline (LF or CRLF) trimmed, as add --secret-file
// reads. Such files sit beside a file kept in version control, so one that
// its group or others may read or write is refused (an error wrapping
// errExposed, naming the mode) before a byte is read: the credential may
// already have leaked, and the fix is chmod 600. The mode is that of the
// opened file, so a symbolic link is judged by what it points to.
func readCredentialFile(path string, max int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("%w (mode %04o)", errExposed, perm)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > max {
		return "", fmt.Errorf("%w: over %d bytes", errTooLarge, max)
	}
	return strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"), nil
}

// credentialFileProblem is the problem of a credential file that could not
// be read: FileExposed for one open to others, else missing (the code of
// the credential that did not come, with its fix). shown is how the file is
// named in the reason (sourcePath: never a credential pasted as a path).
func credentialFileProblem(err error, what, shown string, missing codes.Code, missingFix string) *codes.Problem {
	if errors.Is(err, errExposed) {
		p := codes.NewProblem(codes.FileExposed, "",
			fmt.Sprintf("the %s %s is %v", what, shown, unwrapPathError(err)))
		p.Fix = fmt.Sprintf("Run chmod 600 %s, keep it out of version control, and replace the credential if others could read it.", shown)
		return &p
	}
	p := codes.NewProblem(missing, "", fmt.Sprintf("cannot read the %s %s: %v", what, shown, unwrapPathError(err)))
	p.Fix = missingFix
	return &p
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
