# daybook: the only commands a newcomer needs are `make demo` and `make test`.
# Both install missing Debian packages (scripts/install-deps) and build first.

BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build test unit realos scale bench demo package fuzz fuzz-smoke clean

all: build

deps:
	@scripts/install-deps

build: deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Every test: unit, integration and end-to-end, as CI runs them (the
# realos and scale suites apart: they need minutes, root or the Debian mirror).
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -LE 'realos|scale' -j $(JOBS)

# Security patching on real Debian 12 roots against unattended-upgrades
# (tests/realos; debootstrap's root is cached in /var/cache/daybook-realos).
realos: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L realos

# Fleet-scale measurements that check what they measure (tests/scale): a
# year of access on 100 hosts collected and verified; prints the figures.
scale: build
	cd $(BUILD_DIR) && ctest --output-on-failure -V -L scale

# The benchmarks, side by side with their peers, as one table
# (build/bench/results.md and .json; bench/README.md). Root; installs the
# peers; minutes to an hour with SIZES="10 50 200 1000".
bench: build
	bench/all.sh $(BUILD_DIR)

# The fast subset, for the edit-compile-test loop.
unit: build
	cd $(BUILD_DIR) && ctest -L unit -j $(JOBS)

demo: build
	scripts/demo $(BUILD_DIR)

# The Debian packages daybook_*.deb and daybook-agent_*.deb in $(BUILD_DIR)
# (cmake/Packaging.cmake; docs/install.md).
package: build
	cd $(BUILD_DIR) && cpack

# libFuzzer targets under ASan+UBSan (clang, build dir build-fuzz), each run
# for FUZZ_SECONDS; fuzz-smoke is the short run CI does.
FUZZ_SECONDS ?= 60
fuzz: deps
	scripts/fuzz $(FUZZ_SECONDS)

fuzz-smoke: deps
	scripts/fuzz 20

clean:
	rm -rf $(BUILD_DIR) build-fuzz
