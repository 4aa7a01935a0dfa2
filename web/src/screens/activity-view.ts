// How an activity's figures read in the user's units: pace for runners, speed for cyclists.
import type { ActivitySummary, Sport } from '../api';
import { me } from '../state/session';
import { usesPace } from '../sports';
import { formatDistance, formatPace, formatSpeed, formatSwimDistance, type Units } from '../units';

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
