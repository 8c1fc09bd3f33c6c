#!/usr/bin/env bash
# make bench: throughput of Keyhaven's GET /healthz against nginx serving a static file of the
# same size, measured in the same run on the same machine, and their ratio (target >= 0.8).
# Set BENCH_SECONDS to change the length of each run (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-32}

swift build -c release >/dev/null
dir=$(mktemp -d /tmp/keyhaven-bench.XXXXXX)
chmod 755 "$dir"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 100); do curl -sk -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
rate() { wrk -t1 -c"$connections" -d"${seconds}s" "$1" | awk '/Requests\/sec/ {print $2}'; }

kh_http=$(free_port) kh_https=$(free_port) ng_http=$(free_port) ng_https=$(free_port) kh_login=$(free_port)

# Keyhaven twice: plain HTTP (as behind a TLS-terminating proxy) and HTTPS. Logs go to a file,
# as a service manager would collect them.
start_keyhaven() {
  KEYHAVEN_DATA_DIR="$dir/data" KEYHAVEN_LISTEN="127.0.0.1:$1" KEYHAVEN_TLS="$2" \
    ./.build/release/keyhaven serve >>"$dir/keyhaven-$1.log" 2>&1 &
  pids+=($!)
}
start_keyhaven "$kh_http" off
wait_for "http://127.0.0.1:$kh_http/healthz"
start_keyhaven "$kh_https" on
wait_for "https://127.0.0.1:$kh_https/healthz"

mkdir -p "$dir/www" "$dir/tmp"
curl -s "http://127.0.0.1:$kh_http/healthz" >"$dir/www/healthz.json"
chmod -R a+rX "$dir/www"
sed -e "s#@DIR@#$dir#g" -e "s#@HTTP_PORT@#$ng_http#g" -e "s#@HTTPS_PORT@#$ng_https#g" \
  scripts/bench/nginx.conf.template >"$dir/nginx.conf"
nginx -c "$dir/nginx.conf" -p "$dir" &
pids+=($!)
wait_for "http://127.0.0.1:$ng_http/healthz"

rounds=${BENCH_ROUNDS:-3}
echo "GET /healthz, wrk -t1 -c$connections -d${seconds}s, body $(wc -c <"$dir/www/healthz.json") bytes, $(nproc) cores shared by server and client"
echo "$rounds interleaved rounds per target; the median is reported (the machine is shared and noisy)"
results=()
for round in $(seq "$rounds"); do
  results+=("kh_http $(rate "http://127.0.0.1:$kh_http/healthz")")
  results+=("ng_http $(rate "http://127.0.0.1:$ng_http/healthz")")
  results+=("kh_https $(rate "https://127.0.0.1:$kh_https/healthz")")
  results+=("ng_https $(rate "https://127.0.0.1:$ng_https/healthz")")
done
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
runs = {}
for line in sys.stdin:
    name, value = line.split()
    runs.setdefault(name, []).append(float(value))
m = {name: statistics.median(values) for name, values in runs.items()}
for proto, label in (("http", "HTTP "), ("https", "HTTPS")):
    kh, ng = m["kh_" + proto], m["ng_" + proto]
    target = "  (target >= 0.80)" if proto == "http" else ""
    print(f"{label}  keyhaven {kh:8.0f} req/s   nginx {ng:8.0f} req/s   ratio {kh/ng:.2f}{target}")
    kh_runs = [round(v) for v in runs["kh_" + proto]]
    ng_runs = [round(v) for v in runs["ng_" + proto]]
    print(f"       runs: keyhaven {kh_runs}  nginx {ng_runs}")
'

# Logins at the default bcrypt cost, on a server of its own (trusting 127.0.0.1 as a proxy so the
# benchmark can spread requests over client addresses).
KEYHAVEN_DATA_DIR="$dir/login-data" KEYHAVEN_LISTEN="127.0.0.1:$kh_login" KEYHAVEN_TLS=off KEYHAVEN_TRUSTED_PROXIES=127.0.0.1/32 \
  ./.build/release/keyhaven serve >>"$dir/keyhaven-login.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$kh_login/healthz"
echo
python3 scripts/bench/login.py "$kh_login" 12

# The vault: item and page reads against nginx serving the same bytes; list latency at scale.
kh_vault=$(free_port)
KEYHAVEN_DATA_DIR="$dir/vault-data" KEYHAVEN_LISTEN="127.0.0.1:$kh_vault" KEYHAVEN_TLS=off \
  ./.build/release/keyhaven serve >>"$dir/keyhaven-vault.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$kh_vault/healthz"
echo
python3 scripts/bench/vault.py "$kh_vault" "$ng_http" "$dir/www"
