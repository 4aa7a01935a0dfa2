// The You tab's figures: totals over all sports, and weekly sums for the 12-week chart. Weeks are
// calendar days (an activity's `start_date`, the day in the athlete's time zone) grouped Monday to
// Sunday, so the chart never depends on the device's clock offset.

/** What one period adds up to, over every sport. */
export interface Totals {
    count: number;
    distance_m: number;
    moving_s: number;
    elevation_gain_m: number;
}

interface SportTotalsLike {
    count: number;
    distance_m: number;
    moving_s: number;
    elevation_gain_m: number;
}

export const kNoTotals: Totals = { count: 0, distance_m: 0, moving_s: 0, elevation_gain_m: 0 };

/** Adds up the per-sport totals the stats endpoint gives. */
export function sumTotals(bySport: Readonly<Record<string, SportTotalsLike | undefined>>): Totals {
    const sum = { ...kNoTotals };
    for (const totals of Object.values(bySport)) {
        if (!totals) {
            continue;
        }
        sum.count += totals.count;
        sum.distance_m += totals.distance_m;
        sum.moving_s += totals.moving_s;
        sum.elevation_gain_m += totals.elevation_gain_m;
    }
    return sum;
}

const kDayMs = 86_400_000;

function parseDay(day: string): number | null {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    if (!match) {
        return null;
    }
    return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

function formatDay(ms: number): string {
    return new Date(ms).toISOString().slice(0, 10);
}

/** The Monday of the week of `day` (YYYY-MM-DD), or null for a malformed day. */
export function weekStart(day: string): string | null {
    const ms = parseDay(day);
    if (ms === null) {
        return null;
    }
    // getUTCDay: Sunday 0 … Saturday 6; Monday starts the week.
    const offset = (new Date(ms).getUTCDay() + 6) % 7;
    return formatDay(ms - offset * kDayMs);
}

/** The calendar day of `at` on this device, YYYY-MM-DD. */
export function localDay(at: Date): string {
    return formatDay(Date.UTC(at.getFullYear(), at.getMonth(), at.getDate()));
}

export interface Week extends Totals {
    /** The Monday, YYYY-MM-DD. */
    start: string;
}

interface ActivityLike {
    start_date: string;
    distance_m: number;
    moving_s: number;
    elevation_gain_m: number;
}

/**
 * `weeks` weeks ending with the one holding `today`, oldest first, each with the sums of the
 * activities that started in it (activities outside the range are ignored).
 */
export function weeklyTotals(activities: readonly ActivityLike[], today: string, weeks = 12): Week[] {
    const last = weekStart(today);
    if (last === null) {
        return [];
    }
    const lastMs = parseDay(last)!;
    const series: Week[] = [];
    const byStart = new Map<string, Week>();
    for (let i = weeks - 1; i >= 0; i--) {
        const week: Week = { start: formatDay(lastMs - i * 7 * kDayMs), ...kNoTotals };
        series.push(week);
        byStart.set(week.start, week);
    }
    for (const activity of activities) {
        const start = weekStart(activity.start_date);
        const week = start === null ? undefined : byStart.get(start);
        if (!week) {
            continue;
        }
        week.count += 1;
        week.distance_m += activity.distance_m;
        week.moving_s += activity.moving_s;
        week.elevation_gain_m += activity.elevation_gain_m;
    }
    return series;
}

/** The first day of the range weeklyTotals covers. */
export function firstDayOfWeeks(today: string, weeks = 12): string | null {
    const last = weekStart(today);
    return last === null ? null : formatDay(parseDay(last)! - (weeks - 1) * 7 * kDayMs);
}
