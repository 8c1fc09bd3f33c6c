#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets in Fuzz/ (with AddressSanitizer) and runs each for
# FUZZ_SECONDS (default 60), growing a corpus in .build/fuzz-corpus/<target>. A crash stops
# that target; its input is saved in Fuzz/regressions/<target>/ (commit it with the fix: every
# file there is replayed by each later run before fuzzing). Results go to docs/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=(FuzzRequests FuzzJWT FuzzScanner FuzzImport)
(cd Fuzz && swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing 2>&1 | grep -v "Cannot export local symbol" | tail -3)
summary=()
status=0
for target in "${targets[@]}"; do
  corpus=.build/fuzz-corpus/$target
  regressions=Fuzz/regressions/$target
  mkdir -p "$corpus" "$regressions"
  if [ -n "$(ls -A "$regressions")" ]; then
    echo "== $target: replaying $(ls "$regressions" | wc -l) kept inputs"
    Fuzz/.build/debug/$target "$regressions"/* >/dev/null 2>&1 || { echo "a kept input crashes $target again" >&2; status=1; }
  fi
  echo "== $target: ${seconds}s"
  log=$(mktemp)
  if Fuzz/.build/debug/$target -max_total_time="$seconds" -rss_limit_mb=2048 -artifact_prefix="$regressions/" "$corpus" >"$log" 2>&1; then
    result="no crash"
  else
    result="CRASH (input kept in $regressions)"
    status=1
    grep -E "ERROR|SUMMARY|Fatal error" "$log" | head -5
  fi
  runs=$(grep -Eo "Done [0-9]+ runs in [0-9]+ second" "$log" | tail -1 || true)
  [ -n "$runs" ] || runs=$(grep -Eo "#[0-9]+" "$log" | tail -1)
  echo "   $runs; $result; corpus $(ls "$corpus" | wc -l) inputs"
  summary+=("$target: ${runs:-?}, corpus $(ls "$corpus" | wc -l) inputs, $result")
  rm -f "$log"
done
python3 - "$seconds" "${summary[@]}" <<'PY'
import os, sys, time
seconds, entries = sys.argv[1], sys.argv[2:]
line = f"- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {seconds} s per target (libFuzzer + AddressSanitizer): " + "; ".join(entries) + "."
path = "docs/RESULTS.md"
text = open(path).read() if os.path.exists(path) else "# Results\n\nWritten by the commands named in each section; the newest run first.\n"
section = "## Fuzzing\n"
if section in text:
    start = text.index(section)
    body = text.index("\n\n", text.index("\n\n", start) + 2) + 2
    text = text[:body] + line + "\n" + text[body:]
else:
    text = text.rstrip("\n") + "\n\n" + section + "\nBy `make fuzz` (scripts/fuzz.sh).\n\n" + line + "\n"
open(path, "w").write(text)
print(line)
PY
exit $status
