# Hangar — the two commands a new user needs are `make demo` (later `make serve`) and `make test`.
SWIFT ?= swift
STORE ?= .hangar

.PHONY: deps build release test demo bench clean

deps:
	@.ci/install-deps

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	Tests/Integration/oci-clients.sh .build/debug/hangar

demo: build
	Fixtures/demo/walkthrough.sh .build/debug/hangar

bench: deps
	Benchmarks/run.sh

clean:
	rm -rf .build
