// `strava1 inspect`: parses files as an upload would, without a database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath, repoRoot } from './harness.mjs';

function inspect(...args) {
    const res = spawnSync(binaryPath(), ['inspect', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 30000 });
    return { status: res.status, lines: res.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)), stderr: res.stderr };
}

test('inspect reports what each file holds, one JSON line per file', () => {
    const res = inspect('tests/data/gpx/ride_two_segments.gpx', 'tests/data/tcx/run_two_laps.tcx');
    assert.equal(res.status, 0, res.stderr);
    const [gpx, tcx] = res.lines;
    assert.equal(gpx.type, 'gpx');
    assert.equal(gpx.activities.length, 1);
    assert.equal(gpx.activities[0].sport, 'ride');
    assert.equal(gpx.activities[0].points, 4);
    assert.equal(gpx.activities[0].start, '2024-05-01T07:30:00.000Z');
    assert.equal(tcx.type, 'tcx');
    assert.equal(tcx.activities[0].sport, 'run');
    assert.equal(tcx.activities[0].laps, 2);
    assert.equal(tcx.activities[0].device_distance_m, 2500.5);
});

test('inspect sniffs .gz and refuses what is not an activity file, naming why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strava1-inspect-'));
    try {
        const gz = join(dir, 'ride.gpx.gz');
        const gpx = spawnSync('cat', ['tests/data/gpx/ride_two_segments.gpx'], { cwd: repoRoot }).stdout;
        writeFileSync(gz, gzipSync(gpx));
        const broken = join(dir, 'broken.gpx');
        writeFileSync(broken, '<?xml version="1.0"?>\n<gpx version="1.1"><trk><trkseg><trkpt lat="95" lon="1"/></trkseg></trk></gpx>');
        const res = inspect(gz, join(repoRoot, 'README.md'), broken);
        assert.equal(res.status, 1);
        assert.equal(res.lines[0].type, 'gpx.gz');
        assert.equal(res.lines[0].activities[0].points, 4);
        assert.match(res.lines[1].error, /not a GPX, TCX or FIT file/);
        assert.match(res.lines[2].error, /line 2/);
        assert.match(res.lines[2].error, /lat/);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});

test('inspect refuses a bad value with one line naming the option, an unknown option or no file with its usage too', () => {
    for (const [args, expected] of [
        [['--repeat=0', 'x'], 'strava1 inspect: --repeat: must be an integer in 1..1000\n'],
        [['--type=kml', 'x'], 'strava1 inspect: --type: must be one of gpx, tcx, fit, gpx.gz, tcx.gz, fit.gz\n'],
        [['--bogus', 'x'], /^strava1 inspect: unknown option --bogus\n\nusage: strava1 inspect \[/],
        [[], /^usage: strava1 inspect \[--type=gpx\|tcx\|fit\|gpx\.gz\|tcx\.gz\|fit\.gz\] \[--repeat=N\] FILE\.\.\.\n/],
    ]) {
        const res = spawnSync(binaryPath(), ['inspect', ...args], { cwd: repoRoot, encoding: 'utf8' });
        assert.equal(res.status, 2, `${args}: ${res.stderr}`);
        if (expected instanceof RegExp) assert.match(res.stderr, expected);
        else assert.equal(res.stderr, expected);
        assert.equal(res.stdout, '', 'nothing on stdout');
    }
});
