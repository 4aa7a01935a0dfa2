// The privacy zone picker's radius: what the slider offers (the API takes 100 m – 5 km; the issue
// asks for 200 m – 2 km, enough for a home and its street without hiding a whole town) and how it
// reads in the user's units.
import type { Units } from '../units';

export const kZoneRadiusMinM = 200;
export const kZoneRadiusMaxM = 2000;
export const kZoneRadiusStepM = 50;

/** Into the slider's range, on its steps. */
export function clampZoneRadius(m: number): number {
    if (!Number.isFinite(m)) {
        return kZoneRadiusMinM;
    }
    const stepped = Math.round(m / kZoneRadiusStepM) * kZoneRadiusStepM;
    return Math.min(kZoneRadiusMaxM, Math.max(kZoneRadiusMinM, stepped));
}

const kMetresPerFoot = 0.3048;
const kMetresPerMile = 1609.344;

/** "400 m", "1.5 km"; imperial "1,312 ft", "1.2 mi". */
export function formatZoneRadius(m: number, units: Units): string {
    if (units === 'imperial') {
        return m < kMetresPerMile / 2 ? `${Math.round(m / kMetresPerFoot).toLocaleString('en-US')} ft` : `${(m / kMetresPerMile).toFixed(1)} mi`;
    }
    return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(m % 1000 === 0 ? 0 : 1)} km`;
}
