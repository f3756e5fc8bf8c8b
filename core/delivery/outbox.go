// Package delivery sends signed ticket exports: one attempt (Sender), its
// outcome (Classify), the backoff and pacing between attempts, the durable
// outbox contract that makes the handoff retry-safe, the Runner that works
// the outbox, the portable fallback bundle, and the flows the commands and
// the wizard call (TestSend, Export, ExportPortable, Drain, Retry).
// docs/delivery.md is its spec.
package delivery

import (
	"context"
	"time"
)

// Status is where one export stands in the outbox.
type Status string

// Outbox statuses: pending until an attempt delivers it, or until it is
// given up (failed) or refused by safety (blocked).
const (
	StatusPending   Status = "pending"
	StatusDelivered Status = "delivered"
	StatusFailed    Status = "failed"
	StatusBlocked   Status = "blocked"
)

// Delivery is one export in the outbox. Body is the exact payload sent on
// every attempt; it never contains a secret.
type Delivery struct {
	ID             string    `json:"id"`
	TargetID       string    `json:"target_id"`
	TargetName     string    `json:"target"`
	IdempotencyKey string    `json:"idempotency_key"`
	Body           []byte    `json:"-"`
	Status         Status    `json:"status"`
	Attempts       int       `json:"attempts"`
	MaxAttempts    int       `json:"max_attempts"`
	LastCode       string    `json:"last_code,omitempty"`
	LastReason     string    `json:"last_reason,omitempty"`
	NextAttemptAt  time.Time `json:"next_attempt_at"`
	FallbackPath   string    `json:"fallback_path,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Attempt is the record of one HTTP attempt of a delivery.
type Attempt struct {
	DeliveryID string        `json:"delivery_id"`
	Number     int           `json:"number"`
	At         time.Time     `json:"at"`
	HTTPStatus int           `json:"http_status,omitempty"`
	Code       string        `json:"code,omitempty"`
	Reason     string        `json:"reason,omitempty"`
	Duration   time.Duration `json:"duration_ns"`
	// ServerDate is the receiver's Date header, zero when it sent none:
	// doctor estimates clock skew from it (store.ClockSamples).
	ServerDate time.Time `json:"server_date,omitempty"`
}

// Outcome closes or reschedules a delivery after an attempt.
type Outcome struct {
	Attempt Attempt
	// Status is the delivery's new status; pending means "try again at
	// NextAttemptAt".
	Status        Status
	NextAttemptAt time.Time
	FallbackPath  string
}

// Outbox is the durable queue behind exports, as the Runner works it. The
// store implements it with SQLite; every method is one transaction. What
// only people read (listing deliveries, their attempts, requeueing one) is
// the store's own and not part of it.
type Outbox interface {
	// Enqueue stores new pending deliveries. A delivery whose target and
	// idempotency key already exist is not added again; the existing one is
	// returned in its place, so exporting a finding twice queues it once.
	Enqueue(ctx context.Context, ds []Delivery) ([]Delivery, error)
	// EnqueueClaimed is Enqueue for a runner that sends what it queues: the
	// first n deliveries it adds are claimed for worker until until in the
	// same write, as Claim would, and claimed[i] says which. A delivery
	// that was already queued is returned as stored and never claimed by
	// this call.
	EnqueueClaimed(ctx context.Context, ds []Delivery, worker string, until time.Time, n int) (stored []Delivery, claimed []bool, err error)
	// Claim atomically takes up to n pending deliveries due at now (and
	// claims older than the lease) for worker, hiding them from other
	// claimers until lease ends. ids, when non-empty, limits the claim to
	// those deliveries.
	Claim(ctx context.Context, worker string, n int, now time.Time, lease time.Duration, ids ...string) ([]Delivery, error)
	// Record stores the outcomes of finished attempts in one transaction
	// (batched, so throughput does not pay one commit per attempt) and
	// releases their claims.
	Record(ctx context.Context, worker string, outcomes []Outcome) error
	// Delivery returns one delivery by id.
	Delivery(ctx context.Context, id string) (Delivery, error)
	// Pending counts the pending deliveries that can still be sent and says
	// when the earliest may next be claimed (its next attempt or the end of
	// its claim, whichever is later), so a drain knows whether to wait.
	Pending(ctx context.Context, now time.Time) (n int, next time.Time, err error)
	// Release gives up worker's claims on ids without recording an attempt,
	// for deliveries a runner claimed but did not send (interrupted, or its
	// wait ended), so the next drain need not wait for the lease to end.
	Release(ctx context.Context, worker string, ids []string) error
}
