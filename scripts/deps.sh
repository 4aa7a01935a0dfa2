#!/usr/bin/env bash
# Installs everything Strava+1 needs to build, run, test and benchmark, from Debian's packages and
# the npm registry. Idempotent: it installs only what is missing, so `make run` and `make test` can
# call it every time at almost no cost.
#
#   scripts/deps.sh            build + run + test dependencies
#   scripts/deps.sh --bench    also the benchmark peers (wrk, FastAPI stack)
set -euo pipefail
cd "$(dirname "$0")/.."

want_bench=0
for arg in "$@"; do
    case "$arg" in
        --bench) want_bench=1 ;;
        *) echo "deps.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

packages=(
    # Toolchain: C++20 on GCC 12, CMake presets, Ninja for fast incremental builds on two cores.
    g++ cmake ninja-build pkg-config make git
    # Asio coroutines + Beast (HTTP/WebSocket), Boost.JSON, Boost.URL: ARCHITECTURE.md pins 1.81.
    libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
    # libpq for our asynchronous PostgreSQL layer; the server binaries for the embedded cluster
    # (`strava1 serve` runs initdb/postgres from /usr/lib/postgresql/15/bin) and for test fixtures.
    libpq-dev postgresql-15 postgresql-client-15
    # OpenSSL 3: JWT ES256/RS256, HMAC, SHA-256, random. libsodium: argon2id password hashing.
    libssl-dev libsodium-dev
    # gzip for JSON responses and .gz uploads.
    zlib1g-dev
    # Expat: the streaming XML parser under the GPX/TCX importers (and, later, Apple Health exports).
    libexpat1-dev
    # GPSBabel: the conformance tests compare our GPX/TCX import with it (tests only, never linked).
    gpsbabel
    # Test tiers: GoogleTest/GoogleMock units, Google Benchmark micro-benchmarks.
    libgtest-dev libgmock-dev libbenchmark-dev
    # Redis for the multi-process bus (later issues) and its integration tests.
    redis-server
    # Web app build (Vite/TypeScript) and browser tests: Debian's Chromium driven by playwright-core.
    nodejs chromium
    # openssl CLI: tests mint their own RSA keys and x509 certificates for the Firebase verifier.
    openssl
    # tzdata: the IANA time zone database that profile time zones are validated against.
    tzdata
    # curl: scripts wait for readiness with it; libcurl fetches Firebase signing certificates (and,
    # in later issues, talks to FCM/APNs/S3).
    curl libcurl4-openssl-dev
    # Fuzzing (scripts/fuzz.sh, preset `fuzz`): clang-14 with libFuzzer and the sanitizer runtimes.
    clang-14 libclang-rt-14-dev
    # C++ lint (scripts/lint.sh): the pinned .clang-format and .clang-tidy are written for version 14.
    clang-format-14 clang-tidy-14
    # scripts/check-deps.py (module dependency rules) and its test: Debian's python3, stdlib only.
    # python3-yaml: the build turns docs/api/openapi.yaml into the JSON compiled into the binary.
    python3 python3-yaml
)
if [ "$want_bench" = 1 ]; then
    packages+=(
        # HTTP load generator for `make bench`.
        wrk
        # The specification's own stack as a reference peer: FastAPI + uvicorn + asyncpg.
        python3-fastapi python3-uvicorn python3-asyncpg
        # The peer verifies our ES256 tokens like we do, and runs uvicorn's standard fast setup.
        python3-jwt python3-cryptography python3-uvloop python3-httptools
        # gpxpy: the Python GPX parser the import benchmark compares against.
        python3-gpxpy
        # The epoll ceiling peer is plain C, built with gcc (already above).
    )
fi

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done
# nodejs may come from another apt source (e.g. nodesource) under the same name; npm ships with it
# there but is a separate Debian package otherwise.
if ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
    echo "deps.sh: installing ${missing[*]}"
    if [ "$(id -u)" != 0 ]; then
        sudo=sudo
    else
        sudo=
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}"; then
        $sudo apt-get update
        $sudo apt-get install -y --no-install-recommends "${missing[@]}"
    fi
fi

# Redis is started per test run by scripts/with-services.sh; the Debian service is not needed.
# Web packages: exactly the committed lockfile. Re-run only when the lockfile changed.
if [ -f web/package-lock.json ]; then
    stamp=web/node_modules/.strava1-lock-stamp
    if [ ! -f "$stamp" ] || ! cmp -s web/package-lock.json "$stamp"; then
        (cd web && npm ci --no-audit --no-fund)
        cp web/package-lock.json "$stamp"
    fi
fi

# The official Garmin FIT SDK (@garmin/fitsdk) that the FIT conformance test compares against.
if [ -f tests/fitsdk/package-lock.json ]; then
    stamp=tests/fitsdk/node_modules/.strava1-lock-stamp
    if [ ! -f "$stamp" ] || ! cmp -s tests/fitsdk/package-lock.json "$stamp"; then
        (cd tests/fitsdk && npm ci --no-audit --no-fund)
        cp tests/fitsdk/package-lock.json "$stamp"
    fi
fi

# graphile-worker, the peer of the job queue benchmark (bench/jobs), exactly as locked; only for --bench.
if [ "$want_bench" = 1 ] && [ -f bench/jobs/package-lock.json ]; then
    stamp=bench/jobs/node_modules/.strava1-lock-stamp
    if [ ! -f "$stamp" ] || ! cmp -s bench/jobs/package-lock.json "$stamp"; then
        (cd bench/jobs && npm ci --no-audit --no-fund)
        cp bench/jobs/package-lock.json "$stamp"
    fi
fi

# Firebase Auth Emulator for tests/firebase (firebase-tools, offline, no Java). --omit=optional
# leaves out re2, a native module only the hosting emulator uses (two minutes of compiling).
if [ -f tests/firebase/package-lock.json ]; then
    stamp=tests/firebase/node_modules/.strava1-lock-stamp
    if [ ! -f "$stamp" ] || ! cmp -s tests/firebase/package-lock.json "$stamp"; then
        (cd tests/firebase && npm ci --no-audit --no-fund --omit=optional)
        cp tests/firebase/package-lock.json "$stamp"
    fi
fi
