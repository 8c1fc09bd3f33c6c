# Keyhaven: `make run` serves HTTPS on 127.0.0.1:8443 with SQLite in ./data;
# `make test` runs every test against SQLite and a throwaway PostgreSQL.
.PHONY: run build test bench bench-scanner lint format clean

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

bench-scanner:
	scripts/deps.sh run
	scripts/bench/scanner/run.sh

lint:
	swift format lint --strict --recursive Package.swift Sources Tests

format:
	swift format --in-place --recursive Package.swift Sources Tests

clean:
	rm -rf .build
