// useSubmit: a form's (or an action button's) busy state and errors. A task throws InvalidFields
// (assertValid) for what the form checks itself, and the API's problem+json field errors are
// mapped to the fields of the same name. After a failed submit of a form the first invalid field
// (document order) is scrolled to and focused and the fields' errors are said in the polite live
// region; a banner (ProblemView, role="alert") speaks for itself. createSubmitter is the plain state machine under the
// hook, driven by the unit tests; createKeyRing gives one Idempotency-Key per distinct request.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Problem } from '../api';
import { announce } from '../ui/announce';
import { firstInvalid, invalidSummary, revealAndFocus } from '../ui/focus';
import { fieldErrors, toProblem } from '../ui/problem';

/** Thrown by a task for fields the form itself found wrong (shown inline, no banner). */
export class InvalidFields extends Error {
    readonly fields: Readonly<Record<string, string>>;
    constructor(fields: Readonly<Record<string, string>>) {
        super(`invalid fields: ${Object.keys(fields).join(', ')}`);
        this.name = 'InvalidFields';
        this.fields = fields;
    }
}

/** Stops the task with these field errors, if there are any. */
export function assertValid(fields: Readonly<Record<string, string>>): void {
    if (Object.keys(fields).length > 0) {
        throw new InvalidFields(fields);
    }
}

export interface SubmitState {
    busy: boolean;
    /** The API's (or the network's) problem from the last run. */
    problem: Problem | null;
    /** What the last run's own checks found (InvalidFields). */
    invalid: Readonly<Record<string, string>>;
}

export interface Submitter {
    /**
     * Runs the task unless one is running; resolves to true when it completed. Busy is reported
     * only for a task that waits: one that fails its own checks at once never shows a spinner.
     */
    run(task: () => Promise<void>): Promise<boolean>;
    /** Reports nothing more (the form went away). */
    dispose(): void;
    readonly state: SubmitState;
}

const kIdle: SubmitState = { busy: false, problem: null, invalid: {} };

export function createSubmitter(report: (state: SubmitState) => void, problemOf: (error: unknown) => Problem = toProblem): Submitter {
    let state = kIdle;
    let running = false;
    let disposed = false;

    function set(next: SubmitState): void {
        state = next;
        if (!disposed) {
            report(next);
        }
    }

    return {
        async run(task) {
            if (running) {
                return false;
            }
            running = true;
            try {
                const pending = task();
                let settled = false;
                const mark = () => {
                    settled = true;
                };
                pending.then(mark, mark);
                // The mark above runs before this continuation when the task settled at once.
                await Promise.resolve();
                if (!settled) {
                    set({ busy: true, problem: null, invalid: {} });
                }
                await pending;
                set(kIdle);
                return true;
            } catch (error) {
                set(error instanceof InvalidFields ? { busy: false, problem: null, invalid: error.fields } : { busy: false, problem: problemOf(error), invalid: {} });
                return false;
            } finally {
                running = false;
            }
        },
        dispose() {
            disposed = true;
        },
        get state() {
            return state;
        },
    };
}

/** Field name → message: the form's own findings, else the API's errors[] by field name. */
export function errorsOf(state: SubmitState): Record<string, string> {
    return { ...fieldErrors(state.problem), ...state.invalid };
}

export interface SubmitResult<T> extends SubmitState {
    /** Messages per field name, for the fields' `error` props. */
    errors: Record<string, string>;
    /** The form's onSubmit: no page load, then the task (with no input). */
    onSubmit: (event: Event) => void;
    /**
     * Runs the task (for action buttons); resolves to true when it completed. `within`: the form
     * whose first invalid field gets focus on a failure (as onSubmit does).
     */
    run: (input: T, within?: HTMLElement | null) => Promise<boolean>;
}

export interface SubmitOptions {
    /** How a failure reads (default toProblem); e.g. adding the wait from Retry-After. */
    problemOf?: (error: unknown) => Problem;
}

/**
 * A task and its state. The task reads the form's values when it runs; `input` is for action
 * buttons that act on one of several things (which session to revoke).
 */
export function useSubmit<T = void>(task: (input: T) => Promise<void>, options: SubmitOptions = {}): SubmitResult<T> {
    const [state, setState] = useState<SubmitState>(kIdle);
    const submitter = useRef<Submitter | null>(null);
    submitter.current ??= createSubmitter(setState, options.problemOf);
    useEffect(() => () => submitter.current?.dispose(), []);
    // The form last submitted: where to look for invalid fields once the failure has rendered.
    const form = useRef<HTMLElement | null>(null);
    useEffect(() => {
        const root = form.current;
        if (!root || state.busy || (state.problem === null && Object.keys(state.invalid).length === 0)) {
            return;
        }
        const first = firstInvalid(root);
        if (first) {
            revealAndFocus(first);
            announce(invalidSummary(root), 'polite');
        } else {
            root.querySelector('.problem')?.scrollIntoView({ block: 'nearest' });
        }
    }, [state]);
    // The latest task: it reads the form's current values.
    const latest = useRef(task);
    latest.current = task;
    const run = (input: T) => submitter.current!.run(() => latest.current(input));
    return {
        ...state,
        errors: errorsOf(state),
        onSubmit: (event: Event) => {
            event.preventDefault();
            form.current = event.currentTarget instanceof HTMLElement ? event.currentTarget : null;
            void run(undefined as T);
        },
        run: (input: T, within?: HTMLElement | null) => {
            form.current = within ?? null;
            return run(input);
        },
    };
}

/** One key per distinct request body: a retry of the same request replays, an edited one is new. */
export function createKeyRing(newKey: () => string): { keyFor(body: unknown): string } {
    let last: { body: string; key: string } | null = null;
    return {
        keyFor(body) {
            const serialized = JSON.stringify(body);
            if (last?.body !== serialized) {
                last = { body: serialized, key: newKey() };
            }
            return last.key;
        },
    };
}

/** createKeyRing for the lifetime of a form. */
export function useIdempotencyKeys(newKey: () => string): (body: unknown) => string {
    const ring = useRef<{ keyFor(body: unknown): string } | null>(null);
    ring.current ??= createKeyRing(newKey);
    return ring.current.keyFor;
}
