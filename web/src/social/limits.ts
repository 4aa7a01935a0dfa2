// How a rate limit reads: the wait from Retry-After, in the minutes the hourly budgets think in.
import { ApiError, type Problem } from '../api/problem';
import { toProblem } from '../ui/problem';

/** "Try again in 12 minutes" from a Retry-After in seconds (a rate limit's answer). */
export function retryHint(seconds: number): string {
    const minutes = Math.max(1, Math.ceil(seconds / 60));
    return `Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}

/** toProblem, with the wait added to the sentence of a 429 that said how long. */
export function withRetryHint(error: unknown): Problem {
    const problem = toProblem(error);
    if (error instanceof ApiError && error.status === 429 && error.retryAfterS !== null) {
        return { ...problem, detail: `${problem.detail ?? problem.title} ${retryHint(error.retryAfterS)}` };
    }
    return problem;
}
