#!/usr/bin/env bash
# Main process of the sandbox DC container (docker/samba-dc.Dockerfile). scripts/sandbox-dc.sh up
# provisions (first start, kept in the SANDBOX_DIR volume) and starts both DCs detached; this script
# then stays in the foreground while they run, and stops them on SIGTERM (docker stop).
#
# The DCs listen on 127.0.0.1 (CONTOSO) and 127.0.0.2 (FABRIKAM) only, by the sandbox's design, so
# LDAPS is forwarded from the container's own addresses: :636 -> CONTOSO, :1636 -> FABRIKAM. Their
# certificates name dc1.contoso.test and dc2.fabrikam.test: compose gives this container those
# names as network aliases, so the service verifies TLS for real.
#
# What the service needs is copied to SANDBOX_EXPORT_DIR (a volume it mounts read-only), owned by
# its user: the CA certificate and the two svc-rbcd passwords. The admin passwords stay here.
set -euo pipefail

SCRIPT=/opt/rbcd-sandbox/scripts/sandbox-dc.sh
STATE="${SANDBOX_DIR:?}"
EXPORT="${SANDBOX_EXPORT_DIR:-/export}"
OWNER="${SERVICE_UID:-10001}"

log() { printf '[samba-dc] %s\n' "$*" >&2; }

stop() {
  log "stopping"
  jobs -p | xargs -r kill 2>/dev/null || true
  "$SCRIPT" down || true
  exit 0
}
trap stop TERM INT

"$SCRIPT" up

install -d -m 755 "$EXPORT"
install -m 644 "$STATE/ca/ca.pem" "$EXPORT/ca.pem"
install -o "$OWNER" -g "$OWNER" -m 600 "$STATE/dc1/secrets/svc-rbcd.pw" "$EXPORT/contoso-svc-rbcd.pw"
install -o "$OWNER" -g "$OWNER" -m 600 "$STATE/dc2/secrets/svc-rbcd.pw" "$EXPORT/fabrikam-svc-rbcd.pw"

for addr in $(hostname -I); do
  [[ $addr == *:* ]] && continue # IPv4 only, like the DCs
  log "forwarding $addr:636 -> 127.0.0.1:636 (contoso.test), $addr:1636 -> 127.0.0.2:636 (fabrikam.test)"
  socat "TCP-LISTEN:636,bind=$addr,fork,reuseaddr" TCP:127.0.0.1:636 &
  socat "TCP-LISTEN:1636,bind=$addr,fork,reuseaddr" TCP:127.0.0.2:636 &
done

log "ready"
while "$SCRIPT" status >/dev/null 2>&1; do
  sleep 5 &
  wait $! || true
done
log "a DC stopped:"
"$SCRIPT" status >&2 || true
exit 1
