#!/usr/bin/python3
"""Runs the measurements of `make bench` and writes them as one raw JSON document.

bench/run.sh builds everything, provides a throwaway PostgreSQL and calls this script; bench/report.py
turns its output into the table and the PASS/FAIL verdicts. Standard library only (Debian python3).

Phases, in order:
  1. start `strava1 serve` on an external database (the one PostgreSQL both servers share), sign a
     user up, make a few requests, idle 2 s, read its RSS;
  2. start the peers: the epoll ceiling server and the FastAPI peer (same database, same key);
  3. maximum throughput: wrk at fixed threads/connections, GET /healthz (ours, epoll, FastAPI) and
     authenticated GET /v1/me (ours, FastAPI), one warm-up per target, then ROUNDS rounds alternating
     the targets; server CPU-seconds of each run from /proc;
  4. equal offered load: GET /v1/me on ours and FastAPI paced at PACED_FRACTION of FastAPI's
     measured maximum, ROUNDS rounds alternating;
  5. ready time: restart `strava1 serve` on its existing data dir (external database), then in the
     embedded default (no database URL: it starts its own PostgreSQL) once to create var/ and again
     timed; exec to the first 200 from GET /readyz;
  6. Google Benchmark executables (strava1_*_benchmark) with --benchmark_format=json.

Every process it starts gets its own session and is stopped by its process-group id at the end,
whatever happens. Only 127.0.0.1 is ever contacted.
"""

import argparse
import datetime
import glob
import http.client
import importlib.util
import json
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse

CLK_TCK = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Processes


class Proc:
    """A child process in its own session (process group id == pid), with its output in a file."""

    def __init__(self, name, argv, work_dir, env=None):
        self.name = name
        self.log_path = os.path.join(work_dir, f"{name}.log")
        self._log = open(self.log_path, "ab")
        self.started = time.monotonic()
        self.popen = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        self.pid = self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def stop(self, grace=30.0):
        """SIGTERM the group, wait up to `grace` s for the leader, then SIGKILL what is left."""
        if self.alive():
            _signal_group(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                log(f"{self.name} did not stop within {grace:.0f} s; killing it")
        _signal_group(self.pid, signal.SIGKILL)  # stragglers in the group (e.g. uvicorn workers)
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._log.close()
        return self.popen.returncode

    def tail(self, lines=15):
        """The end of the process's output; for a sanitizer report, its ERROR and SUMMARY lines."""
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode(errors="replace").splitlines()
        except OSError:
            return ""
        sanitizer = [l for l in text if re.match(r"==\d+==ERROR: |SUMMARY: \w+Sanitizer", l)]
        return "\n".join(sanitizer if sanitizer else text[-lines:])


def _signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _proc_stat(pid):
    """(ppid, utime+stime ticks) of one process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode(errors="replace")
    except OSError:
        return None
    fields = data[data.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), int(fields[11]) + int(fields[12])


def tree_cpu_seconds(root_pid):
    """utime+stime of a process and all its live descendants, in seconds."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _proc_stat(int(entry))
            if st is not None:
                stats[int(entry)] = st
    children = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total / CLK_TCK


def machine_cpu_seconds():
    """(user+nice+system, steal) of the whole machine in seconds, from /proc/stat. Interrupt time is
    left out: loopback traffic is handled in softirq, which the kernel charges to no process."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (fields[0] + fields[1] + fields[2]) / CLK_TCK, (fields[7] if len(fields) > 7 else 0) / CLK_TCK


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def memory_kib(pid):
    """VmRSS / VmHWM of one process (not its children), in KiB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads"):
                out[key] = int(value.split()[0])
    return out


def stop_stray_postmasters(data_dir):
    """Waits for the embedded cluster of a stopped server to finish shutting down; one still running
    after 10 s (left behind by a killed server) gets a fast shutdown, by the pid it recorded."""
    for pid_file in glob.glob(os.path.join(data_dir, "**", "postmaster.pid"), recursive=True):
        try:
            with open(pid_file) as f:
                pid = int(f.readline().strip())
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"postgres" not in f.read():
                    continue
        except (OSError, ValueError):
            continue
        if _wait_gone(pid, 10):
            continue
        log(f"PostgreSQL {pid} in {os.path.dirname(pid_file)} outlived its server; stopping it")
        try:
            os.kill(pid, signal.SIGINT)  # fast shutdown
        except ProcessLookupError:
            continue
        _wait_gone(pid, 30)


def _wait_gone(pid, seconds):
    deadline = time.monotonic() + seconds
    while os.path.exists(f"/proc/{pid}"):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


# ---------------------------------------------------------------------------------------------
# HTTP on loopback


def http_request(port, method, path, body=None, headers=None, timeout=5.0):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        payload = None if body is None else json.dumps(body).encode()
        hdrs = dict(headers or {})
        if payload is not None:
            hdrs["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=hdrs)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def read_port_file(path, proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited ({proc.popen.returncode}):\n{proc.tail()}")
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text.rsplit(":", 1)[-1])  # "PORT" or "HOST:PORT"
        except (OSError, ValueError):
            pass
        time.sleep(0.002)
    raise RuntimeError(f"{proc.name} wrote no port file within {timeout} s:\n{proc.tail()}")


def wait_http_ok(port, path, proc, timeout):
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited ({proc.popen.returncode}):\n{proc.tail()}")
        try:
            status, _ = http_request(port, "GET", path, timeout=1.0)
            if status == 200:
                return
            last = f"HTTP {status}"
        except OSError as e:
            last = str(e)
        time.sleep(0.005)
    raise RuntimeError(f"{proc.name}: GET {path} not 200 within {timeout} s ({last}):\n{proc.tail()}")


# ---------------------------------------------------------------------------------------------
# Database


def database_url(admin_dsn, dbname):
    """The admin DSN (URI or libpq key=value) pointed at another database, as a URI (asyncpg)."""
    if admin_dsn.startswith(("postgres://", "postgresql://")):
        parts = urllib.parse.urlsplit(admin_dsn)
        return urllib.parse.urlunsplit(parts._replace(path="/" + dbname))
    fields = dict(re.findall(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", admin_dsn))
    fields = {k: v.strip("'") for k, v in fields.items()}
    user = urllib.parse.quote(fields.pop("user", ""), safe="")
    password = fields.pop("password", None)
    host = fields.pop("host", HOST)
    port = fields.pop("port", "5432")
    fields.pop("dbname", None)
    auth = user + (":" + urllib.parse.quote(password, safe="") if password else "")
    auth = auth + "@" if auth else ""
    query = dict(fields)
    if host.startswith("/"):  # a Unix socket directory goes into the query, as libpq and asyncpg read it
        query.update(host=host, port=port)
        netloc = auth
    else:
        netloc = f"{auth}{host}:{port}"
    return urllib.parse.urlunsplit(("postgresql", netloc, "/" + dbname, urllib.parse.urlencode(query), ""))


def find_postmaster(dsn):
    """The pid of the PostgreSQL serving `dsn`, when it runs here and its pid file is readable
    (root, or the same user): its CPU time is reported per run, for neither side."""
    try:
        done = subprocess.run(["psql", dsn, "-X", "-At", "-c", "SHOW data_directory"], capture_output=True,
                              text=True, timeout=30, stdin=subprocess.DEVNULL, check=True)
        with open(os.path.join(done.stdout.strip(), "postmaster.pid")) as f:
            pid = int(f.readline())
        return pid if os.path.exists(f"/proc/{pid}") else None
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def psql(dsn, sql):
    subprocess.run(
        ["psql", dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


# ---------------------------------------------------------------------------------------------
# The servers


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = args.work_dir
        self.procs = []
        self.raw = {
            "meta": self._meta(),
            "runs": [],
            "rss": {},
            "ready": {},
            "google_benchmarks": [],
            "problems": [],
        }
        self.users = []
        self.seq = 0
        self.step = "setup"  # named in a problem report
        self.serve_flags = list(self.SERVE_FLAGS)
        self.postmaster_pid = None  # the shared PostgreSQL, when this user may read its pid file
        self.external_flags = list(self.EXTERNAL_FLAGS)

    def _meta(self):
        a = self.args
        cpu = ""
        try:
            with open("/proc/cpuinfo") as f:
                cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
        except OSError:
            pass
        return {
            "started_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "host": {"cpus": os.cpu_count(), "cpu_model": cpu, "kernel": platform.release(),
                     "loadavg_at_start": open("/proc/loadavg").read().split()[:3]},
            "config": {
                "duration_s": a.duration,
                "warmup_s": a.warmup,
                "rounds": a.rounds,
                "wrk_threads": a.threads,
                "wrk_connections": a.connections,
                "paced_fraction": a.paced_fraction,
                "paced_connections": a.paced_connections,
                "peer_workers": a.peer_workers,
                "peer_pool_size": a.peer_pool_size,
                "peer_session_cache_ttl_s": a.peer_session_cache_ttl,
                # uvicorn's fast paths; without them it falls back to asyncio + h11 (a slower peer).
                "peer_uvloop": importlib.util.find_spec("uvloop") is not None,
                "peer_httptools": importlib.util.find_spec("httptools") is not None,
            },
            "binary": a.binary,
            "git_revision": a.git_revision,
        }

    def finish(self):
        self.raw["meta"]["serve_flags"] = self.serve_flags + self.external_flags

    def problem(self, what):
        log(f"PROBLEM: {what}")
        self.raw["problems"].append(what)

    def start(self, name, argv, env=None):
        proc = Proc(name, argv, self.work, env)
        self.procs.append(proc)
        return proc

    def stop(self, proc, grace=30.0):
        proc.stop(grace)
        if proc in self.procs:
            self.procs.remove(proc)

    def port_file(self, name):
        self.seq += 1
        return os.path.join(self.work, f"{name}-{self.seq}.port")

    # strava1 -------------------------------------------------------------------------------

    @staticmethod
    def serve_env():
        """Our environment without STRAVA1_* settings: flags alone configure the server under test
        (in particular, no database URL reaches the embedded case)."""
        return {k: v for k, v in os.environ.items() if not k.startswith("STRAVA1_")}

    # Flags for every `strava1 serve` under test. Rate limits are raised out of reach (the limiter
    # still runs on every request, it just never refuses): the peers have none, and a 429 would count
    # as a failed request. A flag the binary does not know yet is dropped (and reported) on the
    # first start, so the bench keeps working while the server grows.
    SERVE_FLAGS = [
        "--rate-limit-user-per-minute=1000000000",
        "--rate-limit-user-burst=1000000000",
        "--rate-limit-auth-per-minute=1000000",
        "--rate-limit-auth-burst=1000000",
        "--rate-limit-probe-per-minute=1000000000",
        "--rate-limit-probe-burst=1000000000",
    ]
    # Only with --database-url: the throwaway cluster of scripts/with-services.sh runs with fsync off.
    EXTERNAL_FLAGS = ["--unsafe-allow-no-fsync=true"]

    def start_ours(self, name, data_dir, db_url, ready_timeout, binary=None):
        """Starts `strava1 serve`; returns (proc, port, seconds from exec to /readyz 200)."""
        while True:
            port_file = self.port_file(name)
            argv = [binary or self.args.binary, "serve", "--listen=127.0.0.1:0", f"--port-file={port_file}",
                    f"--data-dir={data_dir}"] + self.serve_flags
            if db_url:
                argv += [f"--database-url={db_url}"] + self.external_flags
            t0 = time.monotonic()
            proc = self.start(name, argv, self.serve_env())
            try:
                port = read_port_file(port_file, proc, ready_timeout)
                wait_http_ok(port, "/readyz", proc, max(1.0, ready_timeout - (time.monotonic() - t0)))
                return proc, port, time.monotonic() - t0
            except RuntimeError:
                self.stop(proc)
                if not self._drop_unknown_flag(proc):
                    raise

    def _drop_unknown_flag(self, proc):
        """After a failed start: drops the flag the server called an unknown setting, if it is ours."""
        text = proc.tail(40)
        for flags in (self.serve_flags, self.external_flags):
            for flag in list(flags):
                option = flag.split("=", 1)[0]
                if re.search(re.escape(option) + r"\b.*unknown setting", text):
                    flags.remove(flag)
                    self.problem(f"strava1 does not know {option}; measured without it")
                    return True
        return False

    def signup(self, port):
        n = len(self.users) + 1
        user = {
            "email": f"bench{n}-{os.getpid()}@example.test",
            "password": f"bench-password-{os.getpid()}-{n}-long-enough",
            "display_name": f"Bench User {n}",
        }
        status, body = http_request(port, "POST", "/v1/auth/signup", user, timeout=30)
        if status not in (200, 201):
            raise RuntimeError(f"POST /v1/auth/signup answered {status}: {body[:300]!r}")
        self.users.append(dict(user, port=port))
        return json.loads(body)["access_token"]

    def fresh_token(self, port):
        """A token with a full lifetime (15 min): log in again, or sign up another user."""
        user = [u for u in self.users if u["port"] == port][-1]
        try:
            # (the port is the driver's bookkeeping, not a login field)
            user = {k: v for k, v in user.items() if k != "port"}
            status, body = http_request(
                port, "POST", "/v1/auth/login",
                {"email": user["email"], "password": user["password"]}, timeout=30)
            if status == 200:
                return json.loads(body)["access_token"]
        except (OSError, ValueError, KeyError):
            pass
        return self.signup(port)

    # wrk -----------------------------------------------------------------------------------

    def wrk(self, target, endpoint, duration, token=None, rate=None):
        port, pid = target["port"], target["pid"]
        path = {"healthz": "/healthz", "me": "/v1/me", "feed": "/v1/feed"}[endpoint]
        # Paced runs get more connections: a slow server holds each one longer, and the schedule
        # must not run out of idle connections (rate x latency of them are busy at any moment).
        connections = self.args.paced_connections if rate else self.args.connections
        argv = ["wrk", f"-t{self.args.threads}", f"-c{connections}", f"-d{duration}s",
                "--timeout", "5s", "-s", self.args.wrk_script]
        env = dict(os.environ)
        if endpoint == "feed":
            # A different demo user's token on every request (bench/wrk/feed.lua), not one header.
            argv[-1] = os.path.join(os.path.dirname(self.args.wrk_script), "feed.lua")
            env["STRAVA1_BENCH_STATS_LUA"] = self.args.wrk_script
            env["STRAVA1_BENCH_TOKENS"] = token
            token = None
        if token:
            argv += ["-H", f"Authorization: Bearer {token}"]
        argv.append(f"http://{HOST}:{port}{path}")
        env.pop("STRAVA1_BENCH_RATE", None)
        if rate:
            env["STRAVA1_BENCH_RATE"] = f"{rate:.3f}"
            env["STRAVA1_BENCH_THREADS"] = str(self.args.threads)
        pg = self.postmaster_pid
        cpu0, pg0 = tree_cpu_seconds(pid), (tree_cpu_seconds(pg) if pg else None)
        (all0, steal0), wrk0 = machine_cpu_seconds(), children_cpu_seconds()
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=duration + 60)
        (all1, steal1), wrk1 = machine_cpu_seconds(), children_cpu_seconds()
        cpu = tree_cpu_seconds(pid) - cpu0
        pg_cpu = tree_cpu_seconds(pg) - pg0 if pg else None
        # CPU used by anything but this run (other builds, browsers...): the noise on the figures.
        other = (all1 - all0) - cpu - (wrk1 - wrk0) - (pg_cpu or 0.0)
        line = next((l for l in done.stdout.splitlines() if l.startswith("STRAVA1_BENCH_JSON ")), None)
        if done.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[:500]}")
        result = json.loads(line.split(" ", 1)[1])
        seconds = result["duration_us"] / 1e6
        result["rps"] = result["requests"] / seconds if seconds > 0 else 0.0
        result["server_cpu_s"] = round(cpu, 3)
        result["req_per_cpu_s"] = result["requests"] / cpu if cpu > 0 else None
        result["db_cpu_s"] = round(pg_cpu, 3) if pg_cpu is not None else None
        result["wrk_cpu_s"] = round(wrk1 - wrk0, 3)
        result["other_cpu_s"] = round(max(0.0, other), 3) if pg else None  # unknown without PG's share
        result["steal_cpu_s"] = round(steal1 - steal0, 3)
        return result

    def record(self, phase, endpoint, target_name, round_no, result, rate=None):
        entry = {"phase": phase, "endpoint": endpoint, "target": target_name, "round": round_no,
                 "offered_rps": rate, **result}
        self.raw["runs"].append(entry)
        errors = sum(result["errors"].values())
        log(f"{phase:6} {endpoint:8} {target_name:8} r{round_no}: {result['rps']:10.0f} req/s  "
            f"p50 {result['latency_us']['p50'] / 1000:7.2f} ms  p99 {result['latency_us']['p99'] / 1000:7.2f} ms  "
            f"cpu {result['server_cpu_s']:6.2f} s"
            + (f"  PG cpu {result['db_cpu_s']:6.2f} s" if result.get("db_cpu_s") is not None else "")
            + (f"  ERRORS {result['errors']}" if errors else ""))

    # phases ---------------------------------------------------------------------------------

    def run(self):
        a = self.args
        dbname = f"strava1_bench_{os.getpid()}"
        self.base_db_name = f"{dbname}_base"
        self.feed_db_name = f"{dbname}_feed"
        psql(a.admin_dsn, f'CREATE DATABASE "{dbname}"')
        db_url = database_url(a.admin_dsn, dbname)
        self.raw["meta"]["database"] = dbname
        self.postmaster_pid = find_postmaster(a.admin_dsn)
        try:
            if not a.feed_only:
                self._run(db_url)
            if a.demo_users > 0:
                self.feed_phase()
        finally:
            for proc in list(self.procs):
                self.stop(proc)
            for name in (dbname, self.base_db_name, self.feed_db_name):
                try:
                    psql(a.admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                except (subprocess.SubprocessError, OSError) as e:
                    log(f"could not drop {name}: {e}")

    def _run(self, db_url):
        a = self.args
        data_dir = os.path.join(self.work, "data-external")

        # 1. ours, first start (creates keys, runs migrations), signup, idle RSS.
        self.step = "first start (external database)"
        log("starting strava1 serve (external database)")
        ours, port, first = self.start_ours("strava1", data_dir, db_url, a.ready_timeout * 10)
        self.raw["ready"]["external_first_start_s"] = first
        self.step = "sign-up and idle RSS"
        token = self.signup(port)
        for _ in range(20):
            http_request(port, "GET", "/healthz")
            status, body = http_request(port, "GET", "/v1/me", headers={"Authorization": f"Bearer {token}"})
            if status != 200:
                raise RuntimeError(f"strava1 GET /v1/me answered {status}: {body[:300]!r}")
        me_ours = json.loads(body)
        time.sleep(2.0)
        self.raw["rss"]["external_idle"] = memory_kib(ours.pid)
        log(f"strava1 idle RSS {self.raw['rss']['external_idle']['VmRSS'] / 1024:.1f} MiB")

        # 2. peers.
        self.step = "starting the peers"
        epoll_pf = self.port_file("epoll")
        epoll = self.start("epoll", [a.epoll_server, epoll_pf, str(os.cpu_count() or 1)])
        epoll_port = read_port_file(epoll_pf, epoll, 10)
        wait_http_ok(epoll_port, "/healthz", epoll, 10)

        key_file = os.path.join(data_dir, "keys", "jwt-es256.pem")
        if not os.path.exists(key_file):
            raise RuntimeError("strava1 wrote no signing key at <data-dir>/keys/jwt-es256.pem")
        peer_pf = self.port_file("fastapi")
        peer = self.start("fastapi", [
            sys.executable, a.fastapi_peer, f"--database-url={db_url}", f"--key-file={key_file}",
            f"--port-file={peer_pf}", f"--workers={a.peer_workers}", f"--pool-size={a.peer_pool_size}",
            f"--session-cache-ttl={a.peer_session_cache_ttl}"])
        peer_port = read_port_file(peer_pf, peer, 30)
        wait_http_ok(peer_port, "/healthz", peer, 30)
        status, body = http_request(peer_port, "GET", "/v1/me", headers={"Authorization": f"Bearer {token}"})
        if status != 200 or json.loads(body).get("id") != me_ours.get("id"):
            raise RuntimeError(f"FastAPI peer GET /v1/me answered {status}: {body[:300]!r}")

        targets = {
            "ours": {"port": port, "pid": ours.pid},
            "epoll": {"port": epoll_port, "pid": epoll.pid},
            "fastapi": {"port": peer_port, "pid": peer.pid},
        }
        plan = [("healthz", ["ours", "epoll", "fastapi"]), ("me", ["ours", "fastapi"])]
        base = None
        if a.baseline_binary:
            # An earlier build, side by side in the same run: a regression shows as ours / base < 1.
            # Its own database and data dir (an older build may refuse a newer schema).
            self.step = "starting the baseline build"
            base_db = database_url(a.admin_dsn, self.base_db_name)
            psql(a.admin_dsn, f'CREATE DATABASE "{self.base_db_name}"')
            base, base_port, _ = self.start_ours("strava1-base", os.path.join(self.work, "data-base"), base_db,
                                                 a.ready_timeout * 10, binary=a.baseline_binary)
            self.signup(base_port)
            targets["base"] = {"port": base_port, "pid": base.pid}
            plan = [("healthz", ["ours", "base", "epoll", "fastapi"]), ("me", ["ours", "base", "fastapi"])]
        # /v1/me needs a token of the server asked (FastAPI verifies ours: it shares our signing key).
        token_port = {name: targets["base"]["port"] if name == "base" else port for name in targets}

        # 3. maximum throughput.
        self.step = "maximum throughput"
        for endpoint, names in plan:
            for name in names:
                token = self.fresh_token(token_port[name]) if endpoint == "me" else None
                if a.warmup > 0:
                    self.wrk(targets[name], endpoint, a.warmup, token)
            for r in range(1, a.rounds + 1):
                for name in names:
                    token = self.fresh_token(token_port[name]) if endpoint == "me" else None
                    self.record("max", endpoint, name, r, self.wrk(targets[name], endpoint, a.duration, token))

        # 4. equal offered load on /v1/me.
        self.step = "equal offered load"
        peer_max = [x["rps"] for x in self.raw["runs"]
                    if x["phase"] == "max" and x["endpoint"] == "me" and x["target"] == "fastapi"]
        rate = a.paced_fraction * statistics.median(peer_max)
        self.raw["meta"]["paced_rps"] = rate
        log(f"equal offered load: {rate:.0f} req/s ({a.paced_fraction:.0%} of FastAPI's maximum)")
        for r in range(1, a.rounds + 1):
            token = self.fresh_token(port)
            for name in ("ours", "fastapi"):
                self.record("paced", "me", name, r, self.wrk(targets[name], "me", a.duration, token, rate), rate)

        self.raw["rss"]["external_after_load"] = memory_kib(ours.pid)
        if base is not None:
            self.stop(base)
        self.stop(peer)
        self.stop(epoll)
        self.stop(ours)

        # 5. ready time on an existing data dir.
        self.step = "ready time (external database)"
        times = []
        for _ in range(a.ready_repeats):
            proc, _, seconds = self.start_ours("strava1-restart", data_dir, db_url, a.ready_timeout * 5)
            times.append(seconds)
            self.stop(proc)
        self.raw["ready"]["external_s"] = times
        log(f"ready (external database, existing data dir): {', '.join(f'{t:.3f}' for t in times)} s")
        self.embedded()

    def embedded(self):
        a = self.args
        data_dir = os.path.join(self.work, "data-embedded")
        os.makedirs(data_dir, exist_ok=True)
        os.chmod(self.work, 0o755)  # a cluster run under another uid must reach its directory
        try:
            log("starting strava1 serve (embedded PostgreSQL, first start)")
            proc, port, first = self.start_ours("strava1-embedded", data_dir, None, a.ready_timeout * 60)
            self.raw["ready"]["embedded_first_start_s"] = first
            for _ in range(20):
                http_request(port, "GET", "/healthz")
                http_request(port, "GET", "/readyz")
            time.sleep(2.0)
            self.raw["rss"]["embedded_idle"] = memory_kib(proc.pid)
            self.stop(proc, grace=60)
            stop_stray_postmasters(data_dir)
            times = []
            for _ in range(a.ready_repeats):
                proc, _, seconds = self.start_ours("strava1-embedded", data_dir, None, a.ready_timeout * 15)
                times.append(seconds)
                self.stop(proc, grace=60)
                stop_stray_postmasters(data_dir)
            self.raw["ready"]["embedded_s"] = times
            log(f"ready (embedded PostgreSQL, existing var/): {', '.join(f'{t:.3f}' for t in times)} s")
        except (RuntimeError, OSError) as e:
            self.problem(f"embedded start: {e}")
        finally:
            for proc in [p for p in self.procs if p.name == "strava1-embedded"]:
                self.stop(proc, grace=60)
            stop_stray_postmasters(data_dir)

    # the home feed on demo data ---------------------------------------------------------------

    def feed_phase(self):
        """GET /v1/feed for many demo users (ours and the FastAPI peer, same database, same run), at
        maximum throughput and, for ours, at a sustained paced load; then the fan-out of one new
        activity by an author with 10k+ followers through the real upload and job path."""
        a = self.args
        self.step = "feed: demo data"
        psql(a.admin_dsn, f'CREATE DATABASE "{self.feed_db_name}"')
        db_url = database_url(a.admin_dsn, self.feed_db_name)
        data_dir = os.path.join(self.work, "data-feed")
        os.makedirs(data_dir, exist_ok=True)
        log(f"strava1 demo --users={a.demo_users}")
        t0 = time.monotonic()
        done = subprocess.run([a.binary, "demo", f"--users={a.demo_users}", f"--tracks={a.demo_tracks}",
                               f"--data-dir={data_dir}", f"--database-url={db_url}"] + self.external_flags,
                              capture_output=True, text=True, timeout=a.demo_timeout, env=self.serve_env(),
                              stdin=subprocess.DEVNULL)
        seconds = time.monotonic() - t0
        if done.returncode != 0:
            raise RuntimeError(f"strava1 demo failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        feed = self.raw.setdefault("feed", {})
        feed["demo_users"] = a.demo_users
        feed["demo_seconds"] = round(seconds, 1)
        feed["demo_output"] = done.stdout.strip().splitlines()
        log(f"demo data in {seconds:.1f} s")

        self.step = "feed: serve and sign-ins"
        # The fan-out limit is raised so that the 10k-follower author below is fanned out on write
        # (authors already marked wide stay wide: the mark is sticky).
        flags = list(self.serve_flags)
        self.serve_flags = flags + [f"--feed-fan-out-limit={a.fan_out_followers * 10}"]
        try:
            ours, port, _ = self.start_ours("strava1-feed", data_dir, db_url, a.ready_timeout * 30)
        finally:
            self.serve_flags = flags
        readers = subprocess.run(
            ["psql", db_url, "-X", "-At", "-c",
             "SELECT u.email FROM users u JOIN LATERAL (SELECT count(*) AS n FROM follows f "
             "WHERE f.follower_id = u.id AND f.state = 'accepted') f ON f.n > 0 "
             f"WHERE u.id > 50 ORDER BY hashint8(u.id) LIMIT {a.feed_readers}"],
            capture_output=True, text=True, timeout=120, check=True).stdout.split()
        tokens = []
        for email in readers:
            status, body = http_request(port, "POST", "/v1/auth/login",
                                        {"email": email, "password": "demo-password"}, timeout=30)
            if status != 200:
                raise RuntimeError(f"demo sign-in of {email} answered {status}: {body[:200]!r}")
            tokens.append(json.loads(body)["access_token"])
        token_file = os.path.join(self.work, "feed-tokens.txt")
        with open(token_file, "w") as f:
            f.write("\n".join(tokens) + "\n")
        feed["readers"] = len(tokens)
        status, body = http_request(port, "GET", "/v1/feed", headers={"Authorization": f"Bearer {tokens[0]}"})
        if status != 200:
            raise RuntimeError(f"strava1 GET /v1/feed answered {status}: {body[:300]!r}")
        ours_items = len(json.loads(body)["items"])

        key_file = os.path.join(data_dir, "keys", "jwt-es256.pem")
        peer_pf = self.port_file("fastapi-feed")
        peer = self.start("fastapi-feed", [
            sys.executable, a.fastapi_peer, f"--database-url={db_url}", f"--key-file={key_file}",
            f"--port-file={peer_pf}", f"--workers={a.peer_workers}", f"--pool-size={a.peer_pool_size}",
            f"--session-cache-ttl={a.peer_session_cache_ttl}"])
        peer_port = read_port_file(peer_pf, peer, 30)
        wait_http_ok(peer_port, "/healthz", peer, 30)
        status, body = http_request(peer_port, "GET", "/v1/feed", headers={"Authorization": f"Bearer {tokens[0]}"})
        if status != 200:
            raise RuntimeError(f"FastAPI peer GET /v1/feed answered {status}: {body[:300]!r}")
        feed["first_page_items"] = {"ours": ours_items, "fastapi": len(json.loads(body)["items"])}

        self.step = "feed: load"
        targets = {"ours": {"port": port, "pid": ours.pid}, "fastapi": {"port": peer_port, "pid": peer.pid}}
        for name in ("ours", "fastapi"):
            if a.warmup > 0:
                self.wrk(targets[name], "feed", a.warmup, token_file)
        for r in range(1, a.rounds + 1):
            for name in ("ours", "fastapi"):
                self.record("max", "feed", name, r, self.wrk(targets[name], "feed", a.duration, token_file))
        ours_max = statistics.median(x["rps"] for x in self.raw["runs"]
                                     if x["phase"] == "max" and x["endpoint"] == "feed" and x["target"] == "ours")
        rate = a.feed_paced_fraction * ours_max
        feed["paced_rps"] = rate
        for r in range(1, a.rounds + 1):
            self.record("paced", "feed", "ours", r, self.wrk(targets["ours"], "feed", a.duration, token_file, rate),
                        rate)
        self.stop(peer)

        self.step = "feed: fan-out"
        try:
            feed["fan_out"] = self.fan_out(port, db_url)
        finally:
            self.stop(ours)

    def fan_out(self, port, db_url):
        """Uploads one activity as the demo author with the most accepted followers up to
        --fan-out-followers × 10 (unmarked as wide first) and times from the upload's request to the
        last of its feed rows."""
        def query(sql):
            return subprocess.run(["psql", db_url, "-X", "-At", "-c", sql], capture_output=True, text=True,
                                  timeout=60, check=True).stdout.strip()

        n = self.args.fan_out_followers
        row = query("SELECT f.followee_id, count(*) FROM follows f WHERE f.state = 'accepted' GROUP BY 1 "
                    f"ORDER BY count(*) >= {n} DESC, CASE WHEN count(*) >= {n} THEN count(*) ELSE -count(*) END LIMIT 1")
        author, followers = (int(x) for x in row.split("|"))
        query(f"DELETE FROM feed_wide_authors WHERE author_id = {author}")
        email = query(f"SELECT email FROM users WHERE id = {author}")
        status, body = http_request(port, "POST", "/v1/auth/login", {"email": email, "password": "demo-password"},
                                    timeout=30)
        token = json.loads(body)["access_token"]
        start = datetime.datetime.now(datetime.timezone.utc)
        points = "".join(
            f'<trkpt lat="{46.05 + i * 0.0001:.6f}" lon="{14.5 + i * 0.0001:.6f}"><ele>300</ele>'
            f'<time>{(start + datetime.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")}</time></trkpt>'
            for i in range(600))
        gpx = ('<?xml version="1.0"?><gpx version="1.1" creator="bench" xmlns="http://www.topografix.com/GPX/1/1">'
               f"<trk><trkseg>{points}</trkseg></trk></gpx>").encode()
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        t0 = time.monotonic()
        conn.request("POST", "/v1/uploads?data_type=gpx", body=gpx,
                      headers={"Authorization": f"Bearer {token}", "Content-Type": "application/gpx+xml"})
        response = conn.getresponse()
        upload = json.loads(response.read())
        conn.close()
        if response.status != 201 or not upload.get("activity_ids"):
            raise RuntimeError(f"fan-out upload answered {response.status}: {upload}")
        activity = upload["activity_ids"][0]
        want = followers + 1  # every accepted follower and the author
        polls, rows = 0, 0
        deadline = t0 + 60
        while time.monotonic() < deadline:
            rows = int(query(f"SELECT count(*) FROM feed_items WHERE item_id = {activity} AND kind = 1"))
            polls += 1
            if rows >= want:
                break
            time.sleep(0.005)
        seconds = time.monotonic() - t0
        log(f"fan-out of one activity to {followers} followers: {seconds * 1000:.0f} ms ({rows}/{want} rows)")
        return {"author": author, "followers": followers, "rows": rows, "complete": rows >= want,
                "seconds": round(seconds, 3), "polls": polls}

    def google_benchmarks(self):
        pattern = os.path.join(self.args.benchmark_dir, "**", "strava1_*_benchmark")
        for exe in sorted(glob.glob(pattern, recursive=True)):
            if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
                continue
            log(f"running {os.path.relpath(exe)}")
            try:
                done = subprocess.run([exe, "--benchmark_format=json"], capture_output=True, text=True,
                                      timeout=self.args.google_timeout, stdin=subprocess.DEVNULL)
                if done.returncode != 0:
                    raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()[:300]}")
                self.raw["google_benchmarks"].append(
                    {"executable": os.path.relpath(exe), "result": json.loads(done.stdout)})
            except (subprocess.SubprocessError, RuntimeError, ValueError, OSError) as e:
                self.problem(f"{os.path.relpath(exe)}: {e}")


def main():
    p = argparse.ArgumentParser(description="Runs the `make bench` measurements (see bench/README.md).")
    p.add_argument("--binary", required=True, help="the strava1 executable")
    p.add_argument("--admin-dsn", required=True, help="a PostgreSQL DSN allowed to CREATE DATABASE")
    p.add_argument("--epoll-server", required=True)
    p.add_argument("--fastapi-peer", required=True)
    p.add_argument("--wrk-script", required=True)
    p.add_argument("--work-dir", required=True)
    p.add_argument("--out", required=True, help="where the raw JSON goes")
    p.add_argument("--benchmark-dir", default="build/release")
    p.add_argument("--duration", type=int, default=10, help="seconds per measured wrk run")
    p.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per target and endpoint")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--connections", type=int, default=64, help="wrk connections")
    p.add_argument("--paced-fraction", type=float, default=0.8)
    p.add_argument("--paced-connections", type=int, default=128, help="wrk connections when paced")
    p.add_argument("--peer-workers", type=int, default=2)
    p.add_argument("--peer-pool-size", type=int, default=8, help="asyncpg connections per worker")
    p.add_argument("--peer-session-cache-ttl", type=float, default=1.0,
                   help="seconds the FastAPI peer reuses a session check, as strava1 does")
    p.add_argument("--ready-repeats", type=int, default=3)
    p.add_argument("--ready-timeout", type=float, default=2.0,
                   help="the ready-time target; starts give up at a multiple of it")
    p.add_argument("--google-timeout", type=float, default=300)
    p.add_argument("--git-revision", default="")
    p.add_argument("--feed-only", action="store_true", help="only the feed phase (BENCH_FEED_ONLY=1)")
    p.add_argument("--demo-users", type=int, default=0, help="users of the feed phase's demo data (0: no feed phase)")
    p.add_argument("--demo-tracks", default="../shared/testdata", help="strava1 demo --tracks")
    p.add_argument("--demo-timeout", type=float, default=1500, help="seconds strava1 demo may take")
    p.add_argument("--feed-readers", type=int, default=200, help="demo users signed in for GET /v1/feed")
    p.add_argument("--feed-paced-fraction", type=float, default=0.5,
                   help="sustained load of the feed phase, as a fraction of our measured maximum")
    p.add_argument("--fan-out-followers", type=int, default=10000, help="followers of the fan-out author (at least)")
    p.add_argument("--baseline-binary", default="",
                   help="an earlier strava1 build measured beside this one (healthz and /v1/me maximum throughput)")
    args = p.parse_args()

    # SIGTERM (from `timeout` or a parent) unwinds like Ctrl-C, so every child is stopped.
    def on_term(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)

    bench = Bench(args)
    status = 0
    try:
        bench.run()
    except KeyboardInterrupt as e:
        bench.problem(f"{bench.step}: interrupted ({e})")
        status = 130
    except (RuntimeError, OSError, subprocess.SubprocessError, ValueError, KeyError) as e:
        bench.problem(f"{bench.step}: {type(e).__name__}: {e}")
        status = 1
    finally:
        for proc in list(bench.procs):
            bench.stop(proc)
    if status == 0 and not args.feed_only:
        try:
            bench.google_benchmarks()
        except KeyboardInterrupt as e:
            bench.problem(f"interrupted ({e})")
            status = 130
    bench.finish()
    bench.raw["meta"]["finished_utc"] = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    with open(args.out, "w") as f:
        json.dump(bench.raw, f, indent=1)
    return status


if __name__ == "__main__":
    sys.exit(main())
