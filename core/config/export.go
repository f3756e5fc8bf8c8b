package config

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/webriskops/webhook-setup/core"
)

// SecretPlaceholder is the secret_file an exported target names: a file
// under secrets/ beside the target file, named after the target.
func SecretPlaceholder(name string) string {
	return path.Join("secrets", name+".secret")
}

// Export writes targets as a target file that ParseTargets reads back to
// the same targets, without any credential: each target names a
// secret_file placeholder, with a comment giving the fingerprint of the
// secret that belongs there, and a webhook_url_file with the redacted URL
// in a comment (opts can name written URL files, or reveal the URLs). The
// output is the same for the same targets and options, so exports can be
// compared and kept in version control.
func Export(targets []core.Target, opts ExportOptions) []byte {
	var b bytes.Buffer
	b.WriteString(`# webhook-setup targets, written by export-config.
# Apply with: webhook-setup apply -f THIS_FILE [--dry-run] [--prune]
#
# No secret is exported. Each target's secret_file is a placeholder, relative
# to this file's folder: put the target's current signing secret there (one
# line, mode 0600) before applying; a different secret there is a rotation.
`)
	if opts.RevealURL {
		b.WriteString("# Webhook URLs are bearer credentials, and this file holds them: keep it private.\n")
	} else {
		b.WriteString(`# Webhook URLs are bearer credentials, so each target reads its URL from a
# webhook_url_file (one line, mode 0600), relative to this file's folder.
# Keep those files and the secret files out of version control.
`)
	}
	for _, t := range targets {
		b.WriteString("\n[[target]]\n")
		kv(&b, "name", Quote(t.Name))
		kv(&b, "provider_key", Quote(string(t.ProviderKey)))
		kv(&b, "deployment_mode", Quote(string(t.DeploymentMode)))
		writeURL(&b, t, opts)
		kv(&b, "receiver_owner", Quote(t.ReceiverOwner))
		kv(&b, "revoke_path", Quote(t.RevokePath))
		kv(&b, "receiver_checks_confirmed", fmt.Sprint(t.ReceiverChecksConfirmed))
		if core.LookAlikeWarning(t) != "" {
			// Saving it was confirmed; applying this file again needs the
			// same confirmation.
			kv(&b, "allow_confusable_host", "true")
		}
		if !t.RateLimit.IsZero() {
			kv(&b, "rate_limit", Quote(t.RateLimit.String()))
		}
		exportStandardWebhooks(&b, t)
		exportResolve(&b, t)
		b.WriteString("\n[target.private_network]\n")
		pn := t.PrivateNetwork
		kv(&b, "policy", Quote(string(pn.NormalizedPolicy())))
		if len(pn.Allowlist) > 0 {
			items := make([]string, len(pn.Allowlist))
			for i, e := range pn.Allowlist {
				items[i] = Quote(e)
			}
			kv(&b, "allowlist", "["+strings.Join(items, ", ")+"]")
		}
		if pn.AuthorizedBy != "" {
			kv(&b, "authorized_by", Quote(pn.AuthorizedBy))
		}
		b.WriteString("\n[target.signing]\n")
		if t.Signing != nil {
			fmt.Fprintf(&b, "# Placeholder: put the current secret (%s %s) in this file.\n", t.Signing.Algorithm, t.Signing.Fingerprint)
		} else {
			b.WriteString("# Placeholder: no secret is stored for this target; put its new secret in this file.\n")
		}
		kv(&b, "secret_file", Quote(SecretPlaceholder(t.Name)))
		exportEdge(&b, t)
	}
	return b.Bytes()
}

func kv(b *bytes.Buffer, key, value string) {
	fmt.Fprintf(b, "%s = %s\n", key, value)
}

// Quote writes s as a TOML basic string: quotes, backslashes, control
// characters (C0, DEL and C1) and the invisible characters that reorder or
// hide text (bidi controls, zero-width characters, line and paragraph
// separators) escaped, so the file reads the same on every terminal and
// parses back to s; invalid UTF-8 (which TOML cannot hold) is replaced.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, string(utf8.RuneError)) {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r >= 0x7f && r < 0xa0 || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
