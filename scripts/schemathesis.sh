#!/usr/bin/env bash
# Generated-input testing of the live server against its own /openapi.json (run by make test).
# Starts the debug build on a free loopback port with a throwaway SQLite database (GitHub
# configured against a closed local port, so its endpoints answer as documented instead of 503),
# signs up a user, and runs Schemathesis twice, bounded in time:
#   - authenticated (a bearer token), every phase (examples, coverage, fuzzing, stateful links);
#   - unauthenticated.
# Checks: no 5xx, and every response conforms to the document (status code, content type,
# headers, body schema). Endpoints that would end the run's own session or account
# (logout, logout-all, DELETE /auth/me, change-password) are left to the unauthenticated pass.
# Usage: scripts/schemathesis.sh VENV [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$1
seconds=${2:-${KEYHAVEN_SCHEMATHESIS_SECONDS:-90}}
dir=$(mktemp -d /tmp/keyhaven-st.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEYHAVEN_ENV=test KEYHAVEN_DATA_DIR="$dir/data" KEYHAVEN_TLS=off KEYHAVEN_BCRYPT_COST=4 KEYHAVEN_LISTEN="127.0.0.1:$port" \
KEYHAVEN_GITHUB_CLIENT_ID=schemathesis KEYHAVEN_GITHUB_CLIENT_SECRET=schemathesis \
KEYHAVEN_GITHUB_API_URL=http://127.0.0.1:9 KEYHAVEN_GITHUB_WEB_URL=http://127.0.0.1:9 \
  ./.build/debug/keyhaven serve >"$dir/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf -o /dev/null "$base/healthz" && break; sleep 0.1; done

credentials='{"email":"schemathesis@example.com","password":"correct horse battery staple"}'
curl -sf -o /dev/null -X POST "$base/auth/signup" -H 'Content-Type: application/json' -d "$credentials"
token=$(curl -sf -X POST "$base/auth/login" -H 'Content-Type: application/json' -d "$credentials" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
cd "$dir"
echo "-- authenticated, ${seconds}s"
"$OLDPWD/$venv/bin/schemathesis" run "$base/openapi.json" -H "Authorization: Bearer $token" \
  --checks "$checks" --max-examples 10 --max-time "$seconds" --workers 2 --seed 20261204 \
  --exclude-path-regex '^/auth/(logout|logout-all|me|change-password)$' --warnings off
echo "-- unauthenticated, $((seconds / 3))s"
"$OLDPWD/$venv/bin/schemathesis" run "$base/openapi.json" \
  --checks "$checks" --max-examples 5 --max-time "$((seconds / 3))" --workers 2 --seed 20261204 --warnings off
if grep -q '"level":"error"' "$dir/server.log"; then
  echo "the server logged errors during the run:" >&2
  grep '"level":"error"' "$dir/server.log" | head -20 >&2
  exit 1
fi
