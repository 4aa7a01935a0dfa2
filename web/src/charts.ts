// The arithmetic of the activity charts (SVG drawn by ui/Chart.tsx): scales, "nice" ticks, and
// line/area paths that break where samples are missing.

export type Sample = number | null | undefined;

export interface Extent {
    min: number;
    max: number;
}

/** Min and max of the finite values, or null when there are none. */
export function extent(values: readonly Sample[]): Extent | null {
    let min = Infinity;
    let max = -Infinity;
    for (const value of values) {
        if (typeof value === 'number' && Number.isFinite(value)) {
            min = Math.min(min, value);
            max = Math.max(max, value);
        }
    }
    return min <= max ? { min, max } : null;
}

/** The p-th percentile (0..1) of the finite values; charts clip at it so one spike does not flatten the rest. */
export function percentile(values: readonly Sample[], p: number): number | null {
    const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
    if (finite.length === 0) {
        return null;
    }
    const at = Math.min(finite.length - 1, Math.max(0, Math.round(p * (finite.length - 1))));
    return finite[at]!;
}

/** About `count` round tick values (1, 2 or 5 × 10^n apart) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 4): number[] {
    if (!Number.isFinite(min) || !Number.isFinite(max)) {
        return [];
    }
    if (max === min) {
        return [min];
    }
    const raw = (max - min) / Math.max(1, count);
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    // The round step nearest the raw one (on a log scale), as d3's ticks choose it.
    const error = raw / magnitude;
    const step = magnitude * (error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.SQRT2 ? 2 : 1);
    const ticks: number[] = [];
    for (let value = Math.ceil(min / step) * step; value <= max + step * 1e-9; value += step) {
        // Strip floating-point dust (0.30000000000000004).
        ticks.push(Number(value.toPrecision(12)));
    }
    return ticks;
}

export interface Frame {
    width: number;
    height: number;
    x: Extent;
    y: Extent;
    /** Larger values drawn lower (pace: faster is up). */
    invertY?: boolean;
}

export function scaleX(frame: Frame, value: number): number {
    const span = frame.x.max - frame.x.min || 1;
    return ((value - frame.x.min) / span) * frame.width;
}

export function scaleY(frame: Frame, value: number): number {
    const span = frame.y.max - frame.y.min || 1;
    const clamped = Math.max(frame.y.min, Math.min(frame.y.max, value));
    const t = (clamped - frame.y.min) / span;
    return frame.invertY ? t * frame.height : (1 - t) * frame.height;
}

/**
 * The line through (xs[i], ys[i]) as an SVG path; a missing x or y ends the current run, so gaps
 * (a paused watch, a dropped sensor) show as gaps rather than as straight lines across them, and
 * so does each index in `breaks` (the streams' `breaks`: samples a privacy zone hides lie before it).
 */
export function linePath(xs: readonly Sample[], ys: readonly Sample[], frame: Frame, breaks: readonly number[] = []): string {
    const starts = new Set(breaks);
    let d = '';
    let open = false;
    const n = Math.min(xs.length, ys.length);
    for (let i = 0; i < n; i++) {
        const x = xs[i];
        const y = ys[i];
        if (starts.has(i)) {
            open = false;
        }
        if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
            open = false;
            continue;
        }
        d += `${open ? 'L' : 'M'}${scaleX(frame, x).toFixed(1)} ${scaleY(frame, y).toFixed(1)}`;
        open = true;
    }
    return d;
}

/** The line closed down to the chart's base, one closed shape per run of samples. */
export function areaPath(xs: readonly Sample[], ys: readonly Sample[], frame: Frame, breaks: readonly number[] = []): string {
    const base = frame.invertY ? 0 : frame.height;
    return linePath(xs, ys, frame, breaks)
        .split('M')
        .filter(Boolean)
        .map((run) => {
            const points = run.split('L');
            const first = points[0]!.split(' ')[0];
            const last = points[points.length - 1]!.split(' ')[0];
            return `M${first} ${base.toFixed(1)}L${run}L${last} ${base.toFixed(1)}Z`;
        })
        .join('');
}

/** The index of the sample whose x is nearest `x` (xs ascending, nulls skipped), or -1. */
export function nearestIndex(xs: readonly Sample[], x: number): number {
    let lo = 0;
    let hi = xs.length - 1;
    while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const value = xs[mid];
        if (typeof value === 'number' && value < x) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let best = -1;
    let bestDistance = Infinity;
    for (const i of [lo - 1, lo, lo + 1]) {
        const value = xs[i];
        if (typeof value === 'number' && Math.abs(value - x) < bestDistance) {
            best = i;
            bestDistance = Math.abs(value - x);
        }
    }
    return best;
}
