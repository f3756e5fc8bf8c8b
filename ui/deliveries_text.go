package ui

import (
	"io"
	"strconv"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
)

// writeDeliveryList prints each delivery as a row of ID, status, attempts,
// time of the last change and target, with its idempotency key and, when
// there is one, its last code and next attempt on detail lines.
func writeDeliveryList(w io.Writer, views []deliveryView) {
	tb := newRows(w, []int{20, 9, 5, 19}, "ID", "STATUS", "TRIES", "UPDATED (UTC)", "TARGET")
	for _, v := range views {
		tb.row(v.ID, v.Status, strconv.Itoa(v.Attempts)+"/"+strconv.Itoa(v.MaxAttempts), shortTime(v.UpdatedAt), v.Target)
		tb.detail("key", v.IdempotencyKey)
		next := ""
		if v.NextAttemptAt != nil && (v.Attempts > 0 || v.LastCode != "") {
			next = shortTime(*v.NextAttemptAt)
		}
		switch {
		case v.LastCode != "" && next != "":
			tb.detail("last", v.LastCode+", next "+next)
		case v.LastCode != "":
			tb.detail("last", v.LastCode)
		case next != "":
			tb.detail("next", next)
		}
	}
}

// writeAttemptList prints each attempt as a row of number, time, HTTP
// status, duration and code, with its reason on a detail line.
func writeAttemptList(w io.Writer, atts []delivery.Attempt) {
	tb := newRows(w, []int{3, 19, 4, 7}, "#", "AT (UTC)", "HTTP", "TOOK", "CODE")
	for _, a := range atts {
		st, code := "-", "-"
		if a.HTTPStatus != 0 {
			st = strconv.Itoa(a.HTTPStatus)
		}
		if a.Code != "" {
			code = a.Code
		}
		tb.row(strconv.Itoa(a.Number), shortTime(a.At), st, a.Duration.Round(time.Millisecond).String(), code)
		if a.Reason != "" {
			tb.detail("reason", a.Reason)
		}
	}
}
