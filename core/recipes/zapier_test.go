package recipes

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
)

// The Zapier recipe runs in testdata/zapier_harness.js: Code by Zapier's
// async step with string inputData, a StoreClient that enforces Storage by
// Zapier's limits, overlapping runs and a simulated clock.

// zapierStoreSecret is the UUID4 secret of the test's Storage by Zapier.
const zapierStoreSecret = "6f1c2a4e-8d0b-4c3e-9a57-2b8e1d4f6a90"

type zapierRun struct {
	InputData map[string]string `json:"inputData"`
	// At is when the run starts, Unix seconds; zero: after the run before.
	At   float64 `json:"at,omitempty"`
	Hold float64 `json:"hold,omitempty"`
}

type zapierHarnessInput struct {
	StartMs int64 `json:"startMs,omitempty"`
	// StoreTouchedMs is when Store's keys were last written (Unix ms).
	StoreTouchedMs int64                     `json:"storeTouchedMs,omitempty"`
	LatencyMs      [2]float64                `json:"latencyMs"`
	Seed           uint32                    `json:"seed"`
	Store          map[string]map[string]any `json:"store,omitempty"`
	Runs           []zapierRun               `json:"runs"`
}

type zapierHarnessOutput struct {
	Results []map[string]any `json:"results"`
	Stats   struct {
		StorageCalls   int `json:"storageCalls"`
		MaxKeys        int `json:"maxKeys"`
		MaxValueBytes  int `json:"maxValueBytes"`
		MaxOverlap     int `json:"maxOverlap"`
		HeldByThrottle int `json:"heldByThrottle"`
	} `json:"stats"`
}

// zapierStore is a Storage by Zapier holding the signing secret(s) where
// the recipe reads them.
func zapierStore(secrets string) map[string]map[string]any {
	return map[string]map[string]any{zapierStoreSecret: {SecretEnv: secrets}}
}

func runZapier(t *testing.T, node, path string, in zapierHarnessInput) zapierHarnessOutput {
	t.Helper()
	var out zapierHarnessOutput
	runHarness(t, node, "zapier_harness.js", path, in, &out)
	if len(out.Results) != len(in.Runs) {
		t.Fatalf("the harness returned %d results for %d runs", len(out.Results), len(in.Runs))
	}
	return out
}

// The default pace of zapier_webhook is what the recipe's Storage layout
// was sized for: one delivery per slice, a slice a whole number of seconds.
func TestZapierPaceIsTheRecipeSlice(t *testing.T) {
	p, _ := core.LookupProvider(core.ProviderZapier)
	r := p.DefaultRate
	if r.Requests < 1 || r.PerSeconds%r.Requests != 0 || zapierSliceSeconds() != r.PerSeconds/r.Requests {
		t.Fatalf("zapier_webhook's default pace %v is not one delivery per whole-second slice", r)
	}
	// The default tolerance fits one store; a tolerance whose window needs
	// more keys than a store has is refused when rendering.
	if err := zapierFits(300); err != nil {
		t.Fatal(err)
	}
	if _, err := Render("zapier", Data{Tolerance: 600 * time.Second}); err == nil || !strings.Contains(err.Error(), "Storage by Zapier") {
		t.Errorf("Render(zapier, 600 s) = %v, want a refusal naming Storage by Zapier", err)
	}
	if _, err := Render("node", Data{Tolerance: 600 * time.Second}); err != nil {
		t.Errorf("the node recipe refused a 600 s tolerance: %v", err)
	}
}

// TestZapierDefaultPace sends 500 exports signed at zapier_webhook's default
// pace (its full limit, no headroom), with the sender's re-deliveries of
// some of them (same idempotency key, new nonce, paced too) and replays of
// captured requests (same nonce) in between. Storage calls take 50 ms to 3 s,
// so several runs overlap. Every export must be accepted exactly once,
// every re-delivery flagged duplicate and every replay refused, and Storage
// must stay within its limits (the harness throws otherwise).
func TestZapierDefaultPace(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "zapier", "zapier.js")
	secret := newSecret(t)
	p, _ := core.LookupProvider(core.ProviderZapier)
	spacing := float64(p.DefaultRate.PerSeconds) / float64(p.DefaultRate.Requests)

	const exports, redeliveries, replays = 500, 120, 120
	rng := rand.New(rand.NewPCG(12, 34))
	start := float64(time.Now().Unix()) + 0.37 // not on a slice boundary

	type sent struct {
		d      delivery
		at     float64 // when Zapier starts the run
		want   string
		signed float64
	}
	var all []sent
	firstAt := map[string]int{} // key → position of its first send
	// The sender's attempts, one per pacer slot: exports in order, with
	// re-deliveries of earlier exports mixed in. A re-delivery comes at
	// least 20 slots (40 s) after the first send, since the sender retries
	// only after an attempt failed; some come after the slice ring has
	// turned (more than 600 s), to reach the archive.
	next, slot := 0, 0
	redelivered := 0
	for next < exports || redelivered < redeliveries {
		now := start + float64(slot)*spacing
		slot++
		var key string
		want := "accepted"
		if redelivered < redeliveries && next > 40 && (next >= exports || rng.IntN(5) == 0) {
			key = "zap_" + strconv.Itoa(rng.IntN(next-20))
			want = "duplicate"
			redelivered++
		} else {
			key = "zap_" + strconv.Itoa(next)
			next++
		}
		d := sign(t, []string{secret}, key, int64(now), exportBody(key))
		if want == "accepted" {
			firstAt[key] = len(all)
		}
		// Zapier starts the run a little after the request arrives.
		all = append(all, sent{d: d, at: now + rng.Float64()*1.5, want: want, signed: now})
	}
	// Replays of captured requests, unpaced: 30 s to 290 s after the
	// original was signed (after the original run's 30 s script limit,
	// within the timestamp tolerance).
	senderAttempts := len(all)
	for i := 0; i < replays; i++ {
		orig := all[rng.IntN(senderAttempts)]
		all = append(all, sent{d: orig.d, at: orig.signed + 30 + rng.Float64()*260, want: "refused"})
	}

	runs := make([]zapierRun, len(all))
	for i, s := range all {
		runs[i] = zapierRun{InputData: zapierInput(s.d, map[string]string{"store_secret": zapierStoreSecret}), At: s.at}
	}
	out := runZapier(t, node, path, zapierHarnessInput{
		StartMs: int64(start * 1000), LatencyMs: [2]float64{50, 3000}, Seed: 7, Store: zapierStore(secret), Runs: runs,
	})

	counts := map[string]int{}
	for i, s := range all {
		got := zapierOutcome(t, fmt.Sprintf("delivery %d (%s)", i, s.d.headers["X-WebRiskOps-Idempotency-Key"]), out.Results[i])
		counts[got.result]++
		if got.result != s.want {
			t.Errorf("delivery %d (%s, want %s): got %s (%s)", i, s.d.headers["X-WebRiskOps-Idempotency-Key"], s.want, got.result, got.reason)
			continue
		}
		if s.want == "refused" && got.reason != "nonce already used" {
			t.Errorf("replay %d refused for %q, want nonce already used", i, got.reason)
		}
	}
	if len(firstAt) != exports || counts["accepted"] != exports {
		t.Errorf("%d exports accepted, want %d", counts["accepted"], exports)
	}
	st := out.Stats
	t.Logf("%d runs: %v; Storage: %d calls, at most %d keys, largest value %d bytes; up to %d runs at once; %d held by the Code throttle",
		len(all), counts, st.StorageCalls, st.MaxKeys, st.MaxValueBytes, st.MaxOverlap, st.HeldByThrottle)
	if st.MaxOverlap < 3 {
		t.Errorf("at most %d runs overlapped: the test did not exercise overlapping runs", st.MaxOverlap)
	}
	if st.MaxKeys > 500 || st.MaxValueBytes >= 2500 {
		t.Errorf("Storage went past its limits: %d keys, %d bytes", st.MaxKeys, st.MaxValueBytes)
	}
}

// A run Zapier holds (Code step throttling, an incident) and starts later
// than the tolerance after the delivery was signed is refused with a
// reason that says so, and so is the replay of that run from Zap history;
// a run held for less is accepted.
func TestZapierHeldRuns(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "zapier", "zapier.js")
	secret := newSecret(t)
	start := time.Now().Unix()
	short := sign(t, []string{secret}, "held_short", start, exportBody("held_short"))
	long := sign(t, []string{secret}, "held_long", start+2, exportBody("held_long"))
	in := func(d delivery) map[string]string {
		return zapierInput(d, map[string]string{"store_secret": zapierStoreSecret})
	}
	runs := []zapierRun{
		{InputData: in(short), At: float64(start), Hold: 240},
		{InputData: in(long), At: float64(start + 2), Hold: 301},
		// The operator replays the errored run from Zap history an hour on.
		{InputData: in(long), At: float64(start + 3600)},
	}
	out := runZapier(t, node, path, zapierHarnessInput{StartMs: start * 1000, LatencyMs: [2]float64{20, 200}, Seed: 3, Store: zapierStore(secret), Runs: runs})
	for i, want := range []deliveryCase{
		{name: "held 240 s", want: "accepted"},
		{name: "held 301 s", want: "refused", reason: "timestamp outside tolerance: signed 301 s before this run"},
		{name: "replayed from Zap history an hour later", want: "refused", reason: "timestamp outside tolerance"},
	} {
		want.check(t, zapierOutcome(t, want.name, out.Results[i]))
	}
}

// Storage by Zapier drops keys untouched for 3 months. The secret was
// stored 80 days before the first delivery; that delivery keeps it alive,
// so one 60 days later (140 days after it was stored) still verifies. With
// no delivery for more than 3 months the secret is gone, and the refusal
// says to store it again.
func TestZapierSecretKeptAlive(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "zapier", "zapier.js")
	secret := newSecret(t)
	const day = 86400
	start := time.Now().Unix()
	in := func(key string, at int64) zapierRun {
		d := sign(t, []string{secret}, key, at, exportBody(key))
		return zapierRun{InputData: zapierInput(d, map[string]string{"store_secret": zapierStoreSecret}), At: float64(at)}
	}
	out := runZapier(t, node, path, zapierHarnessInput{
		StartMs: start * 1000, StoreTouchedMs: (start - 80*day) * 1000, LatencyMs: [2]float64{20, 200}, Seed: 5,
		Store: zapierStore(secret), Runs: []zapierRun{in("alive_1", start), in("alive_2", start+60*day), in("alive_3", start+160*day)},
	})
	for i, want := range []deliveryCase{
		{name: "80 days after the secret was stored", want: "accepted"},
		{name: "60 days after the last delivery", want: "accepted"},
		{name: "100 days without a delivery", want: "refused", reason: "Storage drops keys untouched for 3 months"},
	} {
		want.check(t, zapierOutcome(t, want.name, out.Results[i]))
	}
}

// Storage by Zapier refuses what the recipe must never ask of it; the
// harness must throw as Zapier does, or the tests above prove nothing.
func TestZapierHarnessEnforcesStorageLimits(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	dir := t.TempDir()
	probe := dir + "/probe.js"
	code := `const store = StoreClient(inputData.store_secret);
switch (inputData.probe) {
case 'long key': await store.set('k'.repeat(32), 1); break;
case 'large value': await store.set('k', 'x'.repeat(2498)); break;
case 'too many keys': for (let i = 0; i < 501; i++) await store.set('k' + i, i); break;
case 'bad secret': StoreClient('not-a-uuid'); break;
case 'fits': await store.set('k'.repeat(31), 'x'.repeat(2497)); break;
}
return {ok: true};`
	if err := os.WriteFile(probe, []byte(code), 0o600); err != nil {
		t.Fatal(err)
	}
	probes := []string{"long key", "large value", "too many keys", "bad secret", "fits"}
	runs := make([]zapierRun, len(probes))
	for i, p := range probes {
		runs[i] = zapierRun{InputData: map[string]string{"probe": p, "store_secret": fmt.Sprintf("6f1c2a4e-8d0b-4c3e-9a57-2b8e1d4f6a9%d", i)}}
	}
	out := runZapier(t, node, probe, zapierHarnessInput{Runs: runs})
	for i, p := range probes {
		_, threw := out.Results[i]["thrown"]
		if threw != (p != "fits") {
			t.Errorf("%s: result %v", p, out.Results[i])
		}
	}
}
