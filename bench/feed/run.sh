#!/usr/bin/env bash
# The home feed's two figures (ADR 0023) on a seeded database, at the SQL the server runs
# (features/social/src/feed_repository.cpp): the fan-out of one activity by an author with
# FOLLOWERS accepted followers (chunks of 1000, one transaction), and the latency of a feed page
# for readers who follow FOLLOWEES authors of ITEMS items each, fanned out on write (kHome) and,
# for comparison, fanned out on read (a LATERAL per followee over the authors' own items).
#
#   scripts/with-services.sh bench/feed/run.sh        # or with STRAVA1_TEST_PG_DSN set
#
# Knobs: FOLLOWERS (10000), AUTHORS (2000), FOLLOWEES (200), ITEMS (50), READERS (100), PAGES (300).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/throwaway-db.sh feed_bench
psql -qX -v ON_ERROR_STOP=1 "$dsn" \
    -v followers="${FOLLOWERS:-10000}" -v authors="${AUTHORS:-2000}" -v followees="${FOLLOWEES:-200}" \
    -v items="${ITEMS:-50}" -v readers="${READERS:-100}" -v pages="${PAGES:-300}" \
    -f bench/feed/feed.sql
