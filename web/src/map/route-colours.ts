// A route coloured by one quantity (pace, heart rate, power, elevation): the values per point,
// a scale that clips outliers, and the route cut into runs of one colour each, so the map draws
// a few dozen paths rather than one per segment. Pure; the map only draws what this returns.
import { percentile, type Sample } from '../charts';
import type { LatLng } from '../geo';

export type RouteMetric = 'pace' | 'speed' | 'heartrate' | 'watts' | 'altitude';

/** The streams a coloured route reads (the API's StreamSet.streams, any subset). */
export interface RouteStreams {
    latlng?: readonly (readonly number[] | null)[];
    velocity_smooth?: readonly Sample[];
    heartrate?: readonly Sample[];
    watts?: readonly Sample[];
    altitude?: readonly Sample[];
}

/**
 * Cool to hot, nine steps: blue for easy (slow, low heart rate, low power, low ground), red for
 * hard. Each step stays distinguishable from its neighbours on both light and dark tiles.
 */
export const kRamp = ['#2c7bb6', '#0096c7', '#00b3a4', '#5cc863', '#b5d936', '#f2c318', '#f39121', '#e45a1b', '#c4281c'] as const;

/** A segment whose values are all missing (a dropped sensor): drawn, but in no colour of the scale. */
export const kNoValueColour = '#8a847b';

const streamOf: Record<RouteMetric, keyof Omit<RouteStreams, 'latlng'>> = {
    pace: 'velocity_smooth',
    speed: 'velocity_smooth',
    heartrate: 'heartrate',
    watts: 'watts',
    altitude: 'altitude',
};

/** The metrics this activity can colour its route by, in switch order; pace or speed by sport. */
export function availableMetrics(streams: RouteStreams, usesPace: boolean): RouteMetric[] {
    if (!streams.latlng?.some((p) => p !== null)) {
        return [];
    }
    const has = (metric: RouteMetric) => streams[streamOf[metric]]?.some((v) => typeof v === 'number' && Number.isFinite(v)) ?? false;
    const order: RouteMetric[] = [usesPace ? 'pace' : 'speed', 'heartrate', 'watts', 'altitude'];
    return order.filter(has);
}

/**
 * Values where higher is harder (hotter). Pace is coloured by speed, so faster is hotter whatever
 * unit the pace is shown in; standing still (< 0.5 m/s) has no pace and no colour.
 */
export function metricValues(streams: RouteStreams, metric: RouteMetric): Sample[] {
    const values = streams[streamOf[metric]] ?? [];
    if (metric === 'pace') {
        return values.map((v) => (typeof v === 'number' && v >= 0.5 ? v : null));
    }
    return [...values];
}

export interface ColourScale {
    /** The clipped range the ramp spans (values beyond it take the end colours). */
    low: number;
    high: number;
}

/** Spans the 5th to 95th percentile, so one GPS spike or a sensor glitch does not wash the route out. */
export function colourScale(values: readonly Sample[], clip: readonly [number, number] = [0.05, 0.95]): ColourScale | null {
    const low = percentile(values, clip[0]);
    const high = percentile(values, clip[1]);
    if (low === null || high === null) {
        return null;
    }
    return { low, high };
}

/** The ramp step (0 … kRamp.length − 1) of a value; a flat scale puts everything in the middle. */
export function step(scale: ColourScale, value: number): number {
    const last = kRamp.length - 1;
    if (scale.high <= scale.low) {
        return Math.floor(last / 2);
    }
    const t = (value - scale.low) / (scale.high - scale.low);
    return Math.max(0, Math.min(last, Math.round(t * last)));
}

export interface ColouredRun {
    colour: string;
    points: LatLng[];
}

/**
 * Consecutive segments of one colour joined into a run; a run ends where the colour changes (the
 * next run starts at the same point, so the line stays unbroken) or where a position is missing
 * (a gap stays a gap) or at a break. A segment takes the mean of its two ends' values, or the one it has.
 */
export function colouredRuns(latlng: readonly (readonly number[] | null)[], values: readonly Sample[], scale: ColourScale, breaks: readonly number[] = []): ColouredRun[] {
    const runs: ColouredRun[] = [];
    const starts = new Set(breaks);
    let current: ColouredRun | null = null;
    const value = (i: number) => {
        const v = values[i];
        return typeof v === 'number' && Number.isFinite(v) ? v : null;
    };
    for (let i = 1; i < latlng.length; i++) {
        const a = latlng[i - 1];
        const b = latlng[i];
        // A break (StreamSet.breaks): hidden samples lie between, so no segment joins them.
        if (!a || !b || a.length < 2 || b.length < 2 || starts.has(i)) {
            current = null;
            continue;
        }
        const va = value(i - 1);
        const vb = value(i);
        const v = va !== null && vb !== null ? (va + vb) / 2 : (va ?? vb);
        const colour = v === null ? kNoValueColour : kRamp[step(scale, v)]!;
        const to: LatLng = [b[0]!, b[1]!];
        if (current && current.colour === colour) {
            current.points.push(to);
        } else {
            current = { colour, points: [[a[0]!, a[1]!], to] };
            runs.push(current);
        }
    }
    return runs;
}
