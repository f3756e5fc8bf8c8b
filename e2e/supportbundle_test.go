package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// untar returns the files of a tar.gz by base name.
func untar(t *testing.T, archive []byte) map[string][]byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	files := map[string][]byte{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(hdr.Name)] = b
	}
	return files
}

var manifestLine = regexp.MustCompile(`(?m)^(\S+)  (\d+) bytes  sha256 ([0-9a-f]{64})$`)

// TestSupportBundleHoldsNoSecrets: the bundle of a store with secrets
// (current, generated and in a rotation grace) and tokened webhook URLs
// holds none of them nor the store key, in any extracted file or in the
// tar.gz itself; its MANIFEST lists exactly its files with their sizes and
// hashes; it is a new 0600 file, never written over an existing one.
func TestSupportBundleHoldsNoSecrets(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	h.addReceiver("intake")
	graceFile := filepath.Join(h.dir, "rotated.secret")
	h.ok("rotate-secret", "zap", "--generate", "--secret-out", graceFile, "--grace", "48h")
	makeURL := "https://hook.eu1.make.com/k7yq2b9xw3mznp4tt8rcv5ls1dfgh6aa"
	const edgeValue = "edge-apikey-9Qw2Lx7Rt4Zp8Vn3"
	edgeFile := h.writeFile("make.apikey", edgeValue+"\n")
	h.ok("add", "--name", "make-one", "--edge-header", "x-make-apikey", "--edge-value-file", edgeFile, "--provider", "make_webhook", "--mode", "cloud", "--url", makeURL,
		"--generate-secret", "--secret-out", filepath.Join(h.dir, "make.secret"), "--owner", "ops", "--revoke-path", "Make > Webhooks",
		"--confirm-receiver-checks", "--resolve", "hook.eu1.make.com:443:3.33.152.147")
	// A failed delivery: the receiver knows another secret.
	wrong := h.writeFile("wrong-secret", "another-secret-the-sender-does-not-have-0123456789\n")
	url, cert := h.receiverWith(wrong, "wrong-receiver")
	if r := h.run("", nil, "export", "intake", "--ticket", h.tickets("t.ndjson", 1), "--to", url, "--ca-file", cert, "--max-attempts", "1"); r.code == 0 {
		t.Fatalf("export to a receiver with another secret: %s", r)
	}

	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(h.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	secrets := map[string]string{
		"zap secret (now in grace)": knownSecret,
		"rotated zap secret":        read("rotated.secret"),
		"make secret":               read("make.secret"),
		"intake secret":             otherSecret,
		"zapier URL":                zapierURL,
		"zapier token":              "tok3nabcdefgh",
		"make URL":                  makeURL,
		"make token":                "k7yq2b9xw3mznp4tt8rcv5ls1dfgh6aa",
		"make edge header value":    edgeValue,
		"receiver URL":              receiverURL,
		"store key":                 read("data/master.key"),
	}

	out := filepath.Join(h.dir, "support.tar.gz")
	r := h.ok("support-bundle", "--out", out)
	if !strings.Contains(r.stdout, "MANIFEST") {
		t.Fatalf("support-bundle: %s", r)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("bundle file: %v %v", fi, err)
	}
	archive, _ := os.ReadFile(out)
	files := untar(t, archive)
	for what, v := range secrets {
		if bytes.Contains(archive, []byte(v)) {
			t.Errorf("the tar.gz holds the %s", what)
		}
		for name, b := range files {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s holds the %s", name, what)
			}
		}
	}
	for _, want := range []string{"MANIFEST", "version.txt", "config.json", "doctor.json", "status.json", "targets.json", "audit.json", "deliveries.json", "environment.json"} {
		if _, ok := files[want]; !ok {
			t.Errorf("no %s in the bundle (%d files)", want, len(files))
		}
	}
	// MANIFEST matches the files: each listed with its size and hash, none
	// missing, none extra.
	listed := map[string]bool{}
	for _, m := range manifestLine.FindAllStringSubmatch(string(files["MANIFEST"]), -1) {
		b, ok := files[m[1]]
		sum := sha256.Sum256(b)
		if !ok || strconv.Itoa(len(b)) != m[2] || hex.EncodeToString(sum[:]) != m[3] {
			t.Errorf("MANIFEST line %q does not match the file (%d bytes)", m[0], len(b))
		}
		listed[m[1]] = true
	}
	for name := range files {
		if name != "MANIFEST" && !listed[name] {
			t.Errorf("%s is not in MANIFEST:\n%s", name, files["MANIFEST"])
		}
	}
	if !bytes.Contains(files["deliveries.json"], []byte("WEBHOOK_SIGNATURE_INVALID")) || !bytes.Contains(files["audit.json"], []byte("secret.rotate")) {
		t.Errorf("deliveries.json or audit.json lack their facts")
	}

	// Never over an existing file.
	r = h.run("", nil, "support-bundle", "--out", out)
	if r.code != 3 || !strings.Contains(r.stderr, "generic_webhook_file_unsafe") {
		t.Fatalf("second bundle onto the same file: %s", r)
	}
	if now, _ := os.ReadFile(out); !bytes.Equal(now, archive) {
		t.Error("the existing bundle was changed")
	}
}

// TestSupportBundleRefusesALeak: a secret pasted into a plain field (the
// receiver owner) would reach the bundle: it is refused with the code and
// the file named, and no file is written.
func TestSupportBundleRefusesALeak(t *testing.T) {
	h := newHome(t)
	sf := h.writeFile("s", knownSecret+"\n")
	h.ok("add", "--name", "oops", "--provider", "zapier_webhook", "--mode", "cloud", "--url", zapierURL, "--secret-file", sf,
		"--owner", "ops "+knownSecret, "--revoke-path", "Zapier > Zaps", "--confirm-receiver-checks", "--resolve", zapierResolve)
	out := filepath.Join(h.dir, "support.tar.gz")
	r := h.run("", nil, "support-bundle", "--out", out)
	if r.code != 1 || !strings.Contains(r.stderr, "generic_webhook_support_bundle_leak") || !strings.Contains(r.stderr, "signing secret") ||
		strings.Contains(r.stderr, knownSecret) {
		t.Fatalf("leaking bundle: %s", r)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a refused bundle left a file: %v", err)
	}
}
