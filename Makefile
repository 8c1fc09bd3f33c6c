# Keyhaven: `make run` serves HTTPS on 127.0.0.1:8443 with SQLite in ./data;
# `make test` runs every test against SQLite and a throwaway PostgreSQL.
.PHONY: run build test bench bench-scanner soak fuzz check lint format clean

run: build
	./.build/release/keyhaven serve

build:
	scripts/deps.sh run
	swift build -c release

test:
	scripts/test.sh

bench:
	scripts/deps.sh bench
	scripts/bench.sh
	scripts/bench/scanner/run.sh

# Ten minutes of mixed traffic; results go to docs/RESULTS.md. SOAK_SECONDS shortens it.
soak:
	scripts/deps.sh run
	swift build -c release
	python3 scripts/soak.py .build/release/keyhaven $${SOAK_SECONDS:-600}

# The test suite under AddressSanitizer and ThreadSanitizer.
check:
	scripts/check.sh

# libFuzzer over the request decoder and router, the JWT parser, the scanner and the importers.
fuzz:
	scripts/deps.sh run
	scripts/fuzz.sh

bench-scanner:
	scripts/deps.sh bench
	scripts/bench/scanner/run.sh

lint:
	swift format lint --strict --recursive Package.swift Sources Tests Fuzz/Package.swift Fuzz/Sources

format:
	swift format --in-place --recursive Package.swift Sources Tests Fuzz/Package.swift Fuzz/Sources

clean:
	rm -rf .build
