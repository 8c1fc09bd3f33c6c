#!/usr/bin/env bash
# make test: build with warnings as errors, lint, start a throwaway PostgreSQL, run every test
# against SQLite and PostgreSQL, stop PostgreSQL (even on failure).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh test

echo "== lint (swift format)"
swift format lint --strict --recursive Package.swift Sources Tests Fuzz/Package.swift Fuzz/Sources

echo "== build (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors

echo "== test tools (aiosmtpd and Schemathesis from PyPI, in a venv)"
venv=.build/test-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import aiosmtpd" 2>/dev/null || "$venv/bin/pip" install -q "aiosmtpd==1.4.6"
[ -x "$venv/bin/schemathesis" ] || "$venv/bin/pip" install -q "schemathesis==4.32.5"

pg_dir=$(mktemp -d /tmp/keyhaven-pg.XXXXXX)
pg_port=${KEYHAVEN_TEST_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
cleanup() { scripts/pg.sh stop "$pg_dir" || true; rm -rf "$pg_dir"; }
trap cleanup EXIT
echo "== starting PostgreSQL on 127.0.0.1:$pg_port"
scripts/pg.sh start "$pg_dir" "$pg_port"

echo "== tests (SQLite and PostgreSQL)"
KEYHAVEN_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres" \
KEYHAVEN_REQUIRE_POSTGRES=1 \
KEYHAVEN_TEST_PYTHON="$PWD/$venv/bin/python" \
  swift test -Xswiftc -warnings-as-errors

echo "== Schemathesis against the live server (generated inputs from /openapi.json)"
scripts/schemathesis.sh "$venv"
