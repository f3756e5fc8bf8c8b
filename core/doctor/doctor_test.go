package doctor

import (
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func TestSecretAge(t *testing.T) {
	for _, c := range []struct {
		age  time.Duration
		want Verdict
	}{
		{time.Hour, OK}, {80 * 24 * time.Hour, OK}, {82 * 24 * time.Hour, Warn},
		{90 * 24 * time.Hour, Warn}, {90*24*time.Hour + time.Minute, Fail}, {100 * 24 * time.Hour, Fail},
	} {
		got := SecretAge("hook", now.Add(-c.age), now, DefaultMaxSecretAge)
		if got.Verdict != c.want || (c.want == Fail) != (got.Fix != "") {
			t.Errorf("age %s: %+v, want %s", c.age, got, c.want)
		}
	}
	if c := SecretAge("hook", time.Time{}, now, DefaultMaxSecretAge); c.Verdict != Fail || c.Code == "" {
		t.Errorf("no secret: %+v", c)
	}
	if c := SecretAge("hook", now.Add(-100*24*time.Hour), now, DefaultMaxSecretAge); !strings.Contains(c.Summary, "100 days") ||
		!strings.Contains(c.Fix, "rotate-secret hook") {
		t.Errorf("100 days: %+v", c)
	}
}

func TestClockSkew(t *testing.T) {
	for _, c := range []struct {
		skew time.Duration
		want Verdict
		says string
	}{
		{0, OK, "0s ahead of"}, {-59 * time.Second, OK, "59s behind"},
		{61 * time.Second, Fail, "1m1s ahead of"}, {-10 * time.Minute, Fail, "10m0s behind"},
	} {
		got := ClockSkew("hook", c.skew, now)
		if got.Verdict != c.want || !strings.Contains(got.Summary, c.says) {
			t.Errorf("skew %s: %+v", c.skew, got)
		}
	}
}

func TestGraceSecretsAndReport(t *testing.T) {
	if c := GraceSecrets("hook", nil, now); c.Verdict != OK {
		t.Errorf("no grace: %+v", c)
	}
	c := GraceSecrets("hook", []time.Time{now.Add(72 * time.Hour), now.Add(time.Hour)}, now)
	if c.Verdict != Warn || !strings.Contains(c.Summary, "2 previous") || strings.Index(c.Summary, "(in 1h)") > strings.Index(c.Summary, "(in 3 days)") {
		t.Errorf("grace: %+v", c)
	}
	r := NewReport(now, []Check{{Verdict: OK}, {Verdict: Warn}, {Verdict: Fail}, {Verdict: Skip}})
	if r.Healthy || r.Failed != 1 || r.Warned != 1 || len(r.FailedChecks()) != 1 {
		t.Errorf("report %+v", r)
	}
	if r := NewReport(now, nil); !r.Healthy || r.Checks == nil {
		t.Errorf("empty report %+v", r)
	}
}
