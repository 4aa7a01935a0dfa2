#!/usr/bin/env bash
# C++ lint: formatting (.clang-format, clang-format-14) and static checks (.clang-tidy, clang-tidy-14).
#
#   scripts/lint.sh              format-check the C++ files changed against HEAD (and untracked ones)
#   scripts/lint.sh --all        format-check every C++ file in the repository
#   scripts/lint.sh FILE...      format-check FILEs and run clang-tidy on the .cpp files among them
#
# clang-tidy needs the debug build's compilation database (cmake --preset debug); it checks each
# given .cpp file and, through HeaderFilterRegex, the project headers that file includes. It is slow
# (seconds per file), so it runs only on the files named. Every finding fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

clang_format=${CLANG_FORMAT:-clang-format-14}
clang_tidy=${CLANG_TIDY:-clang-tidy-14}
cxx_dirs=(libs features apps migrations tests cmake)

mode=changed
files=()
for arg in "$@"; do
    case "$arg" in
        --all) mode=all ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        -*) echo "lint.sh: unknown option $arg" >&2; exit 2 ;;
        *) files+=("$arg"); mode=given ;;
    esac
done

is_cxx() {
    case "$1" in
        *.cpp|*.cc|*.hpp|*.h|*.ipp) return 0 ;;
        *) return 1 ;;
    esac
}

format_files=()
case "$mode" in
    all)
        while IFS= read -r file; do
            format_files+=("$file")
        done < <(git ls-files -- "${cxx_dirs[@]}" | while IFS= read -r f; do is_cxx "$f" && echo "$f"; done)
        ;;
    changed)
        while IFS= read -r file; do
            [ -f "$file" ] && format_files+=("$file")
        done < <({ git diff --name-only HEAD -- "${cxx_dirs[@]}"; git ls-files --others --exclude-standard -- "${cxx_dirs[@]}"; } \
                 | sort -u | while IFS= read -r f; do is_cxx "$f" && echo "$f"; done)
        ;;
    given)
        for file in "${files[@]}"; do
            if [ ! -f "$file" ]; then
                echo "lint.sh: no such file: $file" >&2
                exit 2
            fi
            is_cxx "$file" && format_files+=("$file")
        done
        ;;
esac

status=0

if [ ${#format_files[@]} -gt 0 ]; then
    echo "lint.sh: clang-format on ${#format_files[@]} file(s)"
    if ! "$clang_format" --style=file --dry-run --Werror "${format_files[@]}"; then
        echo "lint.sh: formatting differs; fix with: $clang_format -i <file>..." >&2
        status=1
    fi
else
    echo "lint.sh: no C++ files to format-check"
fi

tidy_files=()
for file in "${files[@]}"; do
    case "$file" in
        *.cpp|*.cc) tidy_files+=("$file") ;;
    esac
done
if [ ${#tidy_files[@]} -eq 0 ]; then
    [ "$mode" = given ] && echo "lint.sh: no .cpp files given; clang-tidy skipped (headers are checked through the .cpp files that include them)"
    exit $status
fi

database=build/debug/compile_commands.json
if [ ! -f "$database" ]; then
    echo "lint.sh: $database not found; run: cmake --preset debug" >&2
    exit 2
fi
# The debug build is GCC with a precompiled header: clang cannot read GCC's .gch, so a copy of the
# database includes the header's source (cmake/asio_pch.hpp) instead, which is what the PCH contains.
mkdir -p build/lint
/usr/bin/python3 - "$database" build/lint/compile_commands.json "$PWD/cmake/asio_pch.hpp" <<'EOF'
import json, re, shlex, sys
source, target, pch_source = sys.argv[1:]
entries = json.load(open(source))
for entry in entries:
    args = entry.pop("arguments", None) or shlex.split(entry["command"])
    out, skip = [], False
    for index, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg == "-include" and index + 1 < len(args) and re.search(r"cmake_pch\.hxx$", args[index + 1]):
            out += ["-include", pch_source]
            skip = True
        elif arg != "-Winvalid-pch":
            out.append(arg)
    entry["arguments"] = out
    entry.pop("command", None)
json.dump(entries, open(target, "w"), indent=1)
EOF

for file in "${tidy_files[@]}"; do
    echo "lint.sh: clang-tidy $file"
    # -Wno-error: compiler warnings are reported as clang-diagnostic-* findings, not as a failed parse.
    if ! "$clang_tidy" -p build/lint --quiet --warnings-as-errors='*' \
            --extra-arg=-Wno-error --extra-arg=-Wno-unknown-warning-option "$file" 2> >(grep -v '^[0-9]* warnings\? generated\.$' >&2); then
        status=1
    fi
done
exit $status
