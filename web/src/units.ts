// Conversions for display. The API always speaks SI (kg, cm); imperial users see lb and ft/in.
import type { Me } from './api';

export type Units = Me['units'];

export const kKgPerLb = 0.45359237;
export const kCmPerInch = 2.54;

export function kgToLb(kg: number): number {
    return kg / kKgPerLb;
}

export function lbToKg(lb: number): number {
    return lb * kKgPerLb;
}

/** Splits centimetres into whole feet and inches (inches rounded to 0.1, never 12). */
export function cmToFtIn(cm: number): { ft: number; inches: number } {
    const totalInches = Math.round((cm / kCmPerInch) * 10) / 10;
    const ft = Math.floor(totalInches / 12);
    const inches = Math.round((totalInches - ft * 12) * 10) / 10;
    return { ft, inches };
}

export function ftInToCm(ft: number, inches: number): number {
    return (ft * 12 + inches) * kCmPerInch;
}

/** Rounds to `digits` decimals and drops trailing zeros ("72.5", "72"). */
export function trimNumber(value: number, digits: number): string {
    return String(Number(value.toFixed(digits)));
}

export function formatWeight(kg: number | null, units: Units): string {
    if (kg === null) {
        return '—';
    }
    return units === 'imperial' ? `${trimNumber(kgToLb(kg), 1)} lb` : `${trimNumber(kg, 1)} kg`;
}

export function formatHeight(cm: number | null, units: Units): string {
    if (cm === null) {
        return '—';
    }
    if (units === 'imperial') {
        const { ft, inches } = cmToFtIn(cm);
        return `${ft}′ ${trimNumber(inches, 1)}″`;
    }
    return `${trimNumber(cm, 1)} cm`;
}

// Workouts: distances in km or mi, elevations in m or ft, pace per km or mi, speed in km/h or mph.
export const kMetresPerMile = 1609.344;
export const kMetresPerFoot = 0.3048;
export const kMetresPerYard = 0.9144;

/** The length of one split in the user's units. */
export function splitLengthM(units: Units): number {
    return units === 'imperial' ? kMetresPerMile : 1000;
}

export function distanceUnit(units: Units): 'km' | 'mi' {
    return units === 'imperial' ? 'mi' : 'km';
}

/** "12.34 km" / "7.67 mi"; under 10 units two decimals, else one. */
export function formatDistance(m: number | null, units: Units): string {
    if (m === null || !Number.isFinite(m)) {
        return '—';
    }
    const value = m / splitLengthM(units);
    return `${value.toFixed(value < 10 ? 2 : 1)} ${distanceUnit(units)}`;
}

/** Swim distances as swimmers count them: "2,300 m" / "2,515 yd", whole units. */
export function formatSwimDistance(m: number | null, units: Units): string {
    if (m === null || !Number.isFinite(m)) {
        return '—';
    }
    const value = Math.round(units === 'imperial' ? m / kMetresPerYard : m);
    return `${value.toLocaleString('en-US')} ${units === 'imperial' ? 'yd' : 'm'}`;
}

/** "123 m" / "404 ft". */
export function formatElevation(m: number | null, units: Units): string {
    if (m === null || !Number.isFinite(m)) {
        return '—';
    }
    return units === 'imperial' ? `${Math.round(m / kMetresPerFoot)} ft` : `${Math.round(m)} m`;
}

/** "28.4 km/h" / "17.6 mph". */
export function formatSpeed(mps: number | null, units: Units): string {
    if (mps === null || !Number.isFinite(mps)) {
        return '—';
    }
    const perHour = (mps * 3600) / splitLengthM(units);
    return `${perHour.toFixed(1)} ${units === 'imperial' ? 'mph' : 'km/h'}`;
}

/** m:ss for a number of seconds (rounded), h:mm:ss from an hour on. */
export function formatClock(seconds: number): string {
    const total = Math.max(0, Math.round(seconds));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    const ss = String(s).padStart(2, '0');
    return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The slowest pace worth showing; slower reads as standing still. */
const kMinPaceSpeedMps = 0.3;

/**
 * Pace from a speed: "5:12 /km" / "8:22 /mi"; per 100 m (or 100 yd) with `swim`.
 * Speeds too low to be a pace show "—".
 */
export function formatPace(mps: number | null, units: Units, { swim = false } = {}): string {
    if (mps === null || !Number.isFinite(mps) || mps < (swim ? kMinPaceSpeedMps / 4 : kMinPaceSpeedMps)) {
        return '—';
    }
    if (swim) {
        const unitM = units === 'imperial' ? 100 * kMetresPerYard : 100;
        return `${formatClock(unitM / mps)} /${units === 'imperial' ? '100yd' : '100m'}`;
    }
    return `${formatClock(splitLengthM(units) / mps)} /${distanceUnit(units)}`;
}

/** A distance typed in the user's units ("5", "5.2", "5,2") as metres; null for empty, undefined for junk. */
export function parseDistance(text: string, units: Units): number | null | undefined {
    const trimmed = text.trim().replace(',', '.');
    if (trimmed === '') {
        return null;
    }
    const value = Number(trimmed);
    return Number.isFinite(value) && value >= 0 ? value * splitLengthM(units) : undefined;
}

/** An elevation typed in m or ft as metres; null for empty, undefined for junk. */
export function parseElevation(text: string, units: Units): number | null | undefined {
    const trimmed = text.trim().replace(',', '.');
    if (trimmed === '') {
        return null;
    }
    const value = Number(trimmed);
    return Number.isFinite(value) && value >= 0 ? (units === 'imperial' ? value * kMetresPerFoot : value) : undefined;
}
