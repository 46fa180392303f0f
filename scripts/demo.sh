#!/usr/bin/env bash
# npm run demo: a real Samba AD DC (two domains) on loopback, then the service against it.
# Prints an admin key and example calls. Stop with Ctrl-C (the DCs keep running: npm run sandbox:down).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/sandbox-dc.sh up
npm run --silent build >/dev/null  # the service (nest) and the web console (vite, into dist/web)

mkdir -p data
key_file=.sandbox/admin-api-key
if [ ! -s "$key_file" ]; then
  umask 077
  printf 'rbcd_demo_%s\n' "$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)" > "$key_file"
fi

export RBCD_CONFIG="$PWD/.sandbox/rbcd.yaml"
export RBCD_ADMIN_API_KEY_FILE="$PWD/$key_file"
export DATABASE_URL="${DATABASE_URL:-sqlite:./data/rbcd.sqlite}"
export PORT="${PORT:-3000}"
export HOST="${HOST:-127.0.0.1}"

base="http://$HOST:$PORT"
cat <<TXT

rbcd-broker demo
  console:   $base/   (web console: sign in with the admin key below)
  service:   $base   (OpenAPI UI: $base/api/docs, GraphQL: $base/graphql)
  directory: contoso.test (127.0.0.1) and fabrikam.test (127.0.0.2), Samba AD DCs from scripts/sandbox-dc.sh
  admin key: $(cat "$key_file")   (file $key_file)

Try:
  KEY=\$(cat $key_file)
  curl -s -H "Authorization: Bearer \$KEY" $base/api/v1/delegations/SERVERC
  curl -s -H "Authorization: Bearer \$KEY" -H 'content-type: application/json' \\
       -d '{"user":"alice","frontEnd":"SERVERB\$","backEnd":"SERVERC"}' $base/api/v1/diagnose
  (README.md walks through a grant end to end.)

TXT
exec node --max-semi-space-size=64 dist/src/main.js # as npm start
