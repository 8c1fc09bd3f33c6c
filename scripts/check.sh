#!/usr/bin/env bash
# make check: the whole test suite again under AddressSanitizer and under ThreadSanitizer
# (separate build directories), against SQLite and a throwaway PostgreSQL, as make test does.
# Slower than make test (each sanitizer build takes minutes), so it is its own target.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
venv=.build/test-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import aiosmtpd" 2>/dev/null || "$venv/bin/pip" install -q "aiosmtpd==1.4.6"
pg_dir=$(mktemp -d /tmp/keyhaven-pg.XXXXXX)
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { scripts/pg.sh stop "$pg_dir" || true; rm -rf "$pg_dir"; }
trap cleanup EXIT
scripts/pg.sh start "$pg_dir" "$pg_port"
for sanitizer in ${CHECK_SANITIZERS:-address thread}; do
  echo "== swift test --sanitize=$sanitizer"
  KEYHAVEN_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres" KEYHAVEN_REQUIRE_POSTGRES=1 \
  KEYHAVEN_TEST_PYTHON="$PWD/$venv/bin/python" KEYHAVEN_CRASH_KILLS=8 \
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp" \
    swift test --sanitize="$sanitizer" --scratch-path ".build/$sanitizer-sanitizer"
done
