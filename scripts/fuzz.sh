#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang-14, ASan + UBSan) and runs each of them for a
# time budget. Fails if any target finds a crash, a leak, a timeout or an out-of-memory input; the
# offending inputs are copied to tests/fuzz/crashes/<name>/ (not committed).
#
#   scripts/fuzz.sh [SECONDS] [NAME...]
#     SECONDS  budget per target (default 30); 0 only replays the seed corpus (a regression run)
#     NAME     run only these targets (tests/fuzz/<NAME>_fuzz.cpp); default: all of them
#
# Per target: seeds come from tests/fuzz/corpus/<name>/ (read only), new coverage is kept between
# runs in build/fuzz/corpus/<name>/, the full libFuzzer output goes to build/fuzz/logs/<name>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
    echo "usage: scripts/fuzz.sh [SECONDS] [NAME...]" >&2
    exit 2
fi
shift $(( $# > 0 ? 1 : 0 ))

if ! command -v clang++-14 >/dev/null 2>&1; then
    echo "fuzz.sh: clang++-14 not found; run scripts/deps.sh (it installs clang-14 and libclang-rt-14-dev)" >&2
    exit 2
fi

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for source in tests/fuzz/*_fuzz.cpp; do
        [ -e "$source" ] || continue
        name=$(basename "$source" _fuzz.cpp)
        names+=("$name")
    done
fi
if [ ${#names[@]} -eq 0 ]; then
    echo "fuzz.sh: no tests/fuzz/*_fuzz.cpp targets" >&2
    exit 2
fi
for name in "${names[@]}"; do
    if [ ! -f "tests/fuzz/${name}_fuzz.cpp" ]; then
        echo "fuzz.sh: no such target: tests/fuzz/${name}_fuzz.cpp" >&2
        exit 2
    fi
done

build=build/fuzz
mkdir -p "$build"
if ! cmake --preset fuzz >"$build/configure.log" 2>&1; then
    cat "$build/configure.log" >&2
    exit 1
fi
cmake --build --preset fuzz

# Leaks count as findings (ASan's default); UBSan findings already abort (-fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

passed=0
failed=0
for name in "${names[@]}"; do
    exe=$build/tests/fuzz/strava1_${name}_fuzz
    seeds=tests/fuzz/corpus/$name
    work=$build/corpus/$name
    artifacts=$build/artifacts/$name
    log=$build/logs/$name.log
    rm -rf "$artifacts"
    mkdir -p "$work" "$artifacts" "$(dirname "$log")"

    args=(-timeout=25 -rss_limit_mb=2560 -print_final_stats=1 "-artifact_prefix=$artifacts/")
    if [ -f "tests/fuzz/$name.dict" ]; then
        args+=("-dict=tests/fuzz/$name.dict")
    fi
    if [ "$seconds" -eq 0 ]; then
        args+=(-runs=0)
    else
        args+=("-max_total_time=$seconds")
    fi

    echo "fuzz.sh: $name for ${seconds}s (log: $log)"
    status=0
    # libFuzzer stops itself after the budget; the outer limit only catches a wedged process.
    timeout --signal=KILL $((seconds + 120)) "$exe" "${args[@]}" "$work" "$seeds" >"$log" 2>&1 || status=$?

    findings=("$artifacts"/*)
    if [ "$status" -eq 0 ] && [ ! -e "${findings[0]}" ]; then
        grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' "$log" | sed 's/^/    /' || true
        passed=$((passed + 1))
        continue
    fi

    failed=$((failed + 1))
    echo "fuzz.sh: $name FAILED (exit $status); end of $log:" >&2
    tail -n 40 "$log" | sed 's/^/    /' >&2
    if [ -e "${findings[0]}" ]; then
        mkdir -p "tests/fuzz/crashes/$name"
        cp "${findings[@]}" "tests/fuzz/crashes/$name/"
        for finding in "${findings[@]}"; do
            kept=tests/fuzz/crashes/$name/$(basename "$finding")
            echo "fuzz.sh: finding saved as $kept" >&2
            echo "    reproduce: $exe $kept" >&2
        done
        echo "fuzz.sh: once fixed, add each input to tests/fuzz/corpus/$name/ (with a telling file name) as a" \
             "regression file, so every later run replays it." >&2
    fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
