package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type doctorCheck struct {
	ID      string `json:"id"`
	Target  string `json:"target"`
	Verdict string `json:"verdict"`
	Summary string `json:"summary"`
	Code    string `json:"code"`
	Fix     string `json:"fix"`
}

type doctorReport struct {
	Healthy bool          `json:"healthy"`
	Failed  int           `json:"failed"`
	Checks  []doctorCheck `json:"checks"`
}

// doctor runs doctor --json with args and returns its exit code and report.
func (h *home) doctor(args ...string) (int, doctorReport) {
	h.t.Helper()
	r := h.run("", nil, append([]string{"doctor", "--json"}, args...)...)
	var rep doctorReport
	mustJSON(h.t, r.stdout, &rep)
	return r.code, rep
}

// failed returns the failed checks with id.
func (rep doctorReport) failed(id string) []doctorCheck {
	var out []doctorCheck
	for _, c := range rep.Checks {
		if c.ID == id && c.Verdict == "fail" {
			out = append(out, c)
		}
	}
	return out
}

// hasVerdict reports whether the report has check id with verdict v.
func hasVerdict(rep doctorReport, id, v string) bool {
	for _, c := range rep.Checks {
		if c.ID == id && c.Verdict == v {
			return true
		}
	}
	return false
}

// sqlOn runs statements on the store's SQLite file, as someone with
// write access to it would.
func (h *home) sqlOn(stmts ...string) {
	h.t.Helper()
	db, err := sql.Open("sqlite3", h.db+"?_busy_timeout=10000")
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			h.t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestDoctorHealthy: a fresh store with a saved target is healthy (exit 0),
// every check passes or is skipped, and the text report says so.
func TestDoctorHealthy(t *testing.T) {
	h := newHome(t)
	h.addReceiver("intake")
	// A target saved by apply has its DNS answers recorded too.
	h.writeFile("secret", otherSecret+"\n")
	file := h.writeFile("targets.toml", goodEntry("applied")+"[target.signing]\nsecret_file = \"secret\"\n")
	h.ok("apply", "-f", file, "--resolve", receiverResolve)
	before := h.dump()
	code, rep := h.doctor("--resolve", receiverResolve)
	for _, c := range rep.Checks {
		if c.ID == "target.dns_drift" && c.Verdict != "ok" {
			t.Errorf("drift of %s: %+v", c.Target, c)
		}
	}
	if code != 0 || !rep.Healthy || rep.Failed != 0 {
		t.Fatalf("doctor on a healthy store: exit %d %+v", code, rep)
	}
	seen := map[string]bool{}
	for _, c := range rep.Checks {
		seen[c.ID] = true
		if c.Verdict == "fail" {
			t.Errorf("failed: %+v", c)
		}
	}
	for _, id := range []string{"store.data_folder", "store.database", "store.key_file", "store.integrity", "store.schema",
		"store.key_check", "store.audit_chain", "target.url_policy", "target.dns_drift", "target.clock_skew",
		"target.secret_age", "target.grace_secrets", "deliveries", "drafts"} {
		if !seen[id] {
			t.Errorf("no %s check in %+v", id, rep.Checks)
		}
	}
	r := h.ok("doctor", "--resolve", receiverResolve)
	if !strings.Contains(r.stdout, "Healthy") || strings.Contains(r.stdout, "FAIL") {
		t.Fatalf("text report:\n%s", r.stdout)
	}
	if h.dump() != before {
		t.Error("doctor changed the store")
	}
}

// TestDoctorSeededProblems: each problem seeded into a real store shows its
// check failed with a fix, and doctor exits 3.
func TestDoctorSeededProblems(t *testing.T) {
	type seeded struct {
		name  string
		seed  func(h *home) []string // returns extra doctor arguments
		check string
		fix   string // a part of the fix
	}
	cases := []seeded{
		{"key readable by others", func(h *home) []string {
			if err := os.Chmod(filepath.Join(filepath.Dir(h.db), "master.key"), 0o644); err != nil {
				t.Fatal(err)
			}
			return nil
		}, "store.key_file", "chmod 0600"},
		{"DNS answer changed", func(h *home) []string {
			return []string{"--resolve", "receiver.example.com:443:93.184.216.35"}
		}, "target.dns_drift", "--accept-dns intake"},
		{"100-day-old secret", func(h *home) []string {
			h.sqlOn(`UPDATE credentials SET created_at = created_at - 100*86400*1000000000`)
			return nil
		}, "target.secret_age", "rotate-secret intake"},
		{"draft left", func(h *home) []string {
			h.sqlOn(`INSERT INTO drafts (id, step, sealed, updated_at) VALUES ('wizard:tester', 'endpoint', x'00', 1700000000000000000)`)
			return nil
		}, "drafts", "resume it"},
		{"failed delivery", func(h *home) []string {
			wrong := h.writeFile("wrong-secret", "another-secret-the-sender-does-not-have-0123456789\n")
			cert := filepath.Join(h.dir, "receiver.pem")
			recv, base := h.startReceive("--secret-file", wrong, "--self-signed", "--cert-out", cert)
			defer recv.cmd.Process.Kill()
			r := h.run("", nil, "export", "intake", "--ticket", h.tickets("one.ndjson", 1), "--to", base+"/hook", "--ca-file", cert, "--max-attempts", "1")
			if r.code == 0 {
				t.Fatalf("export to a receiver with another secret: %s", r)
			}
			return nil
		}, "target.deliveries_failed", "deliveries retry"},
		{"receiver clock 10 minutes ahead", func(h *home) []string {
			cert := filepath.Join(h.dir, "receiver.pem")
			recv, base := h.startReceive("--target", "intake", "--self-signed", "--cert-out", cert)
			defer recv.cmd.Process.Kill()
			h.ok("export", "intake", "--ticket", h.tickets("one.ndjson", 1), "--to", base+"/hook", "--ca-file", cert)
			// The real answer's Date header was recorded: doctor judges it
			// fine, then the recorded Date is moved as a skewed clock would.
			if _, rep := h.doctor("--resolve", receiverResolve); !hasVerdict(rep, "target.clock_skew", "ok") {
				t.Fatalf("clock skew after a real answer: %+v", rep.Checks)
			}
			h.sqlOn(`UPDATE response_clock SET server_date = server_date + 600*1000000000`)
			return nil
		}, "target.clock_skew", "Synchronise"},
		{"expired certificate", func(h *home) []string {
			cert, key := expiredCert(t, h.dir)
			recv, base := h.startReceive("--target", "intake", "--tls-cert", cert, "--tls-key", key)
			t.Cleanup(func() { recv.cmd.Process.Kill() })
			return []string{"--network", "--to", base + "/hook", "--ca-file", cert}
		}, "target.tls", "renew"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHome(t)
			h.addReceiver("intake")
			args := append([]string{"--resolve", receiverResolve}, tc.seed(h)...)
			code, rep := h.doctor(args...)
			got := rep.failed(tc.check)
			if code != 3 || rep.Healthy || len(got) == 0 {
				t.Fatalf("doctor after %s: exit %d, %s failed: %+v\nreport %+v", tc.name, code, tc.check, got, rep.Checks)
			}
			if !strings.Contains(got[0].Fix, tc.fix) || got[0].Summary == "" {
				t.Fatalf("%s: fix %q lacks %q (summary %q)", tc.check, got[0].Fix, tc.fix, got[0].Summary)
			}
			for _, c := range rep.Checks {
				if c.Verdict == "fail" && c.ID != tc.check && !(tc.check == "target.deliveries_failed" && c.ID == "target.fallback_bundles") {
					t.Errorf("%s failed too: %+v", c.ID, c)
				}
			}
			// The text form names the check and its fix.
			r := h.run("", nil, append([]string{"doctor"}, args...)...)
			if r.code != 3 || !strings.Contains(r.stdout, "FAIL "+tc.check) || !strings.Contains(r.stdout, "fix:") {
				t.Fatalf("text doctor: %s", r)
			}
		})
	}
}

// expiredCert writes a self-signed certificate for 127.0.0.1 that expired
// a day ago, and its key, into dir.
func expiredCert(t *testing.T, dir string) (certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "expired receiver"},
		NotBefore: now.Add(-30 * 24 * time.Hour), NotAfter: now.Add(-24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, "expired.pem"), filepath.Join(dir, "expired.key")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath
}
