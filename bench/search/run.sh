#!/usr/bin/env bash
# People search at the SQL the server runs (features/accounts/src/repository.cpp, kSearchUsers, read
# from the source by statement.py so the two cannot drift; ADR 0027) on USERS generated users in a
# throwaway database: checks the plan (the dictionary's indexes, never a scan of users), then times
# QUERIES random typo'd queries (a full name, a surname or a first name with one letter dropped,
# doubled, swapped or replaced) and prints p50 / p99 / max per kind and overall, and the overall p99
# against the target.
#
#   scripts/with-services.sh bench/search/run.sh        # or with STRAVA1_TEST_PG_DSN set
#
# Knobs: USERS (100000), QUERIES (1000), LIMIT (20), TARGET_MS (10, the issue's p99).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/throwaway-db.sh search_bench
statement=$(/usr/bin/python3 bench/search/statement.py features/accounts/src/repository.cpp)
settings=$(/usr/bin/python3 bench/search/statement.py features/accounts/src/repository.cpp kSetSearchSettings)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
psql -qX -v ON_ERROR_STOP=1 "$dsn" -v users="${USERS:-100000}" -v queries="${QUERIES:-1000}" \
    -v lim="${LIMIT:-20}" -v target_ms="${TARGET_MS:-10}" -v statement="$statement" -v settings="$settings" -f bench/search/search.sql
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
