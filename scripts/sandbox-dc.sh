#!/usr/bin/env bash
# A real Active Directory on loopback for tests and demos: two Samba 4.22 AD DCs with KDCs.
#   CONTOSO.TEST  (NetBIOS CONTOSO,  DC dc1, 127.0.0.1)
#   FABRIKAM.TEST (NetBIOS FABRIKAM, DC dc2, 127.0.0.2)
# Recipe and reasons: ../shared/design/SANDBOX-DC.md (kept in sync by hand).
#
# usage: scripts/sandbox-dc.sh up|down|reset|status|env [--yaml]
#   up      install packages if missing, provision, create fixtures, start; idempotent (fast no-op)
#   down    stop both DCs (by PID file; leftovers: samba processes holding files of our folder only)
#   reset   down, delete the state folder, up
#   status  which DC runs
#   env     export lines for the service (CONTOSO, as the least-privilege svc-rbcd account);
#           env --yaml prints the RBCD_CONFIG `domains:` block for both domains
# State: ${SANDBOX_DIR:-<repo>/.sandbox} (gitignored): ca/, dc1/, dc2/, sandbox.json (tests only,
# holds the admin passwords, mode 600), rbcd.yaml, env.
# Needs root (packages, a loopback address, ports 88/389/636). Environment knobs:
#   SANDBOX_DIR          state folder
#   SANDBOX_LOG_LEVEL    samba debug level spec (default "1 kerberos:3": KDC decisions in samba.out)
#   SANDBOX_START_TIMEOUT seconds to wait for LDAPS (default 90)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELPERS="$REPO/scripts/sandbox"
STATE="${SANDBOX_DIR:-$REPO/.sandbox}"
LOG_LEVEL="${SANDBOX_LOG_LEVEL:-1 kerberos:3}"
START_TIMEOUT="${SANDBOX_START_TIMEOUT:-90}"
PY=/usr/bin/python3 # Samba's python modules are installed for the system python only

DCS=(dc1 dc2)
declare -A REALM=([dc1]=CONTOSO.TEST [dc2]=FABRIKAM.TEST)
declare -A NETBIOS=([dc1]=CONTOSO [dc2]=FABRIKAM)
declare -A IP=([dc1]=127.0.0.1 [dc2]=127.0.0.2)

log() { printf '[sandbox] %s\n' "$*" >&2; }
die() { printf '[sandbox] ERROR: %s\n' "$*" >&2; exit 1; }

# Per-DC paths. Sets: D (DC folder), CONF, SAM, PIDFILE, OUT, DOMAIN, BASE_DN, HOST.
dc_vars() {
  local dc=$1
  D="$STATE/$dc"
  CONF="$D/samba/etc/smb.conf"
  SAM="$D/samba/private/sam.ldb"
  PIDFILE="$D/samba.pid"
  OUT="$D/samba.out"
  DOMAIN="${REALM[$dc],,}"
  BASE_DN="DC=${DOMAIN//./,DC=}"
  HOST="$dc.$DOMAIN"
}

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "needs root: $*"; fi
}

# ---------------------------------------------------------------- packages
packages_ok() {
  local v
  for c in samba samba-tool kinit kvno klist ldapwhoami openssl ip ss setsid flock pgrep; do
    command -v "$c" >/dev/null 2>&1 || return 1
  done
  v="$(dpkg-query -W -f='${Version}' samba 2>/dev/null)" || return 1
  # 4.17 (bookworm) does not honour RBCD in its KDC path; 4.22 does.
  dpkg --compare-versions "$v" ge '2:4.22~' || return 1
  $PY -c 'import samba.samdb' 2>/dev/null
}

install_packages() {
  local codename target=()
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  export DEBIAN_FRONTEND=noninteractive
  if [[ $codename == bookworm ]]; then
    if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      log "adding bookworm-backports"
      printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
        as_root tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
    fi
    target=(-t bookworm-backports)
  fi
  log "installing samba 4.22 + MIT Kerberos + ldap-utils (about a minute)"
  local apt=(apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  as_root env DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -qq
  as_root env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq "${target[@]}" \
    samba samba-dsdb-modules python3-samba samba-common-bin winbind
  as_root env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-upgrade \
    krb5-user ldap-utils openssl iproute2 util-linux procps
  packages_ok || die "packages installed but samba >= 4.22 / kinit / ldapwhoami still missing"
}

# ---------------------------------------------------------------- network and TLS
ensure_loopback() {
  local dc ip
  for dc in "${DCS[@]}"; do
    ip="${IP[$dc]}"
    [[ $ip == 127.0.0.1 ]] && continue
    if ! ip -4 -o addr show dev lo | grep -q "inet $ip/"; then
      log "adding $ip/8 to lo"
      as_root ip addr add "$ip/8" dev lo ||
        die "cannot add $ip to lo (needs root / CAP_NET_ADMIN); add it once by hand: ip addr add $ip/8 dev lo"
    fi
  done
}

ensure_ca() {
  local ca="$STATE/ca"
  [[ -s $ca/ca.pem && -s $ca/ca.key ]] && return 0
  mkdir -p "$ca"
  chmod 700 "$ca"
  cat >"$ca/ca.cnf" <<'EOF'
[req]
distinguished_name = dn
x509_extensions = v3_ca
prompt = no
[dn]
CN = rbcd-broker sandbox CA
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
  openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 -config "$ca/ca.cnf" \
    -keyout "$ca/ca.key" -out "$ca/ca.pem" 2>/dev/null
  chmod 600 "$ca/ca.key"
  chmod 644 "$ca/ca.pem"
}

# Server certificate naming the DC host and its IP, so clients verify TLS for real.
# Returns 0 when a new certificate was written (a running DC must restart to use it).
ensure_server_cert() {
  local dc=$1 tls
  dc_vars "$dc"
  tls="$D/tls"
  if [[ -s $tls/cert.pem && -s $tls/key.pem ]] &&
    openssl verify -CAfile "$STATE/ca/ca.pem" "$tls/cert.pem" >/dev/null 2>&1; then
    return 1
  fi
  mkdir -p "$tls"
  printf 'subjectAltName = DNS:%s, DNS:%s, IP:%s\nbasicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\n' \
    "$HOST" "$dc" "${IP[$dc]}" >"$tls/ext.cnf"
  openssl req -new -newkey rsa:2048 -nodes -sha256 -subj "/CN=$HOST" \
    -keyout "$tls/key.pem" -out "$tls/req.csr" 2>/dev/null
  openssl x509 -req -sha256 -days 825 -in "$tls/req.csr" -CA "$STATE/ca/ca.pem" -CAkey "$STATE/ca/ca.key" \
    -set_serial "0x$(openssl rand -hex 12)" -extfile "$tls/ext.cnf" -out "$tls/cert.pem" 2>/dev/null
  chmod 600 "$tls/key.pem" # samba refuses a key file others can read
  rm -f "$tls/req.csr"
  return 0
}

# ---------------------------------------------------------------- secrets
new_password() {
  # letters+digits from the kernel RNG, plus a fixed tail so complexity rules are always met
  printf '%s-Aa1' "$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 20)"
}

ensure_admin_password() {
  mkdir -p "$D/secrets"
  chmod 700 "$D/secrets"
  if [[ ! -s $D/secrets/admin.pw ]]; then
    (umask 077 && new_password >"$D/secrets/admin.pw")
  fi
  chmod 600 "$D/secrets/admin.pw"
}

# ---------------------------------------------------------------- provision
provision_dc() {
  local dc=$1
  dc_vars "$dc"
  rm -rf "$D/samba" "$D/.provisioned" "$D/.fixtures" "$D/keytabs"
  mkdir -p "$D"
  ensure_admin_password
  log "$dc: provisioning ${REALM[$dc]}"
  samba-tool domain provision --targetdir="$D/samba" --realm="${REALM[$dc]}" --domain="${NETBIOS[$dc]}" \
    --server-role=dc --dns-backend=NONE --function-level=2016 --option="ad dc functional level = 2016" \
    --adminpass="$(cat "$D/secrets/admin.pw")" --host-name="$dc" \
    --option="interfaces=${IP[$dc]}" --option="bind interfaces only=yes" >"$D/provision.log" 2>&1 ||
    { tail -20 "$D/provision.log" >&2; die "$dc: provision failed (log: $D/provision.log)"; }

  # Our settings go at the end of [global] (later lines win): runtime paths per DC so that two
  # DCs run side by side, our TLS certificate, simple bind on 389, and no file/NetBIOS/DNS servers
  # (not needed here, and they would collide with a distro smbd/nmbd on 445/137). The rpc task
  # (DCE/RPC on 135) is left out as well: not needed, and here its workers kept exiting with 127.
  mkdir -p "$D/samba/run/winbindd" "$D/samba/run/ntp_signd" "$D/samba/log"
  local extra
  extra="$(
    cat <<EOF
	# ---- rbcd-broker sandbox (scripts/sandbox-dc.sh)
	pid directory = $D/samba/run
	winbindd socket directory = $D/samba/run/winbindd
	ntp signd socket directory = $D/samba/run/ntp_signd
	log file = $D/samba/log/samba.log
	panic action =
	server services = ldap, cldap, kdc
	prefork children = 2
	ldap server require strong auth = no
	tls enabled = yes
	tls keyfile = $D/tls/key.pem
	tls certfile = $D/tls/cert.pem
	tls cafile = $STATE/ca/ca.pem
	dsdb:schema update allowed = true
EOF
  )"
  awk -v extra="$extra" '
    /^\[/ { if (inglobal) { print extra; print ""; inglobal = 0 } if ($0 == "[global]") inglobal = 1 }
    { print }
    END { if (inglobal) print extra }
  ' "$CONF" >"$CONF.new"
  mv "$CONF.new" "$CONF"

  $PY "$HELPERS/fixtures.py" schema-fix "$CONF" "$SAM" >>"$D/provision.log" 2>&1 ||
    { tail -20 "$D/provision.log" >&2; die "$dc: schema fix failed"; }
  touch "$D/.provisioned"
}

ensure_fixtures() {
  local dc=$1
  dc_vars "$dc"
  # .fixtures holds the checksum of the fixtures.py that made them: a changed script (new fixtures
  # from another change) runs again on the existing DC; it is idempotent, so this only adds.
  local sum
  sum="$(sha256sum "$HELPERS/fixtures.py" | cut -d' ' -f1)"
  [[ -e $D/.fixtures && "$(cat "$D/.fixtures")" == "$sum" ]] && return 0
  log "$dc: creating fixtures"
  $PY "$HELPERS/fixtures.py" fixtures "$CONF" "$SAM" "$D/secrets" >"$D/fixtures.log" 2>&1 ||
    { tail -20 "$D/fixtures.log" >&2; die "$dc: fixtures failed (log: $D/fixtures.log)"; }
  printf '%s' "$sum" >"$D/.fixtures"
}

# ---------------------------------------------------------------- processes
# Samba rewrites its argv ("samba: root process", "samba: task[ldap] ..."), so a process is ours
# when it runs the samba binary and holds files of this DC's folder open (its databases, the
# samba.out log on stdout). PID files are trusted only after that check (stale files, reused PIDs).
is_our_samba() {
  local pid=$1 exe
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
  [[ $exe == */samba || $exe == *'/samba (deleted)' ]] || return 1 # "(deleted)": after an upgrade
  [[ "$(readlink "/proc/$pid/fd/1" 2>/dev/null)" == "$OUT" ]] && return 0
  find "/proc/$pid/fd" -lname "$D/samba/*" -print -quit 2>/dev/null | grep -q .
}

# PID of our running samba (the root process) for this DC, or nothing.
dc_pid() {
  local dc=$1 pid
  dc_vars "$dc"
  [[ -s $PIDFILE ]] || return 1
  pid="$(cat "$PIDFILE")"
  is_our_samba "$pid" || return 1
  echo "$pid"
}

ldaps_ok() {
  local dc=$1
  dc_vars "$dc"
  LDAPTLS_CACERT="$STATE/ca/ca.pem" LDAPTLS_REQCERT=demand timeout 10 \
    ldapwhoami -x -o nettimeout=5 -H "ldaps://${IP[$dc]}:636" -D "Administrator@$DOMAIN" \
    -y "$D/secrets/admin.pw" >/dev/null 2>&1
}

# Every samba process of this DC (root, task masters, workers), also after a crash lost the PID.
our_processes() {
  local pid
  dc_vars "$1"
  for pid in $(pgrep -f '^samba' || true); do
    is_our_samba "$pid" && echo "$pid"
  done
  return 0
}

stop_dc() {
  local dc=$1 pid i left
  dc_vars "$dc"
  if pid="$(dc_pid "$dc")"; then
    log "$dc: stopping samba (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  # Leftovers (workers of a root that died, or a samba whose PID file was lost): ours only.
  left="$(our_processes "$dc")"
  if [[ -n $left ]]; then
    log "$dc: stopping leftover samba processes: $(echo $left)"
    kill -TERM $left 2>/dev/null || true
    for i in $(seq 1 30); do
      left="$(our_processes "$dc")"
      [[ -z $left ]] && break
      sleep 0.1
    done
    [[ -n $left ]] && kill -KILL $left 2>/dev/null || true
  fi
  rm -f "$PIDFILE" "$D/samba/run/samba.pid"
}

port_busy() {
  # any TCP listener on this DC's address and an AD port
  ss -Hltn "( sport = :88 or sport = :389 or sport = :636 or sport = :3268 )" 2>/dev/null | awk '{print $4}' |
    grep -qE "^(${IP[$1]//./\\.}|0\.0\.0\.0|\*|\[::\]):"
}

start_dc() {
  local dc=$1 pid
  dc_vars "$dc"
  stop_dc "$dc" # clears stale PID files and stray workers of a samba that died
  if port_busy "$dc"; then
    ss -Hltnp "( sport = :88 or sport = :389 or sport = :636 )" >&2 || true
    die "$dc: LDAP/Kerberos ports on ${IP[$dc]} are taken by another process (not ours; see above). If it is the sandbox of another checkout, stop it there: bash <that checkout>/scripts/sandbox-dc.sh down"
  fi
  log "$dc: starting samba on ${IP[$dc]}"
  mkdir -p "$D/samba/run/winbindd" "$D/samba/run/ntp_signd"
  # keep the log bounded: one previous generation
  if [[ -f $OUT ]] && (($(stat -c %s "$OUT") > 20 * 1024 * 1024)); then mv -f "$OUT" "$OUT.1"; fi
  printf '\n==== %s start\n' "$(date -Is)" >>"$OUT"
  # setsid: own session, so the DC outlives the shell (and Jest) that started it.
  setsid samba -s "$CONF" --foreground --no-process-group --debug-stdout -d "$LOG_LEVEL" \
    </dev/null >>"$OUT" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$PIDFILE"
}

wait_ready() {
  local dc=$1 deadline
  dc_vars "$dc"
  deadline=$((SECONDS + START_TIMEOUT))
  until ldaps_ok "$dc"; do
    if ! dc_pid "$dc" >/dev/null; then
      tail -30 "$OUT" >&2
      die "$dc: samba exited during start-up (log: $OUT)"
    fi
    ((SECONDS < deadline)) || { tail -30 "$OUT" >&2; die "$dc: LDAPS not answering after ${START_TIMEOUT}s (log: $OUT)"; }
    sleep 0.3
  done
  log "$dc: ready (ldaps://${IP[$dc]}:636)"
}

# ---------------------------------------------------------------- outputs
write_outputs() {
  local dc specs=()
  for dc in "${DCS[@]}"; do specs+=("$dc:${REALM[$dc]}:${NETBIOS[$dc]}:${IP[$dc]}"); done
  $PY "$HELPERS/write-config.py" "$STATE" "${specs[@]}"
}

krb5_conf() {
  local dc=$1
  dc_vars "$dc"
  cat >"$D/krb5.conf.tmp" <<EOF
[libdefaults]
	default_realm = ${REALM[$dc]}
	dns_lookup_kdc = false
	dns_lookup_realm = false
	rdns = false
	dns_canonicalize_hostname = false
	forwardable = true
[realms]
	${REALM[$dc]} = {
		kdc = ${IP[$dc]}
		admin_server = ${IP[$dc]}
	}
[domain_realm]
	.$DOMAIN = ${REALM[$dc]}
	$DOMAIN = ${REALM[$dc]}
EOF
  mv "$D/krb5.conf.tmp" "$D/krb5.conf"
}

# ---------------------------------------------------------------- commands
cmd_up() {
  packages_ok || install_packages
  mkdir -p "$STATE"
  STATE="$(cd "$STATE" && pwd)"
  chmod 700 "$STATE"
  exec 9>"$STATE/.lock"
  flock -w 600 9 || die "another sandbox-dc.sh holds $STATE/.lock"

  ensure_loopback
  ensure_ca
  local dc pids=() restart=()
  for dc in "${DCS[@]}"; do
    if ensure_server_cert "$dc"; then restart+=("$dc"); fi
  done
  # Provision the DCs that need it in parallel (CPU-bound python, about 5 s each).
  for dc in "${DCS[@]}"; do
    dc_vars "$dc"
    if [[ ! -e $D/.provisioned ]]; then
      stop_dc "$dc"
      (provision_dc "$dc" && ensure_fixtures "$dc") &
      pids+=($!)
    fi
  done
  local failed=0
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  ((failed == 0)) || die "provisioning failed"
  for dc in "${DCS[@]}"; do
    ensure_fixtures "$dc"
    krb5_conf "$dc"
  done
  for dc in "${restart[@]}"; do # a new certificate: a running DC must restart to use it
    if dc_pid "$dc" >/dev/null; then stop_dc "$dc"; fi
  done
  local started=()
  for dc in "${DCS[@]}"; do
    if dc_pid "$dc" >/dev/null && ldaps_ok "$dc"; then continue; fi
    start_dc "$dc" # also clears a samba that runs but does not answer, or died
    started+=("$dc")
  done
  for dc in "${started[@]}"; do wait_ready "$dc"; done
  write_outputs
  log "up: contoso.test ldaps://127.0.0.1:636, fabrikam.test ldaps://127.0.0.2:636 (state $STATE)"
}

cmd_down() {
  [[ -d $STATE ]] || return 0
  local dc
  for dc in "${DCS[@]}"; do stop_dc "$dc" & done # in parallel: each waits for its samba to exit
  wait
  log "down"
}

cmd_reset() {
  cmd_down
  case "$STATE" in "" | / | "$HOME" | "$REPO") die "refusing to delete '$STATE'" ;; esac
  log "deleting $STATE"
  rm -rf "$STATE"
  cmd_up
}

cmd_status() {
  local dc pid rc=0
  for dc in "${DCS[@]}"; do
    dc_vars "$dc"
    if [[ ! -e $D/.provisioned ]]; then
      echo "$dc ${REALM[$dc]} ${IP[$dc]}: not provisioned"
      rc=1
    elif pid="$(dc_pid "$dc")"; then
      if ldaps_ok "$dc"; then echo "$dc ${REALM[$dc]} ${IP[$dc]}: running (pid $pid), LDAPS answering"; else
        echo "$dc ${REALM[$dc]} ${IP[$dc]}: running (pid $pid), LDAPS NOT answering"
        rc=1
      fi
    else
      echo "$dc ${REALM[$dc]} ${IP[$dc]}: stopped"
      rc=1
    fi
  done
  return $rc
}

cmd_env() {
  [[ -e $STATE/dc1/.fixtures ]] || die "not provisioned: run scripts/sandbox-dc.sh up"
  STATE="$(cd "$STATE" && pwd)"
  if [[ ${1:-} == --yaml ]]; then
    cat "$STATE/rbcd.yaml"
  else
    cat "$STATE/env"
  fi
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  reset) cmd_reset ;;
  status) cmd_status ;;
  env) shift; cmd_env "$@" ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
