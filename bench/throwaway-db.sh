# Sourced by the SQL benchmarks (bench/feed/run.sh, bench/search/run.sh): a throwaway database named
# "$1_$$" on the PostgreSQL of scripts/with-services.sh, with every migration applied, dropped on exit.
# Sets `db` (its name) and `dsn`.
: "${STRAVA1_TEST_PG_DSN:?run under scripts/with-services.sh}"
db="$1_$$"
psql -qX "$STRAVA1_TEST_PG_DSN" -c "CREATE DATABASE $db" >/dev/null
dsn="${STRAVA1_TEST_PG_DSN%/*}/$db"
trap 'psql -qX "$STRAVA1_TEST_PG_DSN" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
for f in migrations/*.sql; do
    psql -qX -v ON_ERROR_STOP=1 "$dsn" -f "$f" >/dev/null
done
