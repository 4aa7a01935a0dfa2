# Strava+1 — the two commands: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
.DEFAULT_GOAL := run

DEBUG_DIR := build/debug
RELEASE_DIR := build/release
CTEST_JOBS ?= 2

.PHONY: run demo test deps build-release build-debug web install test-unit test-pg test-e2e test-web test-browser check-deps bench fuzz check-long clean

deps:
	scripts/deps.sh

web: deps
	cd web && npm run build

# The binary carries web/dist (apps/strava1/CMakeLists.txt), so the web app is built first.
build-release: deps web
	cmake --preset release >/dev/null
	cmake --build --preset release --target strava1

build-debug: deps web
	cmake --preset debug >/dev/null
	cmake --build --preset debug

## make run: install what is missing, build, and start everything at http://127.0.0.1:8080
run: build-release
	$(RELEASE_DIR)/apps/strava1/strava1 serve

## make demo: like make run, on demo data (strava1 demo, ADR 0028) generated once into DEMO_DIR
DEMO_DIR ?= build/demo
DEMO_USERS ?= 2000
DEMO_TRACKS ?= ../shared/testdata
demo: build-release
	@if [ ! -f $(DEMO_DIR)/demo-done ]; then \
		rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR) && \
		$(RELEASE_DIR)/apps/strava1/strava1 demo --users=$(DEMO_USERS) --tracks=$(DEMO_TRACKS) --data-dir=$(CURDIR)/$(DEMO_DIR) && \
		touch $(DEMO_DIR)/demo-done; \
	fi
	$(RELEASE_DIR)/apps/strava1/strava1 serve --data-dir=$(CURDIR)/$(DEMO_DIR)

## make install PREFIX=/usr/local: the release binary to PREFIX/bin and a systemd unit running it
PREFIX ?= /usr/local
DESTDIR ?=
install: build-release
	install -D -m 0755 $(RELEASE_DIR)/apps/strava1/strava1 "$(DESTDIR)$(PREFIX)/bin/strava1"
	sed 's|@BINDIR@|$(PREFIX)/bin|g' apps/strava1/strava1.service.in > $(RELEASE_DIR)/strava1.service
	install -D -m 0644 $(RELEASE_DIR)/strava1.service "$(DESTDIR)$(PREFIX)/lib/systemd/system/strava1.service"

## make test: install what is missing, build, and run every test tier against real services
test: build-debug web check-deps
	cd web && npm run typecheck && npm run lint && npm test
	scripts/with-services.sh $(MAKE) --no-print-directory test-in-services
	scripts/fuzz.sh 10

# The tiers that need PostgreSQL/Redis, run inside with-services.sh (STRAVA1_TEST_PG_DSN set).
STRAVA1_BIN_ABS := $(CURDIR)/$(DEBUG_DIR)/apps/strava1/strava1
.PHONY: test-in-services
test-in-services:
	cd $(DEBUG_DIR) && ctest --output-on-failure -j $(CTEST_JOBS) --timeout 600
	STRAVA1_BIN=$(STRAVA1_BIN_ABS) node --test --test-concurrency=1 tests/e2e/
	cd web && STRAVA1_BIN=$(STRAVA1_BIN_ABS) node --test --test-concurrency=1 tests/browser/
	$(MAKE) --no-print-directory test-firebase

# Firebase mode against the real Auth Emulator (T-31), offline; run inside scripts/with-services.sh.
.PHONY: test-firebase
test-firebase:
	STRAVA1_BIN=$(STRAVA1_BIN_ABS) node --test --test-concurrency=1 tests/firebase/

check-deps:
	/usr/bin/python3 scripts/check-deps_test.py
	/usr/bin/python3 scripts/check-deps.py

bench: deps
	scripts/deps.sh --bench
	bench/run.sh

fuzz: deps
	scripts/fuzz.sh 30

# The fuzzers for longer, and the job queue's crash test at full size (T-72: 10,000 jobs, 100 kills;
# `make test` runs it scaled down as a ctest).
check-long: deps
	scripts/fuzz.sh 600
	cmake --preset debug >/dev/null
	cmake --build --preset debug --target strava1_jobs_crashtest
	scripts/with-services.sh /usr/bin/python3 tests/jobs/crash_test.py \
		--binary=$(DEBUG_DIR)/tests/jobs/strava1_jobs_crashtest --jobs=10000 --kills=100 --rolled-back=1000

clean:
	rm -rf build web/dist
