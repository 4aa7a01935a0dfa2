// Every failure of a call reaches the app as an ApiError carrying a problem+json (RFC 9457): the
// server's own, or one made up here for network failures and answers that carry none.
import type { components } from './schema.gen';

export type Problem = components['schemas']['Problem'];
export type ProblemType = Problem['type'];

const kProblemPrefix = 'urn:strava1:problem:';
const kSlugByStatus: Record<number, string> = {
    400: 'invalid-argument',
    401: 'unauthenticated',
    403: 'permission-denied',
    404: 'not-found',
    405: 'method-not-allowed',
    409: 'conflict',
    410: 'gone',
    413: 'too-large',
    415: 'unsupported-media-type',
    422: 'unprocessable',
    429: 'rate-limited',
    431: 'headers-too-large',
    500: 'internal',
    503: 'unavailable',
    504: 'timeout',
};

/** An error answer of the API (or a failure to reach it), always as a problem. */
export class ApiError extends Error {
    readonly problem: Problem;
    /** True when the server was not reached at all (offline, DNS, connection refused). */
    readonly network: boolean;
    /** Seconds from Retry-After, when the server sent one. */
    readonly retryAfterS: number | null;

    constructor(problem: Problem, options: { network?: boolean; retryAfterS?: number | null } = {}) {
        super(problem.detail || problem.title);
        this.name = 'ApiError';
        this.problem = problem;
        this.network = options.network ?? false;
        this.retryAfterS = options.retryAfterS ?? null;
    }

    get status(): number {
        return this.problem.status;
    }

    is(slug: string): boolean {
        return this.problem.type === kProblemPrefix + slug;
    }
}

/** Builds a problem for answers that did not carry one (a proxy's HTML 502, say). */
export function synthesizeProblem(status: number, title: string, detail: string, instance: string): Problem {
    const slug = kSlugByStatus[status] ?? (status >= 500 ? 'internal' : 'invalid-argument');
    return {
        type: (kProblemPrefix + slug) as ProblemType,
        title,
        status,
        detail,
        instance,
        request_id: '',
    };
}

/** Accepts anything JSON-shaped as a problem, filling what is missing so the UI can rely on it. */
export function normalizeProblem(value: unknown, status: number, instance: string): Problem {
    const fallback = synthesizeProblem(status, `Request failed (${status})`, '', instance);
    if (typeof value !== 'object' || value === null) {
        return fallback;
    }
    const v = value as Record<string, unknown>;
    const str = (key: string, otherwise: string) => (typeof v[key] === 'string' ? (v[key] as string) : otherwise);
    const errors = Array.isArray(v.errors)
        ? v.errors
              .filter((e): e is { field: string; reason: string } => typeof e?.field === 'string' && typeof e?.reason === 'string')
              .map((e) => ({ field: e.field, reason: e.reason }))
        : undefined;
    const problem: Problem = {
        type: str('type', fallback.type) as ProblemType,
        title: str('title', fallback.title),
        status: typeof v.status === 'number' ? v.status : status,
        detail: str('detail', ''),
        instance: str('instance', instance),
        request_id: str('request_id', ''),
    };
    if (errors && errors.length > 0) {
        problem.errors = errors;
    }
    return problem;
}
