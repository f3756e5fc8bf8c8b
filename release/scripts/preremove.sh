#!/bin/sh
# Stops the timer before the binary goes. The data in /var/lib/webhook-setup
# and the webhook-ops user stay: they hold the outbox and the key.
set -e
if [ -d /run/systemd/system ]; then
	systemctl disable --now webhook-setup-drain.timer >/dev/null 2>&1 || true
fi
exit 0
