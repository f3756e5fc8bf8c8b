package delivery

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// RetryPolicy bounds the attempts of one delivery.
type RetryPolicy struct {
	// MaxAttempts is the attempt budget; less than 1 means 1.
	MaxAttempts int
	// MaxBackoff caps the exponential backoff; zero means DefaultMaxBackoff.
	MaxBackoff time.Duration
	// Until is when the caller stops waiting: no attempt starts after it.
	// Zero means no limit.
	Until time.Time
}

// Deliver makes up to p.MaxAttempts attempts of body to ep without an outbox
// (test sends), waiting between them as Delay says and as ep's pacer allows;
// every attempt is signed afresh. It returns the last result and the number
// of attempts made. When the next attempt would start after p.Until the
// loop ends early and the result says so; it stays retryable. onAttempt,
// when not nil, sees every attempt as it ends.
func (s *Sender) Deliver(ctx context.Context, ep *Endpoint, key string, body []byte, p RetryPolicy,
	onAttempt func(Attempt, Result)) (Result, int, error) {
	budget := max(p.MaxAttempts, 1)
	var last Result
	for n := 1; ; n++ {
		if err := ep.Pacer.Wait(ctx); err != nil {
			return last, n - 1, err
		}
		r, a, err := s.Attempt(ctx, ep, key, body)
		if err != nil {
			return last, n - 1, err
		}
		a.Number = n
		if onAttempt != nil {
			onAttempt(a, r)
		}
		last = r
		if r.HTTPStatus == http.StatusTooManyRequests {
			ep.Pacer.Throttled(Delay(r, n+1, p.MaxBackoff))
		} else if r.Delivered {
			ep.Pacer.Delivered()
		}
		if r.Final() || n >= budget {
			return r, n, nil
		}
		wait := Delay(r, n+1, p.MaxBackoff)
		if !p.Until.IsZero() && s.now().Add(wait).After(p.Until) {
			last.Reason += fmt.Sprintf("; the next attempt would be in %s, after the wait limit", wait.Round(time.Second))
			return last, n, nil
		}
		if err := sleep(ctx, wait); err != nil {
			return last, n, err
		}
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
