// Kilometre (or mile) marks along a route from its distance stream: where the route crosses each
// whole unit, interpolated between the two samples around it.
import type { Sample } from '../charts';
import type { LatLng } from '../geo';

export interface DistanceMark {
    /** The distance in the user's unit: 1, 2, 3 … (or 5, 10, 15 … on long routes). */
    value: number;
    at: LatLng;
}

/** Marks every 1, 2, 5, 10, 20, 50 … units: the smallest step that keeps at most `maxMarks` of them. */
export function markStep(totalUnits: number, maxMarks: number): number {
    for (let magnitude = 1; ; magnitude *= 10) {
        for (const factor of [1, 2, 5]) {
            const candidate = factor * magnitude;
            if (totalUnits / candidate <= maxMarks) {
                return candidate;
            }
        }
    }
}

/**
 * The marks of a route: `distance` in metres and `latlng` index for index (the API's streams,
 * nulls where a sample has none); `unitM` is 1000 for km or 1609.344 for miles. Samples without
 * both are skipped, and a mark falls only between two samples that have both.
 */
export function distanceMarks(distance: readonly Sample[], latlng: readonly (readonly number[] | null)[], unitM: number, maxMarks = 30): DistanceMark[] {
    const samples: { d: number; at: LatLng }[] = [];
    const n = Math.min(distance.length, latlng.length);
    for (let i = 0; i < n; i++) {
        const d = distance[i];
        const p = latlng[i];
        if (typeof d === 'number' && Number.isFinite(d) && p && p.length >= 2) {
            samples.push({ d, at: [p[0]!, p[1]!] });
        }
    }
    if (samples.length < 2) {
        return [];
    }
    const total = samples[samples.length - 1]!.d / unitM;
    if (!(total >= 1)) {
        return [];
    }
    const every = markStep(total, maxMarks);
    const marks: DistanceMark[] = [];
    let next = every;
    for (let i = 1; i < samples.length; i++) {
        const a = samples[i - 1]!;
        const b = samples[i]!;
        while (b.d >= next * unitM && b.d > a.d) {
            const target = next * unitM;
            // Distances never decrease along a route; a flat stretch (b.d == a.d) cannot hold a mark.
            if (target >= a.d) {
                const t = (target - a.d) / (b.d - a.d);
                marks.push({ value: next, at: [a.at[0] + (b.at[0] - a.at[0]) * t, a.at[1] + (b.at[1] - a.at[1]) * t] });
            }
            next += every;
        }
    }
    return marks;
}
