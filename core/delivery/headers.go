package delivery

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/webriskops/webhook-setup/core/signing"
)

// EdgeHeader is a target's edge authentication header with its value: a
// credential, never shown (see Redacted in the dry run).
type EdgeHeader struct {
	Name, Value string
}

// EdgeSource is where a target's edge authentication comes from; the store
// implements it. ok is false for a target without one.
type EdgeSource interface {
	EdgeValue(ctx context.Context, targetID string) (h EdgeHeader, ok bool, err error)
}

// StoredEdge returns an Endpoint.Edge that reads targetID's edge header
// from src at most every 30 seconds (as StoredSecrets does), so a rotation
// reaches a long drain within a minute.
func StoredEdge(src EdgeSource, targetID string) func(ctx context.Context, now time.Time) (*EdgeHeader, error) {
	var (
		mu      sync.Mutex
		cached  *EdgeHeader
		readAt  time.Time
		fetched bool
	)
	return func(ctx context.Context, now time.Time) (*EdgeHeader, error) {
		mu.Lock()
		defer mu.Unlock()
		if !fetched || now.Sub(readAt) >= secretsTTL || now.Before(readAt) {
			h, ok, err := src.EdgeValue(ctx, targetID)
			if err != nil {
				return nil, err
			}
			cached, readAt, fetched = nil, now, true
			if ok {
				cached = &h
			}
		}
		return cached, nil
	}
}

// StaticEdge returns an Endpoint.Edge that always hands out h (nil: none),
// for the wizard's test send of a target not saved yet.
func StaticEdge(h *EdgeHeader) func(context.Context, time.Time) (*EdgeHeader, error) {
	return func(context.Context, time.Time) (*EdgeHeader, error) { return h, nil }
}

// Request builds one attempt of body to ep: NewRequest's signed request,
// plus the Standard Webhooks headers when ep.StandardWebhooks (same
// timestamp, webhook-id = key, same secrets) and ep's edge header when it
// has one. Every delivery path (test-send, export, drain, the wizard's test
// send, the dry run) builds its requests here.
func (ep *Endpoint) Request(ctx context.Context, secrets []string, key string, body []byte, now time.Time) (*http.Request, error) {
	edge, err := ep.edge(ctx, now)
	if err != nil {
		return nil, err
	}
	return ep.request(ctx, secrets, key, body, now, edge)
}

// edge returns ep's edge header at now; nil when it has none.
func (ep *Endpoint) edge(ctx context.Context, now time.Time) (*EdgeHeader, error) {
	if ep.Edge == nil {
		return nil, nil
	}
	return ep.Edge(ctx, now)
}

// request is Request with the edge header already read.
func (ep *Endpoint) request(ctx context.Context, secrets []string, key string, body []byte, now time.Time, edge *EdgeHeader) (*http.Request, error) {
	req, err := NewRequest(ctx, ep.URL, secrets, key, body, now)
	if err != nil {
		return nil, err
	}
	if ep.StandardWebhooks {
		signing.SetStandardHeaders(req.Header, secrets, key, now.Unix(), body)
	}
	if edge != nil {
		// Set as given: platforms match names case-insensitively, and
		// the operator's spelling is what their docs show.
		req.Header[edge.Name] = []string{edge.Value}
	}
	return req, nil
}

// scrubbedAnswer is the receiver's answer with every copy of the edge
// value blanked out before anything quotes it: a receiver (a debug
// endpoint, a workflow that echoes its input) may send the request's
// headers back, and the reason of an attempt is printed and stored.
func scrubbedAnswer(answer []byte, edge *EdgeHeader) []byte {
	if edge == nil || edge.Value == "" {
		return answer
	}
	return bytes.ReplaceAll(answer, []byte(edge.Value), []byte("[edge value]"))
}
