# Hangar — the two commands a new user needs: `make serve` and `make test` (`make demo` runs the walkthrough).
SWIFT ?= swift
STORE ?= .hangar
PREFIX ?= /usr/local

.PHONY: deps build release install test serve demo bench fuzz clean

deps:
	@.ci/install-deps

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# A release binary with the Swift runtime linked in (--static-swift-stdlib): it runs on a
# Debian machine that has libssl3, libarchive13 and libsqlite3-0, and no Swift; stripped. DESTDIR works.
install: deps
	@.ci/install-deps binutils
	$(SWIFT) build -c release --static-swift-stdlib --product hangar
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -s -m 0755 "$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/hangar" "$(DESTDIR)$(PREFIX)/bin/hangar"
	@echo "installed $(DESTDIR)$(PREFIX)/bin/hangar"

test: deps
	@# The metadata tests start their own throw-away PostgreSQL cluster (initdb + pg_ctl, loopback);
	@# the S3 tests their own Ceph cluster with its RADOS Gateway (Tests/Integration/rgw.sh, loopback).
	@.ci/install-deps postgresql ceph-mon ceph-mgr ceph-osd radosgw ceph-common curl
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip ExhaustionTests
	@# Alone, so the latency it prints is the server's and not the other suites' load.
	$(SWIFT) test --skip-build --filter ExhaustionTests
	Tests/Integration/oci-clients.sh .build/debug/hangar
	@# Pushes, cuts, promotions and a collector every second while the server is SIGKILLed (about 80 s).
	DURATION=60 Tests/Integration/gc-torture.sh .build/debug/hangar
	@# Two servers behind nginx on Ceph RGW + PostgreSQL, started and torn down by the script.
	Tests/Integration/cluster.sh .build/debug/hangar
	@# The release board in headless Chromium (chromium, chromium-driver and selenium installed when missing).
	Tests/Integration/board.sh .build/debug/hangar
	@# make install into a throw-away prefix; that binary must run without Swift (ldd, then a chroot of Debian packages only).
	$(MAKE) install PREFIX=$(CURDIR)/.build/install-check
	Tests/Integration/static-binary.sh .build/install-check/bin/hangar

# Serves the embedded store at $(STORE); the first time, prints an admin token (shown once).
serve: build
	@if ! .build/debug/hangar token ls --store $(STORE) --json 2>/dev/null | grep -q '"id"'; then \
		echo "No tokens yet: creating an admin token (keep the secret, it is shown once):"; \
		.build/debug/hangar token create --name admin --role admin --store $(STORE); fi
	.build/debug/hangar serve --store $(STORE)

demo: build
	Fixtures/demo/walkthrough.sh .build/debug/hangar

# A long fuzz run with a new seed (printed; replay with HANGAR_FUZZ_SEED=…). FUZZ_ITERATIONS per parser.
FUZZ_ITERATIONS ?= 500000
fuzz: deps
	$(SWIFT) build --build-tests
	HANGAR_FUZZ_SEED=$${HANGAR_FUZZ_SEED:-$$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')} \
	HANGAR_FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) HANGAR_FUZZ_TRACE=$${HANGAR_FUZZ_TRACE:-.build/fuzz-last-input} \
	$(SWIFT) test --skip-build --filter FuzzTests

bench: deps
	Benchmarks/run.sh

clean:
	rm -rf .build
