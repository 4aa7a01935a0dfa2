// How an activity's figures read in the user's units: pace for runners, speed for cyclists.
import type { ActivitySummary, Sport } from '../api';
import { me } from '../state/session';
import { usesPace } from '../sports';
import { formatClock, formatDistance, formatElevation, formatPace, formatSpeed, formatSwimDistance, kMetresPerFoot, kMetresPerYard, type Units } from '../units';

export function currentUnits(): Units {
    return me.value?.units ?? 'metric';
}

/** The average pace or speed (moving), labelled. */
export function paceOrSpeed(activity: Pick<ActivitySummary, 'sport' | 'avg_speed_mps' | 'distance_m' | 'moving_s'>, units: Units): { label: string; value: string } {
    const speed = activity.avg_speed_mps ?? (activity.moving_s > 0 && activity.distance_m > 0 ? activity.distance_m / activity.moving_s : null);
    return speedFigure(activity.sport, speed, units);
}

export function speedFigure(sport: Sport, mps: number | null, units: Units): { label: string; value: string } {
    if (usesPace(sport)) {
        return { label: 'Pace', value: formatPace(mps, units, { swim: sport === 'swim' }) };
    }
    return { label: 'Speed', value: formatSpeed(mps, units) };
}

/** A distance as the sport counts it: swims in metres (or yards), everything else in km (or miles). */
export function sportDistance(sport: Sport, m: number | null, units: Units): string {
    return sport === 'swim' ? formatSwimDistance(m, units) : formatDistance(m, units);
}

/**
 * A signed elevation change ("+12 m", "−3 m"). Rounding decides the sign, so a tiny negative
 * change reads "0 m" and never "−0 m".
 */
export function signedElevation(deltaM: number, units: Units): string {
    const text = formatElevation(Math.abs(deltaM), units);
    const rounded = Math.round(units === 'imperial' ? deltaM / kMetresPerFoot : deltaM);
    if (rounded === 0) {
        return text;
    }
    return `${rounded > 0 ? '+' : '−'}${text}`;
}

export type PoolUnit = 'm' | 'yd';

/** The pool's unit when the device gave one, else the user's (yards for imperial users). */
export function poolUnitOf(unit: string | null | undefined, units: Units): PoolUnit {
    return unit === 'm' || unit === 'yd' ? unit : units === 'imperial' ? 'yd' : 'm';
}

/** Pace per 100 m or per 100 yd ("1:52 /100m"); "—" for no speed. */
export function formatPoolPace(mps: number | null, unit: PoolUnit): string {
    if (mps === null || !Number.isFinite(mps) || mps <= 0.05) {
        return '—';
    }
    const hundred = unit === 'yd' ? 100 * kMetresPerYard : 100;
    return `${formatClock(hundred / mps)} /100${unit}`;
}

/** A swim distance in the pool's unit ("2,300 m", "1,650 yd"). */
export function formatPoolDistance(m: number, unit: PoolUnit): string {
    return formatSwimDistance(m, unit === 'yd' ? 'imperial' : 'metric');
}

/** SWOLF: whole seconds for a length plus its strokes (null without a stroke count). */
export function swolfOf(elapsedS: number, strokes: number | null): number | null {
    return strokes === null || !Number.isFinite(elapsedS) ? null : Math.round(elapsedS) + strokes;
}

export interface SwimLengthLike {
    elapsed_s: number;
    active: boolean;
    distance_m: number;
    stroke: string | null;
    strokes: number | null;
    stroke_rate_spm: number | null;
    swolf: number | null;
}

/** Consecutive active lengths between two rests, as a swimmer reads a workout. */
export interface SwimInterval {
    /** 1-based number of the first and last length in the swim. */
    first: number;
    last: number;
    lengths: number;
    distanceM: number;
    elapsedS: number;
    /** The rest after it, 0 for the last. */
    restS: number;
    stroke: string | null;
    avgStrokes: number | null;
    avgStrokeRate: number | null;
    avgSwolf: number | null;
}

export interface SwimSummary {
    activeS: number;
    restS: number;
    activeLengths: number;
    distanceM: number;
    intervals: SwimInterval[];
}

const mean = (values: number[]): number | null => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);

/** Active and rest time, and the intervals between rests, from the lengths of a pool swim. */
export function summariseSwim(lengths: readonly SwimLengthLike[]): SwimSummary {
    const summary: SwimSummary = { activeS: 0, restS: 0, activeLengths: 0, distanceM: 0, intervals: [] };
    let current: { first: number; rows: SwimLengthLike[] } | null = null;
    const close = () => {
        if (!current) {
            return;
        }
        const rows = current.rows;
        const strokes = rows.map((r) => r.stroke);
        const swolfs = rows.map((r) => r.swolf ?? swolfOf(r.elapsed_s, r.strokes)).filter((v): v is number => v !== null);
        summary.intervals.push({
            first: current.first,
            last: current.first + rows.length - 1,
            lengths: rows.length,
            distanceM: rows.reduce((sum, r) => sum + r.distance_m, 0),
            elapsedS: rows.reduce((sum, r) => sum + r.elapsed_s, 0),
            restS: 0,
            stroke: strokes.every((s) => s === strokes[0]) ? (strokes[0] ?? null) : 'mixed',
            avgStrokes: mean(rows.map((r) => r.strokes).filter((v): v is number => v !== null)),
            avgStrokeRate: mean(rows.map((r) => r.stroke_rate_spm).filter((v): v is number => v !== null)),
            avgSwolf: mean(swolfs),
        });
        current = null;
    };
    lengths.forEach((length, i) => {
        if (length.active) {
            summary.activeS += length.elapsed_s;
            summary.activeLengths += 1;
            summary.distanceM += length.distance_m;
            if (!current) {
                current = { first: i + 1, rows: [] };
            }
            current.rows.push(length);
        } else {
            summary.restS += length.elapsed_s;
            close();
            const last = summary.intervals[summary.intervals.length - 1];
            if (last) {
                last.restS += length.elapsed_s;
            }
        }
    });
    close();
    return summary;
}

const kHeartRateZoneNames = ['Recovery', 'Endurance', 'Tempo', 'Threshold', 'VO2max'];
// Coggan's power levels.
const kPowerZoneNames = ['Active recovery', 'Endurance', 'Tempo', 'Threshold', 'VO2max', 'Anaerobic capacity', 'Neuromuscular'];

/** "Z2 Endurance": the zone's number (from 1) with its usual name when there is one. */
export function zoneName(kind: 'heart_rate' | 'power', index: number): string {
    const name = (kind === 'heart_rate' ? kHeartRateZoneNames : kPowerZoneNames)[index];
    return name ? `Z${index + 1} ${name}` : `Z${index + 1}`;
}

/** Each split's speed as a share of the fastest split's (0–1), for pace bars; 0 for no speed. */
export function splitBarShares(speedsMps: readonly (number | null)[]): number[] {
    const fastest = Math.max(0, ...speedsMps.map((v) => (v !== null && Number.isFinite(v) ? v : 0)));
    return speedsMps.map((v) => (fastest > 0 && v !== null && Number.isFinite(v) && v > 0 ? v / fastest : 0));
}

/** The durations a power curve card shows, in seconds (all of them in the server's schedule). */
export const kPowerCurveDurations = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600] as const;

/**
 * The card's rows from the server's mean-max curve (GET …/curves `power`, every duration from 1 s
 * to 5 h that fits): the durations asked for that the curve has, in their order.
 */
export function powerCurveRows(curve: readonly { duration_s: number; value: number }[], durations: readonly number[] = kPowerCurveDurations): { durationS: number; watts: number }[] {
    const byDuration = new Map(curve.map((point) => [point.duration_s, point.value]));
    return durations.flatMap((durationS) => {
        const watts = byDuration.get(durationS);
        return watts === undefined || !Number.isFinite(watts) ? [] : [{ durationS, watts }];
    });
}

/** "5 s", "2 min", "1 h" for a power-curve duration. */
export function formatDuration(seconds: number): string {
    return seconds < 60 ? `${seconds} s` : seconds < 3600 ? `${seconds / 60} min` : `${seconds / 3600} h`;
}

/**
 * Whether a viewer other than the owner is shown nothing of an activity's figures: its owner hides its
 * start and end (ADR 0008) and the whole recorded route lies in those areas, so every figure they get is
 * zero. Lists say so instead of showing zeros that read as a failed recording.
 */
export function hiddenFromViewer(
    activity: { owner: { id: number }; point_count: number; distance_m: number; elapsed_s: number },
    viewerId: number | undefined,
): boolean {
    return activity.owner.id !== viewerId && activity.point_count === 0 && activity.distance_m === 0 && activity.elapsed_s === 0;
}
