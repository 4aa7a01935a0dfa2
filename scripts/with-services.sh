#!/usr/bin/env bash
# Runs a command next to a throwaway PostgreSQL and Redis, then removes both.
#
#   scripts/with-services.sh <command> [args...]
#
# Starts PostgreSQL (a fresh initdb in a temporary directory, TCP on 127.0.0.1 only, trust
# authentication on loopback only, no fsync: a test cluster) and Redis (no persistence), both on free
# random ports, and exports for the command:
#
#   STRAVA1_TEST_PG_DSN=postgresql://postgres@127.0.0.1:<port>/postgres
#   STRAVA1_TEST_REDIS_URL=redis://127.0.0.1:<port>/0
#
# Exits with the command's status. Whatever happens (the command fails, Ctrl-C, SIGTERM), both
# servers are stopped and the temporary directories removed. Safe to run several times at once.
# As root, PostgreSQL runs as the `postgres` system user (it refuses to run as root).
# STRAVA1_SERVICES_TIMEOUT (seconds, default 30) bounds each server's start.
# shellcheck disable=SC2317  # clean-up functions are called from traps
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 <command> [args...]" >&2
    exit 2
fi

readonly timeout_s="${STRAVA1_SERVICES_TIMEOUT:-30}"
readonly pg_user=postgres
readonly max_attempts=5

log() { echo "with-services: $*" >&2; }
die() {
    log "$*"
    exit 1
}

# ----- tools

has_server_binaries() { [[ -x "$1/postgres" && -x "$1/initdb" && -x "$1/pg_ctl" && -x "$1/pg_isready" ]]; }

find_pg_bin() {
    local dir
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [[ -n "$dir" ]] && has_server_binaries "$dir"; then
        echo "$dir"
        return
    fi
    # Debian installs major versions side by side; take the newest complete one.
    while IFS= read -r dir; do
        if has_server_binaries "$dir"; then
            echo "$dir"
            return
        fi
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5 -rn)
    return 1
}

pg_bin="$(find_pg_bin)" || die "PostgreSQL server binaries not found: install the Debian package postgresql-15"
command -v redis-server >/dev/null || die "redis-server not found: install the Debian package redis-server"
command -v redis-cli >/dev/null || die "redis-cli not found: install the Debian package redis-tools"

if [[ $EUID -eq 0 ]]; then
    id -u "$pg_user" >/dev/null 2>&1 ||
        die "running as root, but there is no '$pg_user' system user to run PostgreSQL as: install postgresql-15"
    as_pg() { runuser -u "$pg_user" -- "$@"; }
else
    as_pg() { "$@"; }
fi

# A port nothing listens on right now, chosen by the kernel. Another process may take it before our
# server binds it; the callers retry with a new port when that happens.
free_port() {
    if command -v python3 >/dev/null 2>&1 &&
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
            2>/dev/null; then
        return
    fi
    local port
    for _ in $(seq 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    return 1
}

deadline_passed() { [[ $SECONDS -ge $1 ]]; }

# ----- clean-up: runs on every exit path

work_dir=""
pg_dir=""
redis_pid=""
cmd_pid=""

stop_postgres() {
    [[ -n "$pg_dir" && -f "$pg_dir/data/postmaster.pid" ]] || return 0
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w -t 20 stop >/dev/null 2>&1 ||
        as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
    if [[ -f "$pg_dir/data/postmaster.pid" ]]; then
        local pid
        pid="$(head -n1 "$pg_dir/data/postmaster.pid" 2>/dev/null || true)"
        if [[ "$pid" =~ ^[0-9]+$ ]]; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
}

stop_redis() {
    [[ -n "$redis_pid" ]] || return 0
    kill -TERM "$redis_pid" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while kill -0 "$redis_pid" 2>/dev/null && ! deadline_passed "$deadline"; do
        sleep 0.1
    done
    kill -KILL "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    redis_pid=""
}

# Forwards a signal to the command and gives it a moment to exit before it is killed.
stop_command() {
    local signal="$1"
    [[ -n "$cmd_pid" ]] || return 0
    kill -s "$signal" "$cmd_pid" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while kill -0 "$cmd_pid" 2>/dev/null && ! deadline_passed "$deadline"; do
        sleep 0.1
    done
    kill -KILL "$cmd_pid" 2>/dev/null || true
    wait "$cmd_pid" 2>/dev/null || true
    cmd_pid=""
}

cleanup() {
    local status=$?
    trap '' INT TERM HUP # a second Ctrl-C must not cut the clean-up short
    set +e
    stop_command TERM
    stop_redis
    stop_postgres
    [[ -n "$pg_dir" ]] && rm -rf "$pg_dir"
    [[ -n "$work_dir" ]] && rm -rf "$work_dir"
    exit "$status"
}

on_signal() {
    stop_command "$1"
    exit "$2"
}

trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

# ----- PostgreSQL

tmp_root="${TMPDIR:-/tmp}"
work_dir="$(mktemp -d "$tmp_root/strava1-services.XXXXXX")"
pg_dir="$(mktemp -d "$tmp_root/strava1-pg.XXXXXX")"
if [[ $EUID -eq 0 ]]; then
    chown "$pg_user:" "$pg_dir"
fi

locale_args=(--no-locale)
if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
    locale_args=(--locale=C.UTF-8)
fi
as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U "$pg_user" --encoding=UTF8 "${locale_args[@]}" \
    --auth-local=trust --auth-host=reject --no-sync --no-instructions >"$work_dir/initdb.log" 2>&1 ||
    die "initdb failed: $(tail -n 5 "$work_dir/initdb.log")"
# Trust, but only over the private socket and loopback.
cat >"$pg_dir/data/pg_hba.conf" <<'EOF'
local   all   all                 trust
host    all   all   127.0.0.1/32  trust
EOF
if [[ $EUID -eq 0 ]]; then
    chown "$pg_user:" "$pg_dir/data/pg_hba.conf"
fi

pg_port=""
for attempt in $(seq "$max_attempts"); do
    port="$(free_port)" || die "no free port found"
    rm -f "$pg_dir/postgres.log" # so the checks below read this attempt only
    # fsync and friends off: a test cluster that is thrown away; durability is not under test here.
    # pg_ctl -w returns when the server is ready, or at once when the postmaster exits (port taken).
    if as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t "$timeout_s" start -o "\
-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$pg_dir \
-c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null 2>&1; then
        deadline=$((SECONDS + timeout_s))
        until "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 || deadline_passed "$deadline"; do
            sleep 0.1
        done
        if "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1; then
            pg_port="$port"
            break
        fi
    fi
    stop_postgres
    if ! grep -q 'could not bind\|could not create any TCP/IP sockets' "$pg_dir/postgres.log" 2>/dev/null; then
        die "PostgreSQL did not start: $(tail -n 5 "$pg_dir/postgres.log" 2>/dev/null)"
    fi
    log "port $port was taken; retrying ($attempt/$max_attempts)"
done
[[ -n "$pg_port" ]] || die "PostgreSQL did not start: no usable port after $max_attempts attempts"

# ----- Redis

redis_port=""
mkdir -p "$work_dir/redis"
for attempt in $(seq "$max_attempts"); do
    port="$(free_port)" || die "no free port found"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
        --dir "$work_dir/redis" --logfile "$work_dir/redis.log" &
    redis_pid=$!
    deadline=$((SECONDS + timeout_s))
    while kill -0 "$redis_pid" 2>/dev/null && ! deadline_passed "$deadline"; do
        if [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]]; then
            redis_port="$port"
            break
        fi
        sleep 0.1
    done
    [[ -n "$redis_port" ]] && break
    stop_redis
    if ! grep -q 'Address already in use' "$work_dir/redis.log" 2>/dev/null; then
        die "Redis did not start: $(tail -n 5 "$work_dir/redis.log" 2>/dev/null)"
    fi
    log "port $port was taken; retrying ($attempt/$max_attempts)"
done
[[ -n "$redis_port" ]] || die "Redis did not start: no usable port after $max_attempts attempts"

# ----- the command

export STRAVA1_TEST_PG_DSN="postgresql://$pg_user@127.0.0.1:$pg_port/postgres"
export STRAVA1_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
# The test cluster runs without fsync for speed; servers started against it must be told that is intended.
export STRAVA1_UNSAFE_ALLOW_NO_FSYNC=true
log "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"

# In the background so that a signal to this script is handled at once (bash runs traps only between
# foreground commands). Background commands of a non-interactive shell start with SIGINT and SIGQUIT
# ignored; env restores the defaults so Ctrl-C still reaches the command.
set +e
env --default-signal=INT,QUIT -- "$@" &
cmd_pid=$!
wait "$cmd_pid"
status=$?
cmd_pid=""
exit "$status"
