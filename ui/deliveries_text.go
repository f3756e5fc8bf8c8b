package ui

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/sanitize"
)

// The human forms of `deliveries` and `deliveries show` fit an 80-column
// SSH terminal: the fixed-width fields lead each line, the variable ones
// (target name, code, reason) come last or on an indented line of their own,
// so nothing but an unusually long name can wrap. Scripts read --json.

// writeDeliveryList prints each delivery as a line of ID, status, attempts,
// time of the last change and target, then its idempotency key and, when
// there is one, its last code and next attempt, indented below.
func writeDeliveryList(w io.Writer, views []deliveryView) {
	fmt.Fprintf(w, "%-20s  %-9s  %-5s  %-19s  %s\n", "ID", "STATUS", "TRIES", "UPDATED (UTC)", "TARGET")
	for _, v := range views {
		fmt.Fprintf(w, "%-20s  %-9s  %-5s  %-19s  %s\n", textCell(v.ID), textCell(v.Status),
			fmt.Sprintf("%d/%d", v.Attempts, v.MaxAttempts), shortTime(v.UpdatedAt), textCell(v.Target))
		fmt.Fprintf(w, "    key %s\n", textCell(v.IdempotencyKey))
		switch {
		case v.LastCode != "" && v.NextAttemptAt != nil:
			fmt.Fprintf(w, "    last %s, next %s\n", textCell(v.LastCode), shortTime(*v.NextAttemptAt))
		case v.LastCode != "":
			fmt.Fprintf(w, "    last %s\n", textCell(v.LastCode))
		case v.NextAttemptAt != nil && v.Attempts > 0:
			fmt.Fprintf(w, "    next %s\n", shortTime(*v.NextAttemptAt))
		}
	}
}

// writeAttemptList prints each attempt as a line of number, time, HTTP
// status, duration and code, with its reason indented below.
func writeAttemptList(w io.Writer, atts []delivery.Attempt) {
	fmt.Fprintf(w, "%-3s  %-19s  %-4s  %-7s  %s\n", "#", "AT (UTC)", "HTTP", "TOOK", "CODE")
	for _, a := range atts {
		st := "-"
		if a.HTTPStatus != 0 {
			st = strconv.Itoa(a.HTTPStatus)
		}
		code := a.Code
		if code == "" {
			code = "-"
		}
		fmt.Fprintf(w, "%-3d  %-19s  %-4s  %-7s  %s\n", a.Number, shortTime(a.At), st,
			a.Duration.Round(time.Millisecond).String(), textCell(code))
		if a.Reason != "" {
			fmt.Fprintf(w, "     %s\n", sanitize.Truncate(sanitize.Line(a.Reason), 74))
		}
	}
}

// textCell is a value from the store made safe for one line of a terminal.
func textCell(s string) string { return sanitize.Truncate(sanitize.Line(s), 60) }
