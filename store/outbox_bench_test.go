package store

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
)

// BenchmarkOutboxExport is the outbox's share of an export of 2,000
// tickets, as the exporting runner writes it: batches of 500 queued
// already claimed (EnqueueClaimed), bodies of ~700 bytes like a built
// ticket export, and their outcomes recorded 50 per transaction. Like the
// end-to-end benchmark, the rows of a round are deleted before the next.
func BenchmarkOutboxExport(b *testing.B) {
	s, tg := benchStoreWithHook(b)
	pad := strings.Repeat("x", 600)
	const n, queueBatch, recordBatch = 2000, 500, 50
	w0 := wchar()
	var tq, tr time.Duration
	for i := 0; b.Loop(); i++ {
		for q := 0; q < n; q += queueBatch {
			ds := make([]delivery.Delivery, queueBatch)
			for j := range ds {
				ds[j] = delivery.Delivery{TargetID: tg.ID, IdempotencyKey: fmt.Sprintf("wro_%d_%d", i, q+j),
					Body: []byte(fmt.Sprintf(`{"n":%d,"pad":"%s"}`, q+j, pad)), MaxAttempts: 8}
			}
			t0 := time.Now()
			stored, _, err := s.EnqueueClaimed(ctx, ds, "w", time.Now().Add(time.Minute), len(ds))
			tq += time.Since(t0)
			if err != nil {
				b.Fatal(err)
			}
			for r := 0; r < len(stored); r += recordBatch {
				outs := make([]delivery.Outcome, 0, recordBatch)
				for _, d := range stored[r : r+recordBatch] {
					outs = append(outs, delivery.Outcome{Attempt: delivery.Attempt{DeliveryID: d.ID, HTTPStatus: 200, At: time.Now()},
						Status: delivery.StatusDelivered})
				}
				t0 := time.Now()
				if err := s.Record(ctx, "w", outs); err != nil {
					b.Fatal(err)
				}
				tr += time.Since(t0)
			}
		}
		b.StopTimer()
		if _, err := s.db.Exec(`DELETE FROM delivery_attempts; DELETE FROM deliveries`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/delivery")
	b.ReportMetric(float64(wchar()-w0)/float64(b.N*n), "written-B/delivery")
	b.ReportMetric(float64(tq.Nanoseconds())/1e3/float64(b.N*n), "enqueue-µs/delivery")
	b.ReportMetric(float64(tr.Nanoseconds())/1e3/float64(b.N*n), "record-µs/delivery")
}

// wchar is how many bytes this process has written so far (Linux; 0
// elsewhere).
func wchar() int64 {
	raw, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}
