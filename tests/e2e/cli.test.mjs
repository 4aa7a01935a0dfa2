// The command line follows Unix habits: --help and COMMAND --help print usage on stdout and exit 0,
// --version prints the version; serve's help names every setting with its flag, STRAVA1_* variable
// and default, the same settings docs/architecture.md lists. On a terminal, serve's start-up ends
// with one plain line for a person; pipes and files get only the JSON log lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath, databaseUrl, repoRoot, requireServices, serverEnv, startServer, until } from './kit.mjs';

function run(...args) {
    const res = spawnSync(binaryPath(), args, { encoding: 'utf8', timeout: 30_000, cwd: tmpdir(), env: serverEnv() });
    return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** The `STRAVA1_*` names in the first column of the settings table in docs/architecture.md. */
function documentedSettings() {
    const text = readFileSync(join(repoRoot, 'docs', 'architecture.md'), 'utf8');
    const section = text.slice(text.indexOf('| Setting (env var)'));
    const rows = section.slice(0, section.indexOf('\n\n')).split('\n').slice(2);
    const names = rows.map((row) => [...row.split('|')[1].matchAll(/STRAVA1_[A-Z0-9_]+/g)].map((m) => m[0]));
    assert.deepEqual(rows.filter((_, idx) => names[idx].length === 0), [], 'every row of the settings table names its variable');
    return new Set(names.flat());
}

test('--help, help and -h print the commands on stdout and exit 0', () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
        const res = run(...args);
        assert.equal(res.status, 0, `${args}: ${res.stderr}`);
        assert.match(res.stdout, /^usage: strava1 \[COMMAND\]/);
        for (const command of ['serve', 'migrate', 'routes', 'inspect', 'import', 'user', 'version']) {
            assert.match(res.stdout, new RegExp(`^  ${command} `, 'm'));
        }
        assert.equal(res.stderr, '');
    }
});

test('--version and version print the version', () => {
    for (const args of [['--version'], ['version'], ['serve', '--version']]) {
        const res = run(...args);
        assert.equal(res.status, 0, `${args}: ${res.stderr}`);
        assert.match(res.stdout, /^strava1 \d+\.\d+\.\d+\n$/);
    }
});

test('serve --help lists every setting with its flag, variable and default, as docs/architecture.md does', () => {
    const res = run('serve', '--help');
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /^usage: strava1 serve/);
    const listed = new Map();
    for (const [, flag, placeholder, env, fallback] of res.stdout.matchAll(/^  --([a-z0-9-]+)=(\S+)  \((STRAVA1_[A-Z0-9_]+), default: ([^)]+)\)$/gm)) {
        assert.match(placeholder, /^[A-Z]+(:[A-Z]+)?$/, `--${flag}'s value is named in capitals (N, DIR, ADDRESS:PORT)`);
        assert.equal(env, `STRAVA1_${flag.toUpperCase().replaceAll('-', '_')}`, `${flag} and ${env} name the same setting`);
        listed.set(env, fallback);
    }
    // Every setting line of the help parsed (none in another shape slipped past the pattern).
    assert.equal(listed.size, res.stdout.match(/^  --/gm).length, 'every --flag line names its variable and default');
    assert.equal(listed.get('STRAVA1_LISTEN'), '127.0.0.1:8080');
    assert.equal(listed.get('STRAVA1_DATA_DIR'), 'var');
    assert.equal(listed.get('STRAVA1_DB_POOL_SIZE'), '16');
    assert.equal(listed.get('STRAVA1_METRICS_TOKEN'), 'none');
    assert.equal(listed.get('STRAVA1_DB_UNREACHABLE_LIMIT_S'), '60');

    const documented = documentedSettings();
    assert.deepEqual([...listed.keys()].filter((name) => !documented.has(name)), [], 'every setting in --help is documented');
    assert.deepEqual([...documented].filter((name) => !listed.has(name)), [], 'every documented setting is in --help');

    // And every one of them is a setting serve accepts (a typo would be refused as unknown).
    for (const env of listed.keys()) {
        const flag = env.slice('STRAVA1_'.length).toLowerCase().replaceAll('_', '-');
        const probe = run('serve', `--${flag}=x`, '--help');
        assert.equal(probe.status, 0, `--${flag} with --help`);
    }
});

test('COMMAND --help prints that command\'s usage', () => {
    for (const [command, pattern] of [
        ['serve', /^usage: strava1 serve/],
        ['migrate', /^usage: strava1 migrate[\s\S]*STRAVA1_DATABASE_URL/],
        ['routes', /^usage: strava1 routes/],
        ['inspect', /^usage: strava1 inspect/],
        ['import', /^usage: strava1 import/],
        ['user', /^usage: strava1 user grant-admin\|revoke-admin EMAIL/],
    ]) {
        const res = run(command, '--help');
        assert.equal(res.status, 0, `${command}: ${res.stderr}`);
        assert.match(res.stdout, pattern);
    }
    const unknown = run('frobnicate');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const setting = run('serve', '--no-such-setting=1');
    assert.equal(setting.status, 2);
    assert.match(setting.stderr, /--no-such-setting: unknown setting/);
});

test('serve ends its start-up with one plain line on a terminal, and only JSON lines in a pipe', async (t) => {
    if (!requireServices(t)) return;
    // A pipe: the harness's own way of starting it.
    const piped = await startServer();
    await piped.stop();
    assert.doesNotMatch(piped.logs(), /is ready at/);
    for (const line of piped.logs().trim().split('\n')) {
        assert.doesNotThrow(() => JSON.parse(line), `a JSON line: ${line}`);
    }

    // A terminal: script(1) gives the server a pseudo-terminal.
    const dir = mkdtempSync(join(tmpdir(), 'strava1-tty-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const database = `e2e_tty_${process.pid}`;
    spawnSync('psql', ['-X', '-q', '-d', process.env.STRAVA1_TEST_PG_DSN, '-c', `CREATE DATABASE "${database}"`]);
    t.after(() => spawnSync('psql', ['-X', '-q', '-d', process.env.STRAVA1_TEST_PG_DSN, '-c', `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`]));
    // `exec`: script(1) runs the line through $SHELL or /bin/sh; a non-interactive dash that stays
    // the server's parent dies of the Ctrl-C itself, and script reports that (130), not the server.
    const command = 'exec ' + [binaryPath(), 'serve', '--listen=127.0.0.1:0', `--data-dir=${join(dir, 'var')}`,
        `--database-url=${databaseUrl(process.env.STRAVA1_TEST_PG_DSN, database)}`]
        .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
    const env = serverEnv();
    const proc = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (chunk) => (output += chunk.toString('utf8')));
    const exited = new Promise((done) => proc.on('exit', done));
    t.after(() => proc.kill('SIGKILL'));
    const match = await until('the ready line', () => /Strava\+1 is ready at (http:\/\/127\.0\.0\.1:(\d+))\r?\n/.exec(output));
    const health = await fetch(`${match[1]}/healthz`);
    assert.equal(health.status, 200, 'the URL in the line is the server');
    // Ctrl-C at the terminal: the server stops cleanly.
    proc.stdin.write('\x03');
    assert.equal(await exited, 0, output);
    assert.equal(output.match(/is ready at/g).length, 1, 'one line');
});
