// Starts the real `strava1` binary for end-to-end and browser tests: one fresh database per server
// on the throwaway PostgreSQL from STRAVA1_TEST_PG_DSN, port 0, its own temporary data dir.
// Plain Node ESM with builtins only, so any test (node:test, web/tests/browser) can import it.
// Suites import it through kit.mjs, which adds users, requests as a user, assertProblem and the rest.
//
//   import { requireServices, startServer } from '../../tests/e2e/harness.mjs';
//   test('…', async (t) => {
//       if (!requireServices(t)) return;
//       const server = await startServer();
//       t.after(() => server.stop());
//       const res = await fetch(`${server.url}/healthz`);
//   });
//
// Environment: STRAVA1_BIN (default build/debug/apps/strava1/strava1, relative to the repo root),
// STRAVA1_TEST_PG_DSN (libpq URL of a server where we may CREATE DATABASE), STRAVA1_REQUIRE_SERVICES=1
// (a missing service fails instead of skipping), STRAVA1_TEST_KEEP=1 (keep the temporary dir and the
// database for a post-mortem), STRAVA1_TEST_START_TIMEOUT_MS (default 60000).
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const kDefaultBinary = 'build/debug/apps/strava1/strava1';
const kPollMs = 50;
const kStopTimeoutMs = 15_000;
const kMaxLogChars = 2_000_000;

/** Servers still running, killed if the test process exits without stopping them. */
const live = new Set();
// Node skips 'exit' handlers when a signal kills it; turning the usual signals into an exit makes
// Ctrl-C or with-services.sh's SIGTERM still stop every server this process started.
for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    if (process.listenerCount(signal) === 0) {
        process.once(signal, () => process.exit(status));
    }
}
process.on('exit', () => {
    for (const proc of live) {
        try {
            proc.kill('SIGKILL');
        } catch {
            // already gone
        }
    }
});

/**
 * When `ok` is false: fails with `message` under STRAVA1_REQUIRE_SERVICES=1 (CI), else skips the
 * test loudly. Also accepts a suite hook's context (which cannot skip): then only the message and
 * the return value tell the tests to skip themselves. Returns `ok`.
 * @param {import('node:test').TestContext | { name: string }} t
 */
export function requireOrSkip(t, ok, message) {
    if (ok) {
        return true;
    }
    if (process.env.STRAVA1_REQUIRE_SERVICES === '1') {
        throw new Error(`${message} (STRAVA1_REQUIRE_SERVICES=1 makes this a failure)`);
    }
    process.stderr.write(`\n*** SKIPPED "${t?.name ?? 'test'}": ${message} ***\n\n`);
    if (typeof t?.skip === 'function') {
        t.skip(message);
    }
    return false;
}

/**
 * Skips the test (loudly) when the services the harness needs are not configured, or fails it
 * when STRAVA1_REQUIRE_SERVICES=1 (CI). Returns true when the test may go on.
 * @param {import('node:test').TestContext | { name: string }} t
 */
export function requireServices(t) {
    return requireOrSkip(t, Boolean(process.env.STRAVA1_TEST_PG_DSN),
        'STRAVA1_TEST_PG_DSN is not set: run the tests under scripts/with-services.sh (or `make test`)');
}

export function binaryPath() {
    const configured = process.env.STRAVA1_BIN || kDefaultBinary;
    return isAbsolute(configured) ? configured : resolve(repoRoot, configured);
}

/** The DSN with its database replaced by `name` (libpq URL or key=value form). */
export function databaseUrl(dsn, name) {
    if (/^postgres(ql)?:\/\//.test(dsn)) {
        const url = new URL(dsn);
        url.pathname = `/${name}`;
        return url.toString();
    }
    return `${dsn} dbname=${name}`;
}

/**
 * The server's environment: ours plus `extra`, without the harness's own STRAVA1_BIN (the server
 * refuses STRAVA1_* settings it does not know; it ignores STRAVA1_TEST_* by design).
 */
export function serverEnv(extra = {}) {
    const env = { ...process.env, ...extra };
    if (!('STRAVA1_BIN' in extra)) {
        delete env.STRAVA1_BIN;
    }
    return env;
}

async function psql(dsn, sql) {
    try {
        await execFileAsync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dsn, '-c', sql], { timeout: 30_000 });
    } catch (error) {
        throw new Error(`psql failed for: ${sql}\n${error.stderr || error.message}`);
    }
}

/** True while a process with that pid exists (signal 0 probes without sending anything). */
export function processAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

export function delay(ms) {
    return new Promise((done) => setTimeout(done, ms));
}

async function readPort(portFile) {
    let text;
    try {
        text = await readFile(portFile, 'utf8');
    } catch {
        return null;
    }
    // Accept "8080", "8080\n" or "127.0.0.1:8080"; a half-written file simply reads as not yet.
    const match = /(\d+)\s*$/.exec(text);
    const port = match ? Number(match[1]) : 0;
    return port > 0 && port < 65536 ? port : null;
}

async function isReady(url) {
    try {
        const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        return response.status === 200;
    } catch {
        return false;
    }
}

/**
 * Starts `strava1 serve` on a fresh database and waits until /readyz answers 200.
 * `webDir: false` leaves out --web-dir, so the server serves the web app compiled into it.
 * @param {{ args?: string[], env?: Record<string, string>, timeoutMs?: number, webDir?: boolean }} [options]
 * @returns {Promise<{ url: string, port: number, databaseUrl: string, dataDir: string,
 *   proc: import('node:child_process').ChildProcess, logs: () => string,
 *   stop: () => Promise<{ code: number | null, signal: string | null, killed: boolean }> }>}
 */
export async function startServer({ args = [], env = {}, timeoutMs, webDir = true } = {}) {
    const dsn = process.env.STRAVA1_TEST_PG_DSN;
    if (!dsn) {
        throw new Error('STRAVA1_TEST_PG_DSN is not set; call requireServices(t) first');
    }
    const keep = process.env.STRAVA1_TEST_KEEP === '1';
    const database = `e2e_${randomBytes(8).toString('hex')}`;
    const dbUrl = databaseUrl(dsn, database);
    const tmp = await mkdtemp(join(tmpdir(), 'strava1-e2e-'));
    const dataDir = join(tmp, 'data');

    try {
        await psql(dsn, `CREATE DATABASE "${database}"`);
    } catch (error) {
        await rm(tmp, { recursive: true, force: true });
        throw error;
    }
    const server = await launch({
        cwd: tmp,
        args: [
            `--data-dir=${dataDir}`,
            `--database-url=${dbUrl}`,
            ...(webDir ? [`--web-dir=${join(repoRoot, 'web', 'dist')}`] : []),
            ...args,
        ],
        env,
        timeoutMs,
        cleanup: async () => {
            if (!keep) {
                await psql(dsn, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
                await rm(tmp, { recursive: true, force: true });
            } else {
                process.stderr.write(`[harness] kept ${tmp} and database ${database}\n`);
            }
        },
    });
    return { ...server, databaseUrl: dbUrl, dataDir };
}

/**
 * Starts `strava1 serve` in `cwd` as a person would (`strava1 serve` and nothing else but a free
 * port and a port file): the embedded PostgreSQL in `cwd/var`, the web app compiled in. Waits for
 * /readyz. `stop()` also removes the cluster folder a root run keeps outside the data dir
 * (var/pg.cluster); `cwd` itself is the caller's to remove.
 * @param {{ cwd: string, args?: string[], env?: Record<string, string>, timeoutMs?: number }} options
 */
export async function startEmbeddedServer({ cwd, args = [], env = {}, timeoutMs }) {
    const dataDir = join(cwd, 'var');
    // Read once the server is up: by the time it stops, the caller may have removed `cwd` already.
    let folder = dataDir;
    const server = await launch({
        cwd,
        args,
        env,
        timeoutMs: timeoutMs ?? Math.max(120_000, Number(process.env.STRAVA1_TEST_START_TIMEOUT_MS || 0)),
        cleanup: async () => {
            if (folder === dataDir) {
                folder = await clusterFolder(dataDir);
            }
            if (folder !== dataDir && process.env.STRAVA1_TEST_KEEP !== '1') {
                await rm(folder, { recursive: true, force: true });
            }
        },
    });
    folder = await clusterFolder(dataDir);
    return { ...server, dataDir };
}

/** Where the embedded cluster of `dataDir` lives: the folder recorded in pg.cluster, else the data dir. */
export async function clusterFolder(dataDir) {
    try {
        const recorded = (await readFile(join(dataDir, 'pg.cluster'), 'utf8')).trim();
        return recorded || dataDir;
    } catch {
        return dataDir;
    }
}

/**
 * Skips the test (loudly) when the PostgreSQL server binaries the embedded cluster runs are missing,
 * or fails it when STRAVA1_REQUIRE_SERVICES=1.
 * @param {import('node:test').TestContext} t
 */
export function requireEmbeddedPostgres(t) {
    const found = ['/usr/lib/postgresql'].some((root) => {
        try {
            return readdirSync(root).some((version) => existsSync(join(root, version, 'bin', 'initdb')));
        } catch {
            return false;
        }
    });
    return requireOrSkip(t, found, 'PostgreSQL server binaries (postgresql-15) are not installed: the embedded cluster cannot run');
}

/** Spawns `strava1 serve` in `cwd` on port 0 and waits until /readyz answers 200. */
async function launch({ cwd, args, env, timeoutMs, cleanup }) {
    const binary = binaryPath();
    if (!existsSync(binary)) {
        throw new Error(`strava1 binary not found at ${binary}: build it first (cmake --preset debug && cmake --build build/debug) or set STRAVA1_BIN`);
    }
    const startTimeoutMs = timeoutMs ?? Number(process.env.STRAVA1_TEST_START_TIMEOUT_MS || 60_000);
    const portFile = join(cwd, 'port');

    const output = [];
    let outputChars = 0;
    const capture = (chunk) => {
        if (outputChars < kMaxLogChars) {
            const text = chunk.toString('utf8');
            output.push(text);
            outputChars += text.length;
        }
    };
    const logs = () => output.join('');

    const proc = spawn(binary, ['serve', '--listen=127.0.0.1:0', `--port-file=${portFile}`, ...args], {
        cwd,
        env: serverEnv(env),
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(proc);
    proc.stdout.on('data', capture);
    proc.stderr.on('data', capture);

    /** @type {Promise<{ code: number | null, signal: string | null }>} */
    const exited = new Promise((done) => {
        proc.on('exit', (code, signal) => {
            live.delete(proc);
            done({ code, signal });
        });
        proc.on('error', (error) => {
            capture(Buffer.from(`\n[harness] spawn failed: ${error.message}\n`));
            live.delete(proc);
            done({ code: null, signal: null });
        });
    });
    let exitStatus = null;
    exited.then((status) => {
        exitStatus = status;
    });
    // 'close' comes after the output pipes drained (e.g. a sanitizer report written while dying).
    const drained = new Promise((done) => proc.on('close', done));
    const settle = async (ms) => {
        let timer;
        await Promise.race([drained, new Promise((done) => (timer = setTimeout(done, ms)))]);
        clearTimeout(timer);
    };

    let stopped = null;
    const stop = () => {
        stopped ??= (async () => {
            let killed = false;
            if (exitStatus === null) {
                proc.kill('SIGTERM');
                let timer;
                const timeout = new Promise((done) => {
                    timer = setTimeout(() => done('timeout'), kStopTimeoutMs);
                });
                const first = await Promise.race([exited, timeout]);
                clearTimeout(timer);
                if (first === 'timeout') {
                    killed = true;
                    proc.kill('SIGKILL');
                }
            }
            const status = await exited;
            await settle(2_000);
            await cleanup();
            return { ...status, killed };
        })();
        return stopped;
    };

    const deadline = Date.now() + startTimeoutMs;
    let port = null;
    let url = null;
    for (;;) {
        if (exitStatus !== null) {
            await stop();
            throw new Error(`strava1 exited during start-up (code ${exitStatus.code}, signal ${exitStatus.signal}). Output:\n${logs()}`);
        }
        port = await readPort(portFile);
        if (port !== null) {
            url = `http://127.0.0.1:${port}`;
            if (await isReady(url)) {
                break;
            }
        }
        if (Date.now() > deadline) {
            await stop();
            const stage = port === null ? `no port in ${portFile}` : `${url}/readyz never answered 200`;
            throw new Error(`strava1 did not become ready within ${startTimeoutMs} ms (${stage}). Output:\n${logs()}`);
        }
        await delay(kPollMs);
    }

    return { url, port, proc, logs, stop };
}

/**
 * One HTTP exchange with a server started here: JSON `body` (sets content-type), or `raw` bytes,
 * an optional bearer `token`; resolves with the status, headers, the body as text, parsed JSON
 * (undefined when not JSON) and raw bytes. `path` may also be an absolute URL.
 */
export async function request(baseUrl, method, path, { body, token, headers = {}, raw, redirect = 'follow' } = {}) {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload = raw;
    if (body !== undefined) {
        payload = JSON.stringify(body);
        h['content-type'] ??= 'application/json';
    }
    const res = await fetch(path.startsWith('http') ? path : `${baseUrl}${path}`, { method, headers: h, body: payload, redirect });
    const buffer = Buffer.from(await res.arrayBuffer());
    const text = buffer.toString('utf8');
    let json;
    try {
        json = text ? JSON.parse(text) : undefined;
    } catch {
        json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json, buffer };
}
