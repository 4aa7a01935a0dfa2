// The pure core of GPS recording: which fixes to keep (accuracy, GPS jumps), when the athlete has
// stopped (auto-pause), and the running totals. No browser APIs here, so all of it is unit-tested;
// session.ts feeds it from navigator.geolocation and persists what it keeps.
import { haversineM, type LatLng } from '../geo';

/** One position report, as the Geolocation API gives it. */
export interface Fix {
    /** Milliseconds since the Unix epoch (GeolocationPosition.timestamp). */
    time_ms: number;
    lat: number;
    lng: number;
    /** Uncertainty radius in metres, as the browser reports it (about 95 % confidence). */
    accuracy_m: number;
    altitude_m: number | null;
}

/** A kept fix: numbered in arrival order and tagged with the stretch between two manual pauses. */
export interface TrackPoint extends Fix {
    seq: number;
    segment: number;
    /** The first point after an auto-pause: the time since the previous point was not moving time. */
    after_pause?: boolean;
}

const at = (fix: Fix): LatLng => [fix.lat, fix.lng];

export type FixVerdict = { accept: true; reanchored: boolean } | { accept: false; reason: 'inaccurate' | 'stale' | 'jump' };

export interface FixFilterOptions {
    /** Fixes less certain than this are dropped (phones report 3–10 m outdoors, 50+ m indoors). */
    maxAccuracyM?: number;
    /** Faster than this from the last kept fix, beyond both fixes' uncertainty, is a jump. */
    maxSpeedMps: number;
    /** This many mutually consistent "jumps" in a row mean the kept fix was the outlier. */
    confirmAfter?: number;
}

/**
 * Drops inaccurate, out-of-order and implausibly far fixes. A jump is judged against the last
 * kept fix; if the following fixes agree with the "jump" rather than with it, the filter moves
 * its anchor there (a bad first fix must not lock the recording out).
 */
export class FixFilter {
    private readonly maxAccuracyM: number;
    private readonly maxSpeedMps: number;
    private readonly confirmAfter: number;
    private anchor: Fix | null = null;
    private candidates: Fix[] = [];

    constructor(options: FixFilterOptions) {
        this.maxAccuracyM = options.maxAccuracyM ?? 30;
        this.maxSpeedMps = options.maxSpeedMps;
        this.confirmAfter = options.confirmAfter ?? 3;
    }

    /** Starts judging from `fix` (e.g. the last persisted point after a reload). */
    reset(fix: Fix | null = null): void {
        this.anchor = fix;
        this.candidates = [];
    }

    private plausible(from: Fix, to: Fix): boolean {
        const dt = (to.time_ms - from.time_ms) / 1000;
        return haversineM(at(from), at(to)) <= this.maxSpeedMps * dt + from.accuracy_m + to.accuracy_m;
    }

    check(fix: Fix): FixVerdict {
        if (!Number.isFinite(fix.accuracy_m) || fix.accuracy_m > this.maxAccuracyM || !Number.isFinite(fix.lat) || !Number.isFinite(fix.lng)) {
            return { accept: false, reason: 'inaccurate' };
        }
        const anchor = this.anchor;
        if (anchor === null) {
            this.anchor = fix;
            return { accept: true, reanchored: false };
        }
        if (fix.time_ms <= anchor.time_ms) {
            return { accept: false, reason: 'stale' };
        }
        if (this.plausible(anchor, fix)) {
            this.anchor = fix;
            this.candidates = [];
            return { accept: true, reanchored: false };
        }
        const last = this.candidates[this.candidates.length - 1];
        this.candidates = last && fix.time_ms > last.time_ms && this.plausible(last, fix) ? [...this.candidates, fix] : [fix];
        if (this.candidates.length >= this.confirmAfter) {
            this.anchor = fix;
            this.candidates = [];
            return { accept: true, reanchored: true };
        }
        return { accept: false, reason: 'jump' };
    }
}

export interface AutoPauseOptions {
    /** Below this speed over the window, the athlete has stopped. */
    thresholdMps: number;
    windowS?: number;
    /** Moving again needs this multiple of the threshold, so walking off slowly does not flicker. */
    resumeFactor?: number;
}

/**
 * Stopped or moving, from the straight-line displacement over the last few seconds (GPS noise
 * while standing still wanders around a point, so summing it would look like movement).
 */
export class AutoPause {
    private readonly thresholdMps: number;
    private readonly windowMs: number;
    private readonly resumeFactor: number;
    private recent: Fix[] = [];
    paused = false;

    constructor(options: AutoPauseOptions) {
        this.thresholdMps = options.thresholdMps;
        this.windowMs = (options.windowS ?? 5) * 1000;
        this.resumeFactor = options.resumeFactor ?? 1.5;
    }

    reset(): void {
        this.recent = [];
        this.paused = false;
    }

    /** Takes a fix that passed the filter; answers whether the athlete is stopped now. */
    update(fix: Fix): boolean {
        this.recent.push(fix);
        // Keep the newest fix that is at least a window old as the base of the measurement.
        while (this.recent.length > 2 && fix.time_ms - this.recent[1]!.time_ms >= this.windowMs) {
            this.recent.shift();
        }
        const base = this.recent[0]!;
        const span = fix.time_ms - base.time_ms;
        if (span < this.windowMs) {
            return this.paused;
        }
        const speed = haversineM(at(base), at(fix)) / (span / 1000);
        this.paused = this.paused ? speed < this.thresholdMps * this.resumeFactor : speed < this.thresholdMps;
        return this.paused;
    }
}

export interface Totals {
    distance_m: number;
    /** Time between kept points of a stretch, auto-pauses left out. */
    moving_s: number;
    elevation_gain_m: number;
    altitude_m: number | null;
    points: number;
}

export interface TrackerOptions {
    maxSpeedMps: number;
    autoPauseMps: number;
    maxAccuracyM?: number;
    /** Climbs smaller than this are altimeter noise (GPS altitude wanders by metres). */
    elevationNoiseM?: number;
}

export type Offer =
    | { kind: 'rejected'; reason: 'inaccurate' | 'stale' | 'jump' }
    /** The athlete is stopped; the fix is not kept. */
    | { kind: 'auto-paused' }
    | { kind: 'kept'; point: TrackPoint };

/** Filter + auto-pause + totals: what a recording does with each fix. */
export class Tracker {
    private readonly filter: FixFilter;
    private readonly autoPause: AutoPause;
    private readonly noiseM: number;
    private last: TrackPoint | null = null;
    private afterAutoPause = false;
    private elevationRef: number | null = null;
    private nextSeq = 0;
    segment = 0;
    totals: Totals = { distance_m: 0, moving_s: 0, elevation_gain_m: 0, altitude_m: null, points: 0 };

    constructor(options: TrackerOptions) {
        this.filter = new FixFilter({ maxSpeedMps: options.maxSpeedMps, ...(options.maxAccuracyM === undefined ? {} : { maxAccuracyM: options.maxAccuracyM }) });
        this.autoPause = new AutoPause({ thresholdMps: options.autoPauseMps });
        this.noiseM = options.elevationNoiseM ?? 3;
    }

    get autoPaused(): boolean {
        return this.autoPause.paused;
    }

    /** Rebuilds the totals from persisted points (after a reload); fixes then continue from the last. */
    restore(points: readonly TrackPoint[]): void {
        for (const point of points) {
            this.add(point);
        }
        const last = points[points.length - 1];
        this.nextSeq = last ? last.seq + 1 : 0;
        this.segment = last ? last.segment : 0;
        this.filter.reset(this.last);
    }

    /** A manual resume: a new stretch that does not count the way from where the pause began. */
    newSegment(): void {
        if (this.last !== null) {
            this.segment = this.last.segment + 1;
        }
        this.autoPause.reset();
        this.afterAutoPause = false;
    }

    offer(fix: Fix): Offer {
        const verdict = this.filter.check(fix);
        if (!verdict.accept) {
            return { kind: 'rejected', reason: verdict.reason };
        }
        if (verdict.reanchored) {
            // The fixes before were the outlier: start a stretch here rather than draw the jump.
            this.newSegment();
        }
        if (this.autoPause.update(fix)) {
            this.afterAutoPause = true;
            return { kind: 'auto-paused' };
        }
        const point: TrackPoint = { ...fix, seq: this.nextSeq++, segment: this.segment };
        if (this.afterAutoPause) {
            point.after_pause = true;
            this.afterAutoPause = false;
        }
        this.add(point);
        return { kind: 'kept', point };
    }

    private add(point: TrackPoint): void {
        const last = this.last;
        if (last !== null && last.segment === point.segment) {
            this.totals.distance_m += haversineM(at(last), at(point));
            if (!point.after_pause) {
                this.totals.moving_s += Math.max(0, (point.time_ms - last.time_ms) / 1000);
            }
        }
        if (point.altitude_m !== null && Number.isFinite(point.altitude_m)) {
            if (this.elevationRef === null || point.altitude_m < this.elevationRef - this.noiseM) {
                this.elevationRef = point.altitude_m;
            } else if (point.altitude_m > this.elevationRef + this.noiseM) {
                this.totals.elevation_gain_m += point.altitude_m - this.elevationRef;
                this.elevationRef = point.altitude_m;
            }
            this.totals.altitude_m = point.altitude_m;
        }
        this.totals.points += 1;
        this.last = point;
    }
}

/** The track as the live map draws it: one line per stretch between manual pauses. */
export interface TrackLines {
    lines: LatLng[][];
    /** The segment the last line belongs to (-1 before any point). */
    segment: number;
}

export const kNoTrack: TrackLines = { lines: [], segment: -1 };

/**
 * The track with one more point: a new array for the lines and for the line that grew (so a
 * view keyed on identity redraws), the earlier lines shared as they are.
 */
export function extendTrack(track: TrackLines, point: Pick<TrackPoint, 'lat' | 'lng' | 'segment'>): TrackLines {
    const at: LatLng = [point.lat, point.lng];
    if (track.lines.length === 0 || point.segment !== track.segment) {
        return { lines: [...track.lines, [at]], segment: point.segment };
    }
    const lines = track.lines.slice();
    lines[lines.length - 1] = [...lines[lines.length - 1]!, at];
    return { lines, segment: track.segment };
}

export function trackOf(points: readonly TrackPoint[]): TrackLines {
    let track = kNoTrack;
    for (const point of points) {
        track = extendTrack(track, point);
    }
    return track;
}
