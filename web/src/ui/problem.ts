// Helpers that map a problem+json answer onto a form: which message goes next to which field,
// and what is left for the banner.
import { ApiError, synthesizeProblem, type Problem } from '../api/problem';

/** First reason per field, keyed by the field name the server used. */
export function fieldErrors(problem: Problem | null | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const error of problem?.errors ?? []) {
        out[error.field] ??= error.reason;
    }
    return out;
}

/** The field errors for fields the form does not show (they go into the banner instead). */
export function unplacedErrors(problem: Problem | null | undefined, shownFields: readonly string[]): { field: string; reason: string }[] {
    return (problem?.errors ?? []).filter((error) => !shownFields.includes(error.field));
}

/** Turns anything thrown into a problem to show. Programming errors become a generic 500. */
export function toProblem(error: unknown): Problem {
    if (error instanceof ApiError) {
        return error.problem;
    }
    const detail = error instanceof Error ? error.message : String(error);
    return synthesizeProblem(500, 'Something went wrong', detail, '');
}

/** A field name as a label for banners: "display_name" → "Display name". */
export function humanizeField(field: string): string {
    const words = field.replace(/\[\d+\]/g, '').split(/[._]/).filter(Boolean);
    const text = words.join(' ');
    return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A field path as a person says it: "body.start_time" → "Start time", "items[2].max_hr_bpm" → "Max hr bpm". */
export function plainField(field: string): string {
    const last = field.replace(/\[\d+\]/g, '').split('.').filter(Boolean).pop() ?? field;
    return humanizeField(last.replace(/_(m|s|kg|cm|bpm|w|kcal|ms)$/, ''));
}

/** "must be in the past" → "Must be in the past." */
export function sentenceOf(text: string): string {
    const trimmed = text.trim();
    if (!trimmed) {
        return '';
    }
    const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
    return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

// What each kind of problem means to a person; the server's titles name HTTP statuses.
const kHeadlineBySlug: Record<string, string> = {
    'invalid-argument': 'Please check what you entered.',
    unauthenticated: 'Please log in again.',
    'permission-denied': "You can't do that.",
    'not-found': "We couldn't find that.",
    conflict: 'That clashes with another change. Reload and try again.',
    gone: 'That is no longer there.',
    'too-large': 'That is too large.',
    'unsupported-media-type': "This type of file isn't supported.",
    unprocessable: "We couldn't do that.",
    'rate-limited': 'Too many tries. Please wait a moment.',
    internal: 'Something went wrong on our side.',
    unavailable: 'The server is busy. Please try again in a moment.',
    timeout: 'This is taking too long.',
};

export interface PlainProblem {
    /** One sentence that says what happened. */
    headline: string;
    /** What the server said about this case, as a sentence (may be empty). */
    detail: string;
    /** Field errors for fields the form does not show, as "Start time: must be …". */
    items: string[];
}

/**
 * A problem in plain words: a headline for its kind, the server's own sentence unless it only lists
 * field paths, and the field errors the form cannot place, named as a person would.
 */
export function plainProblem(problem: Problem, shownFields: readonly string[] = []): PlainProblem {
    const slug = problem.type.replace(/^urn:strava1:problem:/, '');
    // Problems made up in the app (no request id: offline, a timeout) already speak plainly.
    const ours = problem.request_id === '' && problem.title !== '';
    const headline = ours ? sentenceOf(problem.title) : (kHeadlineBySlug[slug] ?? (problem.status >= 500 ? kHeadlineBySlug.internal! : kHeadlineBySlug['invalid-argument']!));
    const errors = problem.errors ?? [];
    const rest = unplacedErrors(problem, shownFields);
    const items = rest.map((error) => `${plainField(error.field)}: ${error.reason}`);
    // With field errors the detail only repeats them as "field: reason; …" paths.
    let detail = errors.length > 0 ? (rest.length === 0 ? 'The highlighted fields need another look.' : '') : sentenceOf(problem.detail);
    if (detail && sentenceOf(detail) === headline) {
        detail = '';
    }
    return { headline, detail, items };
}
