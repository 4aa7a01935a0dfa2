// What the app knows about each sport: its label, whether it is shown as pace or speed, and the
// speeds the recorder uses to tell stopping and GPS glitches apart from moving.
import type { Sport } from './api';

interface SportInfo {
    label: string;
    /** Runners and walkers think in minutes per km; cyclists in km/h. */
    pace: boolean;
    /** Below this (m/s) for a few seconds, the recorder auto-pauses. */
    autoPauseMps: number;
    /** Faster than this (m/s) between two fixes is a GPS jump, not movement. */
    maxSpeedMps: number;
}

// Limits with a margin over the fastest humans do: sprinters reach ~12.4 m/s, downhill cyclists
// and skiers far more, and a "jump" is usually tens of metres within a second.
const kSports: Record<Sport, SportInfo> = {
    run: { label: 'Run', pace: true, autoPauseMps: 0.8, maxSpeedMps: 13 },
    trail_run: { label: 'Trail run', pace: true, autoPauseMps: 0.6, maxSpeedMps: 13 },
    walk: { label: 'Walk', pace: true, autoPauseMps: 0.35, maxSpeedMps: 8 },
    hike: { label: 'Hike', pace: true, autoPauseMps: 0.3, maxSpeedMps: 8 },
    ride: { label: 'Ride', pace: false, autoPauseMps: 1.4, maxSpeedMps: 40 },
    mountain_bike: { label: 'Mountain bike ride', pace: false, autoPauseMps: 1.0, maxSpeedMps: 30 },
    virtual_ride: { label: 'Virtual ride', pace: false, autoPauseMps: 1.4, maxSpeedMps: 40 },
    swim: { label: 'Swim', pace: true, autoPauseMps: 0.15, maxSpeedMps: 4 },
    rowing: { label: 'Rowing', pace: false, autoPauseMps: 0.5, maxSpeedMps: 10 },
    ski: { label: 'Ski', pace: false, autoPauseMps: 0.8, maxSpeedMps: 45 },
    transition: { label: 'Transition', pace: false, autoPauseMps: 0.3, maxSpeedMps: 15 },
    other: { label: 'Workout', pace: false, autoPauseMps: 0.5, maxSpeedMps: 50 },
    unknown: { label: 'Activity', pace: false, autoPauseMps: 0.5, maxSpeedMps: 50 },
};

export const kAllSports = Object.keys(kSports) as Sport[];

/** Sports offered for recording and for manual entry (the others come only from files). */
export const kChoosableSports: readonly Sport[] = ['run', 'trail_run', 'walk', 'hike', 'ride', 'mountain_bike', 'virtual_ride', 'swim', 'rowing', 'ski', 'other'];

export function sportLabel(sport: Sport): string {
    return kSports[sport]?.label ?? sport;
}

/**
 * The unit of `avg_cadence` for `sport`: steps of both feet per minute on foot (the API doubles the
 * one-foot count devices write), strokes per minute in the water and the boat, pedal turns otherwise.
 */
export function cadenceUnit(sport: Sport): string {
    switch (sport) {
        case 'run':
        case 'trail_run':
        case 'walk':
        case 'hike':
            return 'spm';
        case 'swim':
        case 'rowing':
            return 'spm'; // strokes per minute, as swimmers and rowers read it
        default:
            return 'rpm';
    }
}

export function usesPace(sport: Sport): boolean {
    return kSports[sport]?.pace ?? false;
}

export function sportMotion(sport: Sport): { autoPauseMps: number; maxSpeedMps: number } {
    const info = kSports[sport] ?? kSports.unknown;
    return { autoPauseMps: info.autoPauseMps, maxSpeedMps: info.maxSpeedMps };
}

export function isSport(value: string): value is Sport {
    return value in kSports;
}
