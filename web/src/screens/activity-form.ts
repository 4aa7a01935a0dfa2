// The activity forms as plain data: editing (PATCH only what changed) and logging a manual
// activity (POST). Values are strings in the user's units; errors use the API's field names.
import type { ActivityCreate, ActivityDetail, ActivityUpdate, HiddenMetric, Sport, Visibility } from '../api';
import { parseDistance, parseElevation, type Units } from '../units';

export const kHiddenMetrics: readonly { value: HiddenMetric; label: string }[] = [
    { value: 'start_time', label: 'Start time' },
    { value: 'pace', label: 'Pace and speed' },
    { value: 'heart_rate', label: 'Heart rate' },
    { value: 'power', label: 'Power' },
    { value: 'calories', label: 'Calories' },
];

/** Radii the form offers (the API takes any 0..1600); imperial users see them as fractions of a mile. */
export const kHideRadiiM = [0, 200, 400, 800, 1600] as const;

export function hideRadiusLabel(m: number, units: Units): string {
    if (m === 0) {
        return 'Off';
    }
    if (units === 'imperial') {
        const miles: Record<number, string> = { 200: '⅛ mile', 400: '¼ mile', 800: '½ mile', 1600: '1 mile' };
        return miles[m] ?? `${m} m`;
    }
    return m >= 1000 ? `${m / 1000} km` : `${m} m`;
}

export interface EditValues {
    name: string;
    description: string;
    sport: Sport;
    visibility: Visibility;
    hidden_metrics: HiddenMetric[];
    hide_endpoints_m: string;
    perceived_exertion: string;
    /** Kept out of followers' home feeds (still on the profile). */
    hide_from_feed: boolean;
}

export function formFromActivity(activity: ActivityDetail): EditValues {
    return {
        name: activity.name,
        description: activity.description,
        sport: activity.sport,
        visibility: activity.visibility,
        hidden_metrics: [...activity.hidden_metrics],
        hide_endpoints_m: String(activity.hide_endpoints_m ?? 0),
        perceived_exertion: activity.perceived_exertion === null ? '' : String(activity.perceived_exertion),
        hide_from_feed: activity.hide_from_feed ?? false,
    };
}

function sameSet<T>(a: readonly T[], b: readonly T[]): boolean {
    return a.length === b.length && a.every((x) => b.includes(x));
}

function exertion(text: string): number | null | undefined {
    if (text.trim() === '') {
        return null;
    }
    const value = Number(text);
    return Number.isInteger(value) && value >= 1 && value <= 10 ? value : undefined;
}

export function patchFromActivityForm(activity: ActivityDetail, values: EditValues): { patch: ActivityUpdate; errors: Record<string, string> } {
    const initial = formFromActivity(activity);
    const patch: ActivityUpdate = {};
    const errors: Record<string, string> = {};
    if (values.name !== initial.name) {
        const name = values.name.trim();
        if (name === '') {
            errors.name = 'is required';
        } else {
            patch.name = name;
        }
    }
    if (values.description !== initial.description) {
        patch.description = values.description;
    }
    if (values.sport !== initial.sport) {
        patch.sport = values.sport;
    }
    if (values.visibility !== initial.visibility) {
        patch.visibility = values.visibility;
    }
    if (!sameSet(values.hidden_metrics, initial.hidden_metrics)) {
        // In the order the API lists them, so the same choice always sends the same body.
        patch.hidden_metrics = kHiddenMetrics.map((m) => m.value).filter((m) => values.hidden_metrics.includes(m));
    }
    if (values.hide_endpoints_m !== initial.hide_endpoints_m) {
        const radius = Number(values.hide_endpoints_m);
        if (!Number.isInteger(radius) || radius < 0 || radius > 1600) {
            errors.hide_endpoints_m = 'must be between 0 and 1600 metres';
        } else {
            patch.hide_endpoints_m = radius;
        }
    }
    if (values.perceived_exertion !== initial.perceived_exertion) {
        const value = exertion(values.perceived_exertion);
        if (value === undefined) {
            errors.perceived_exertion = 'must be a whole number from 1 to 10';
        } else {
            patch.perceived_exertion = value;
        }
    }
    if (values.hide_from_feed !== initial.hide_from_feed) {
        patch.hide_from_feed = values.hide_from_feed;
    }
    return { patch, errors };
}

export interface ManualValues {
    sport: Sport;
    /** `YYYY-MM-DDTHH:mm` from <input type="datetime-local">, in the profile's time zone. */
    start: string;
    hours: string;
    minutes: string;
    seconds: string;
    distance: string;
    elevation: string;
    calories: string;
    perceived_exertion: string;
    name: string;
    description: string;
    visibility: Visibility;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The wall clock of `date` in `timeZone`, as milliseconds of a UTC date with the same reading. */
function wallClockMs(date: Date, timeZone: string): number {
    const parts = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
    }).formatToParts(date);
    const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
}

/**
 * A datetime-local value for `date` as the clock reads in `timeZone` (the profile's zone, in which
 * the app shows every start), or in the device's zone when none is given.
 */
export function localDateTimeValue(date: Date, timeZone?: string): string {
    if (timeZone) {
        const wall = new Date(wallClockMs(date, timeZone));
        return `${wall.getUTCFullYear()}-${pad2(wall.getUTCMonth() + 1)}-${pad2(wall.getUTCDate())}T${pad2(wall.getUTCHours())}:${pad2(wall.getUTCMinutes())}`;
    }
    return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}T${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
}

/**
 * The instant at which the clock in `timeZone` reads the datetime-local `value` (the device's zone
 * when none is given), or null when `value` is not one. A reading that a DST change skips is taken
 * with the offset from before the change, as the zone's clocks would have shown it.
 */
export function instantOfLocalDateTime(value: string, timeZone?: string): Date | null {
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
    if (!match) {
        return null;
    }
    const [y, mo, d, h, mi, se] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
    if (!timeZone) {
        const local = new Date(y, mo - 1, d, h, mi, se);
        return Number.isNaN(local.getTime()) ? null : local;
    }
    const reading = Date.UTC(y, mo - 1, d, h, mi, se);
    if (Number.isNaN(reading)) {
        return null;
    }
    // The zone's offset at the guessed instant, then once more at the corrected one (they differ
    // only next to a DST change).
    let instant = reading - (wallClockMs(new Date(reading), timeZone) - reading);
    instant = reading - (wallClockMs(new Date(instant), timeZone) - instant);
    return new Date(instant);
}

export function emptyManualForm(visibility: Visibility, now: Date = new Date(), timeZone?: string): ManualValues {
    return {
        sport: 'run',
        start: localDateTimeValue(now, timeZone),
        hours: '',
        minutes: '',
        seconds: '',
        distance: '',
        elevation: '',
        calories: '',
        perceived_exertion: '',
        name: '',
        description: '',
        visibility,
    };
}

/** Whole hours, minutes and seconds as seconds; null when all are empty, undefined when any is junk. */
export function durationSeconds(hours: string, minutes: string, seconds: string): number | null | undefined {
    const parts = [hours, minutes, seconds].map((text) => text.trim());
    if (parts.every((text) => text === '')) {
        return null;
    }
    const [h, m, s] = parts.map((text) => (text === '' ? 0 : Number(text)));
    if (![h, m, s].every((v) => Number.isInteger(v) && v! >= 0) || m! > 59 || s! > 59) {
        return undefined;
    }
    return h! * 3600 + m! * 60 + s!;
}

/** Why a typed amount was refused: not a number at all, or one below zero. */
function numberProblem(text: string): string {
    const value = Number(text.trim().replace(',', '.'));
    return Number.isFinite(value) && value < 0 ? "can't be negative" : 'must be a number';
}

/** `timeZone`: the profile's, in which the form's start reads (as every start the app shows). */
export function createBodyFromForm(values: ManualValues, units: Units, timeZone?: string): { body: ActivityCreate | null; errors: Record<string, string> } {
    const errors: Record<string, string> = {};
    const start = instantOfLocalDateTime(values.start, timeZone);
    if (start === null) {
        errors.start_time = values.start === '' ? 'is required' : 'must be a date and time';
    }
    const elapsed = durationSeconds(values.hours, values.minutes, values.seconds);
    if (elapsed === undefined) {
        errors.elapsed_s = 'must be hours, minutes (0–59) and seconds (0–59)';
    } else if (elapsed === null || elapsed <= 0) {
        errors.elapsed_s = 'must be longer than zero';
    }
    const distance = parseDistance(values.distance, units);
    if (distance === undefined) {
        errors.distance_m = numberProblem(values.distance);
    }
    const elevation = parseElevation(values.elevation, units);
    if (elevation === undefined) {
        errors.elevation_gain_m = numberProblem(values.elevation);
    }
    const caloriesText = values.calories.trim();
    const calories = caloriesText === '' ? null : Number(caloriesText);
    if (calories !== null && (!Number.isFinite(calories) || calories < 0)) {
        errors.calories_kcal = numberProblem(caloriesText);
    }
    const effort = exertion(values.perceived_exertion);
    if (effort === undefined) {
        errors.perceived_exertion = 'must be a whole number from 1 to 10';
    }
    if (Object.keys(errors).length > 0) {
        return { body: null, errors };
    }
    const body: ActivityCreate = { sport: values.sport, start_time: start!.toISOString().replace(/\.\d{3}Z$/, 'Z'), elapsed_s: elapsed!, visibility: values.visibility };
    if (distance !== null && distance !== undefined) {
        body.distance_m = Number(distance.toFixed(1));
    }
    if (elevation !== null && elevation !== undefined) {
        body.elevation_gain_m = Number(elevation.toFixed(1));
    }
    if (calories !== null) {
        body.calories_kcal = calories;
    }
    if (effort !== null && effort !== undefined) {
        body.perceived_exertion = effort;
    }
    if (values.name.trim() !== '') {
        body.name = values.name.trim();
    }
    if (values.description.trim() !== '') {
        body.description = values.description;
    }
    return { body, errors };
}
