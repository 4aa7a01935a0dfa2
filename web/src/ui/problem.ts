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
