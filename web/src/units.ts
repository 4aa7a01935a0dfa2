// Conversions for display. The API always speaks SI (kg, cm); imperial users see lb and ft/in.
import type { Me } from './api/client';

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
