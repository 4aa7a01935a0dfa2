// The checks a form runs before it sends (useSubmit's assertValid): each gives the message to show
// under the field, in plain words, or undefined. They mirror the server's rules so a person hears
// of a slip at once, but the server stays the authority: its field errors still land on the fields.

/** The server's password rule (accounts' CheckPassword): 10 to 128 characters. */
export const kPasswordMin = 10;
export const kPasswordMax = 128;

export function required(value: string, message = 'Fill this in.'): string | undefined {
    return value.trim() === '' ? message : undefined;
}

/** The shape the server accepts: one @, a dotted domain, no spaces. */
export function email(value: string): string | undefined {
    const v = value.trim();
    if (v === '') {
        return 'Enter your email address.';
    }
    return /^[^\s@,<>"]+@[^\s@,<>".][^\s@,<>"]*\.[^\s@,<>".]+$/.test(v) && !v.includes('..') ? undefined : 'Enter an email address like name@example.com.';
}

export function newPassword(value: string): string | undefined {
    if (value === '') {
        return 'Choose a password.';
    }
    const length = [...value].length;
    if (length < kPasswordMin) {
        return `Use at least ${kPasswordMin} characters (this one has ${length}).`;
    }
    return length > kPasswordMax ? `Use at most ${kPasswordMax} characters.` : undefined;
}

/** A number (comma or point as decimal mark) within [min, max]; empty is fine unless `needed`. */
export function numberIn(value: string, min: number, max: number, needed = false): string | undefined {
    const v = value.trim().replace(',', '.');
    if (v === '') {
        return needed ? 'Fill this in.' : undefined;
    }
    const n = Number(v);
    if (!Number.isFinite(n)) {
        return 'Enter a number.';
    }
    return n < min || n > max ? `Enter a number from ${min} to ${max}.` : undefined;
}

/** A YYYY-MM-DD date (what <input type=date> gives) that is a real day, optionally not in the future. */
export function date(value: string, options: { pastOnly?: boolean; today?: string } = {}): string | undefined {
    if (value === '') {
        return undefined;
    }
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
    if (!day || day.toISOString().slice(0, 10) !== value) {
        return 'Enter a date like 1990-04-23.';
    }
    const today = options.today ?? new Date().toISOString().slice(0, 10);
    return options.pastOnly && value >= today ? 'Enter a date in the past.' : undefined;
}

/** Keeps only the fields that have a message: what assertValid takes. */
export function found(checks: Record<string, string | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [field, message] of Object.entries(checks)) {
        if (message) {
            out[field] = message;
        }
    }
    return out;
}
