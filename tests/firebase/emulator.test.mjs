// End-to-end test of strava1's Firebase mode (checklist T-31) against the real Firebase Auth Emulator
// from the npm package firebase-tools, fully offline: project demo-fitness (a demo- project needs no
// credentials and makes no production calls), no login, no update check, no usage reporting.
//
//   STRAVA1_REQUIRE_SERVICES=1 scripts/with-services.sh node --test tests/firebase/
//
// Needs `npm ci --omit=optional` in tests/firebase (scripts/deps.sh does it); without it the tests skip
// loudly, or fail under STRAVA1_REQUIRE_SERVICES=1. The emulator gets a free port chosen here, a
// temporary copy of firebase.json with that port, and its own temporary config, tmp and log
// directories; its whole process group is stopped afterwards whatever happens.
// STRAVA1_TEST_EMULATOR_TIMEOUT_MS (default 120000) bounds its start.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { api, assertProblem, delay, kFastHash, kPassword, requireOrSkip, requireServices, startServer, uniqueEmail } from '../e2e/kit.mjs';

const kProject = 'demo-fitness';
const kOtherProject = 'other-project';
const kFirebaseDir = dirname(fileURLToPath(import.meta.url));
const kFirebaseTools = join(kFirebaseDir, 'node_modules', 'firebase-tools', 'package.json');
const kStartTimeoutMs = Number(process.env.STRAVA1_TEST_EMULATOR_TIMEOUT_MS || 120_000);
const kStopTimeoutMs = 15_000;
const kPollMs = 200;
const kMaxLogChars = 1_000_000;

/**
 * Skips (loudly) when firebase-tools is not installed in tests/firebase, or fails when
 * STRAVA1_REQUIRE_SERVICES=1.
 * @param {import('node:test').TestContext | { name: string }} t
 */
function requireFirebaseTools(t) {
    return requireOrSkip(t, existsSync(kFirebaseTools),
        'tests/firebase/node_modules/firebase-tools is missing: run `npm ci --omit=optional` in tests/firebase (scripts/deps.sh does it)');
}

/** A loopback port nothing listens on right now (another process may still take it before the emulator). */
function freePort() {
    return new Promise((resolve, reject) => {
        const probe = net.createServer();
        probe.unref();
        probe.on('error', reject);
        probe.listen(0, '127.0.0.1', () => {
            const { port } = probe.address();
            probe.close(() => resolve(port));
        });
    });
}

function groupAlive(pid) {
    try {
        process.kill(-pid, 0);
        return true;
    } catch (error) {
        return error.code === 'EPERM';
    }
}

function signalGroup(pid, signal) {
    try {
        process.kill(-pid, signal);
    } catch {
        // the group is gone already
    }
}

/** Emulator process groups still running (pid -> temporary dir), killed if this process exits without stopping them. */
const liveGroups = new Map();
process.on('exit', () => {
    for (const [pid, dir] of liveGroups) {
        signalGroup(pid, 'SIGKILL');
        if (process.env.STRAVA1_TEST_KEEP !== '1') {
            rmSync(dir, { recursive: true, force: true });
        }
    }
});
let exitOnSignals = false;
/**
 * The emulator runs in its own process group, so a signal to this process (Ctrl-C, with-services.sh's
 * SIGTERM) would not reach it; and Node skips 'exit' handlers when a signal kills it. Turning the
 * signals into an exit runs them: the emulator here, and the harness's server too.
 */
function exitOnSignal() {
    if (exitOnSignals) return;
    exitOnSignals = true;
    for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
        process.once(signal, () => process.exit(status));
    }
}

/** True once the Auth Emulator (and not something else that took the port) answers on `origin`. */
async function emulatorReady(origin) {
    try {
        const res = await fetch(`${origin}/`, { signal: AbortSignal.timeout(2_000) });
        const body = await res.json();
        return res.status === 200 && body?.authEmulator?.ready === true;
    } catch {
        return false;
    }
}

/**
 * Starts `firebase emulators:start --only auth` from tests/firebase with a temporary copy of
 * firebase.json on a free port, and waits until it answers.
 * @returns {Promise<{ origin: string, host: string, startMs: number, logs: () => string, stop: () => Promise<void> }>}
 */
async function startAuthEmulator() {
    const port = await freePort();
    const tmp = await mkdtemp(join(tmpdir(), 'strava1-firebase-'));
    const config = JSON.parse(await readFile(join(kFirebaseDir, 'firebase.json'), 'utf8'));
    config.emulators.auth.port = port;
    const configPath = join(tmp, 'firebase.json');
    await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
    await mkdir(join(tmp, 'config'));
    await mkdir(join(tmp, 'tmp'));

    const env = {
        ...process.env,
        // fetchMOTD (a daily message from a Google host) is skipped under CI.
        CI: 'true',
        // update-notifier-cjs (the CLI's own update check) and npm's.
        NO_UPDATE_NOTIFIER: '1',
        npm_config_update_notifier: 'false',
        // A fresh configstore: no stored login, no usage-reporting consent (so no analytics), no cached MOTD.
        XDG_CONFIG_HOME: join(tmp, 'config'),
        // The hub's locator file (hub-<project>.json) goes to os.tmpdir(): keep runs apart.
        TMPDIR: join(tmp, 'tmp'),
        // firebase-debug.log is written to the working directory otherwise, i.e. into the source tree.
        FIREBASE_DEBUG_PATH: tmp,
    };
    for (const name of ['FIREBASE_AUTH_EMULATOR_HOST', 'FIREBASE_TOKEN', 'GOOGLE_APPLICATION_CREDENTIALS', 'GCLOUD_PROJECT']) {
        delete env[name];
    }

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

    exitOnSignal();
    const started = Date.now();
    // `--no`: never install firebase-tools on the fly; only the locked copy in node_modules runs.
    // detached: the emulator gets its own process group (npx, the CLI, anything it starts), stopped as one.
    const proc = spawn('npx', ['--no', 'firebase', 'emulators:start', '--only', 'auth', '--project', kProject,
        '--config', configPath], { cwd: kFirebaseDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (proc.pid !== undefined) {
        liveGroups.set(proc.pid, tmp);
    }
    proc.stdout.on('data', capture);
    proc.stderr.on('data', capture);
    let exitStatus = null;
    const exited = new Promise((done) => {
        proc.on('exit', (code, signal) => {
            exitStatus = { code, signal };
            done();
        });
        proc.on('error', (error) => {
            capture(Buffer.from(`\n[test] spawn failed: ${error.message}\n`));
            exitStatus = { code: null, signal: null };
            done();
        });
    });

    let stopped = null;
    const stop = () => {
        stopped ??= (async () => {
            if (proc.pid !== undefined) {
                // The CLI shuts down cleanly on the first SIGTERM; whatever is left after the deadline is killed.
                signalGroup(proc.pid, 'SIGTERM');
                const deadline = Date.now() + kStopTimeoutMs;
                while (groupAlive(proc.pid) && Date.now() < deadline) {
                    await delay(100);
                }
                if (groupAlive(proc.pid)) {
                    capture(Buffer.from('\n[test] emulator did not stop after SIGTERM; killing its process group\n'));
                    signalGroup(proc.pid, 'SIGKILL');
                }
                await Promise.race([exited, delay(5_000)]);
                liveGroups.delete(proc.pid);
            }
            if (process.env.STRAVA1_TEST_KEEP === '1') {
                process.stderr.write(`[firebase test] kept ${tmp}\n`);
            } else {
                await rm(tmp, { recursive: true, force: true });
            }
        })();
        return stopped;
    };

    const origin = `http://127.0.0.1:${port}`;
    const deadline = started + kStartTimeoutMs;
    for (;;) {
        if (exitStatus !== null) {
            await stop();
            throw new Error(`the Auth Emulator exited during start-up (code ${exitStatus.code}, signal ${exitStatus.signal}). Output:\n${logs()}`);
        }
        if (await emulatorReady(origin)) {
            break;
        }
        if (Date.now() > deadline) {
            await stop();
            throw new Error(`the Auth Emulator did not answer on ${origin}/ within ${kStartTimeoutMs} ms. Output:\n${logs()}`);
        }
        await delay(kPollMs);
    }
    return { origin, host: `127.0.0.1:${port}`, startMs: Date.now() - started, logs, stop };
}

// ----- tokens

function decodePart(part) {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** An emulator-style unsigned token (alg none, empty signature) for `payload`. */
function unsignedToken(payload) {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
}

// ----- the suite

let emulator;
let server;

/** Signs a new user up through the emulator's REST API; returns its idToken and localId. */
async function emulatorSignUp(email = uniqueEmail('fb')) {
    const res = await fetch(`${emulator.origin}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake-api-key`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: kPassword, returnSecureToken: true }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, `emulator signUp: ${text}\nEmulator output:\n${emulator.logs()}`);
    const body = JSON.parse(text);
    assert.ok(body.idToken, `emulator signUp returned no idToken: ${text}`);
    return { email, idToken: body.idToken, localId: body.localId };
}

function getMe(token) {
    return api(server).as(token).get('/v1/me');
}

/** What a failed assertion shows: the exchange and the server's own logs. */
function explain(what, res) {
    return `${what}: HTTP ${res.status} ${res.text}\n--- server logs ---\n${server.logs().slice(-20_000)}`;
}

/** 401 problem+json; `reason`, when given, must match the detail so the token fails for the cause under test. */
function assertUnauthenticated(what, res, reason) {
    assertProblem(res, 401, { detail: reason, why: () => explain(what, res) });
    assert.equal(res.headers.get('www-authenticate'), 'Bearer', explain(what, res));
}

describe('Firebase mode against the Firebase Auth Emulator (T-31)', () => {
    before(async (t) => {
        if (!requireServices(t) || !requireFirebaseTools(t)) return;
        emulator = await startAuthEmulator();
        process.stderr.write(`[firebase test] Auth Emulator answered on ${emulator.origin} after ${emulator.startMs} ms\n`);
        server = await startServer({
            args: [`--firebase-project-id=${kProject}`, '--firebase-emulator=true', kFastHash],
            env: { FIREBASE_AUTH_EMULATOR_HOST: emulator.host },
        });
    });
    after(async () => {
        await server?.stop();
        await emulator?.stop();
    });

    test('an emulator ID token provisions a user once, keyed by its uid', async (t) => {
        if (!server) return t.skip('no server');
        const ana = await emulatorSignUp();
        const first = await getMe(ana.idToken);
        assert.equal(first.status, 200, explain('GET /v1/me with an emulator ID token', first));
        assert.equal(typeof first.json?.id, 'number', explain('user id', first));
        assert.equal(first.json.email, ana.email, explain('provisioned email', first));

        const second = await getMe(ana.idToken);
        assert.equal(second.status, 200, explain('second GET /v1/me', second));
        assert.equal(second.json?.id, first.json.id, explain('same user on the second call', second));

        // A different emulator account is a different user.
        const ben = await emulatorSignUp();
        const other = await getMe(ben.idToken);
        assert.equal(other.status, 200, explain('GET /v1/me for a second account', other));
        assert.equal(other.json?.email, ben.email, explain('second account email', other));
        assert.notEqual(other.json?.id, first.json.id, explain('a second account gets its own user', other));
    });

    test('a token for another project is 401', async (t) => {
        if (!server) return t.skip('no server');
        const { idToken } = await emulatorSignUp();
        const payload = decodePart(idToken.split('.')[1]);
        // Control: our own encoding of the emulator's payload, unchanged, is accepted.
        const control = await getMe(unsignedToken(payload));
        assert.equal(control.status, 200, explain('control: re-encoded emulator payload', control));

        const foreign = { ...payload, aud: kOtherProject, iss: `https://securetoken.google.com/${kOtherProject}` };
        assertUnauthenticated('token for another project', await getMe(unsignedToken(foreign)), /\baud\b/);
    });

    test('a garbage token is 401', async (t) => {
        if (!server) return t.skip('no server');
        const { idToken } = await emulatorSignUp();
        const [header, payload] = idToken.split('.');
        const garbage = [
            'garbage',
            'a.b.c',
            `${header}.${payload}`,
            `${header}.%%%.`,
            `${header}.${Buffer.from('not json').toString('base64url')}.`,
            `${Buffer.from('{"alg":"none"').toString('base64url')}.${payload}.`,
        ];
        for (const token of garbage) {
            assertUnauthenticated(`garbage token ${JSON.stringify(token)}`, await getMe(token));
        }
    });

    test('an expired token is 401', async (t) => {
        if (!server) return t.skip('no server');
        const { idToken } = await emulatorSignUp();
        const payload = decodePart(idToken.split('.')[1]);
        const now = Math.floor(Date.now() / 1000);
        const expired = { ...payload, auth_time: now - 7200, iat: now - 7200, exp: now - 3600 };
        assertUnauthenticated('token whose exp is an hour ago', await getMe(unsignedToken(expired)), /expired/);
    });
});
