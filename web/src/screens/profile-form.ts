// The edit-profile form as plain data: `Me` → editable strings (in the user's display units) →
// a PATCH body holding only what changed. Local errors use the API's field names so they show in
// the same place as the server's.
import type { Me, MeUpdate } from '../api';
import { date } from '../ui/checks';
import { cmToFtIn, ftInToCm, kgToLb, lbToKg, trimNumber, type Units } from '../units';

/** The server's ranges (accounts' CheckProfilePatch), checked before sending. */
const kRanges = { max_hr_bpm: [100, 250], resting_hr_bpm: [25, 120], ftp_w: [30, 2000] } as const;

export interface ProfileFormValues {
    username: string;
    display_name: string;
    bio: string;
    city: string;
    country: string;
    sex: string;
    birthdate: string;
    /** In kg (metric) or lb (imperial). */
    weight: string;
    /** Metric only. */
    height_cm: string;
    /** Imperial only. */
    height_ft: string;
    height_in: string;
    max_hr_bpm: string;
    resting_hr_bpm: string;
    ftp_w: string;
    units: Units;
    time_zone: string;
    default_visibility: Me['default_visibility'];
    /** Metres, as the select's value. */
    hide_endpoints_m: string;
    message_policy: Me['message_policy'];
}

const text = (value: string | null) => value ?? '';
const num = (value: number | null, digits = 1) => (value === null ? '' : trimNumber(value, digits));

function weightText(kg: number | null, units: Units): string {
    if (kg === null) {
        return '';
    }
    return units === 'imperial' ? trimNumber(kgToLb(kg), 1) : trimNumber(kg, 1);
}

function heightTexts(cm: number | null, units: Units): Pick<ProfileFormValues, 'height_cm' | 'height_ft' | 'height_in'> {
    if (cm === null) {
        return { height_cm: '', height_ft: '', height_in: '' };
    }
    if (units === 'imperial') {
        const { ft, inches } = cmToFtIn(cm);
        return { height_cm: '', height_ft: String(ft), height_in: trimNumber(inches, 1) };
    }
    return { height_cm: trimNumber(cm, 1), height_ft: '', height_in: '' };
}

/** The form as it starts for `me`, shown in `units` (default: the user's own). */
export function formFromMe(me: Me, units: Units = me.units): ProfileFormValues {
    return {
        username: text(me.username),
        display_name: me.display_name,
        bio: text(me.bio),
        city: text(me.city),
        country: text(me.country),
        sex: text(me.sex),
        birthdate: text(me.birthdate),
        weight: weightText(me.weight_kg, units),
        ...heightTexts(me.height_cm, units),
        max_hr_bpm: num(me.max_hr_bpm, 0),
        resting_hr_bpm: num(me.resting_hr_bpm, 0),
        ftp_w: num(me.ftp_w, 0),
        units,
        time_zone: me.time_zone,
        default_visibility: me.default_visibility,
        hide_endpoints_m: String(me.hide_endpoints_m),
        message_policy: me.message_policy,
    };
}

function parseNumber(value: string): number | null | undefined {
    const trimmed = value.trim().replace(',', '.');
    if (trimmed === '') {
        return null;
    }
    const parsed = Number(trimmed);
    return Number.isFinite(parsed) ? parsed : undefined;
}

/** Reads weight/height in the form's units back to SI; undefined marks unparsable input. */
function weightKg(values: ProfileFormValues): number | null | undefined {
    const parsed = parseNumber(values.weight);
    if (parsed === null || parsed === undefined) {
        return parsed;
    }
    return values.units === 'imperial' ? Number(lbToKg(parsed).toFixed(3)) : parsed;
}

function heightCm(values: ProfileFormValues): number | null | undefined {
    if (values.units === 'metric') {
        return parseNumber(values.height_cm);
    }
    const ft = parseNumber(values.height_ft);
    const inches = parseNumber(values.height_in);
    if (ft === undefined || inches === undefined) {
        return undefined;
    }
    if (ft === null && inches === null) {
        return null;
    }
    return Number(ftInToCm(ft ?? 0, inches ?? 0).toFixed(2));
}

/**
 * Re-expresses weight and height when the user flips the units selector. Values the user has not
 * touched are taken from `me` exactly, so flipping back and forth never drifts the stored number.
 */
export function switchUnits(me: Me, values: ProfileFormValues, units: Units): ProfileFormValues {
    if (values.units === units) {
        return values;
    }
    const before = formFromMe(me, values.units);
    const after = formFromMe(me, units);
    const next: ProfileFormValues = { ...values, units };
    // Unparsable input is left as typed rather than silently dropped.
    if (values.weight === before.weight) {
        next.weight = after.weight;
    } else {
        const kg = weightKg(values);
        if (kg !== undefined) {
            next.weight = weightText(kg, units);
        }
    }
    const heightUntouched = values.height_cm === before.height_cm && values.height_ft === before.height_ft && values.height_in === before.height_in;
    if (heightUntouched) {
        Object.assign(next, { height_cm: after.height_cm, height_ft: after.height_ft, height_in: after.height_in });
    } else {
        const cm = heightCm(values);
        if (cm !== undefined) {
            Object.assign(next, heightTexts(cm, units));
        }
    }
    return next;
}

export interface PatchResult {
    patch: MeUpdate;
    /** Local input errors keyed by API field name. Empty when the patch may be sent. */
    errors: Record<string, string>;
}

/** The PATCH body for what changed between `me` and `values`, or the errors that prevent it. */
export function patchFromForm(me: Me, values: ProfileFormValues): PatchResult {
    const initial = formFromMe(me, values.units);
    const patch: MeUpdate = {};
    const errors: Record<string, string> = {};
    const changed = (...keys: (keyof ProfileFormValues)[]) => keys.some((key) => values[key] !== initial[key]);
    const optionalText = (value: string) => (value.trim() === '' ? null : value.trim());

    if (changed('username')) {
        patch.username = optionalText(values.username.toLowerCase());
    }
    if (changed('display_name')) {
        const name = values.display_name.trim();
        if (name === '') {
            errors.display_name = 'is required';
        } else {
            patch.display_name = name;
        }
    }
    if (changed('bio')) {
        patch.bio = values.bio.trim() === '' ? null : values.bio;
    }
    if (changed('city')) {
        patch.city = optionalText(values.city);
    }
    if (changed('country')) {
        patch.country = optionalText(values.country.toUpperCase());
    }
    if (changed('sex')) {
        patch.sex = values.sex === '' ? null : (values.sex as NonNullable<Me['sex']>);
    }
    if (changed('birthdate')) {
        const problem = date(values.birthdate, { pastOnly: true }) ?? (values.birthdate !== '' && values.birthdate < '1900-01-01' ? 'Enter a date from 1900 on.' : undefined);
        if (problem) {
            errors.birthdate = problem;
        } else {
            patch.birthdate = optionalText(values.birthdate);
        }
    }
    if (changed('weight')) {
        const kg = weightKg(values);
        if (kg === undefined) {
            errors.weight_kg = 'must be a number';
        } else if (kg !== null && (kg < 20 || kg > 400)) {
            // The server's range (20–400 kg), said in the unit the form shows.
            errors.weight_kg = values.units === 'imperial' ? 'Enter a weight from 45 to 880 lb.' : 'Enter a weight from 20 to 400 kg.';
        } else {
            patch.weight_kg = kg;
        }
    }
    if (changed('height_cm', 'height_ft', 'height_in')) {
        const cm = heightCm(values);
        if (cm === undefined) {
            errors.height_cm = 'must be a number';
        } else if (cm !== null && (cm < 50 || cm > 272)) {
            errors.height_cm = values.units === 'imperial' ? 'Enter a height from 1 ft 8 in to 8 ft 11 in.' : 'Enter a height from 50 to 272 cm.';
        } else {
            patch.height_cm = cm;
        }
    }
    for (const key of ['max_hr_bpm', 'resting_hr_bpm', 'ftp_w'] as const) {
        if (!changed(key)) {
            continue;
        }
        const value = parseNumber(values[key]);
        const [min, max] = kRanges[key];
        if (value === undefined || (value !== null && !Number.isInteger(value))) {
            errors[key] = 'must be a whole number';
        } else if (value !== null && (value < min || value > max)) {
            errors[key] = `Enter a whole number from ${min} to ${max}.`;
        } else {
            patch[key] = value;
        }
    }
    if (values.units !== me.units) {
        patch.units = values.units;
    }
    if (changed('time_zone')) {
        patch.time_zone = values.time_zone;
    }
    if (changed('default_visibility')) {
        patch.default_visibility = values.default_visibility;
    }
    if (changed('hide_endpoints_m')) {
        const radius = Number(values.hide_endpoints_m);
        if (!Number.isInteger(radius) || radius < 0 || radius > 1600) {
            errors.hide_endpoints_m = 'must be between 0 and 1600 metres';
        } else {
            patch.hide_endpoints_m = radius;
        }
    }
    if (changed('message_policy')) {
        patch.message_policy = values.message_policy;
    }
    return { patch, errors };
}
