// useLoad: loading, error and data of one read, with reload, and the request aborted when the
// screen goes away or what it reads changes. The hook is a thin shell over createLoader, a plain
// state machine that the unit tests drive without a DOM.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Problem } from '../api';
import { toProblem } from '../ui/problem';

export interface LoadState<T> {
    /** The last value read; kept while a reload runs or fails. */
    data: T | null;
    problem: Problem | null;
    loading: boolean;
}

export interface Loader<T> {
    /** Reads (again), aborting a read still running; the data shown so far stays until it answers. */
    run(): void;
    /** Changes the data in place (after a local edit), without reading again. */
    update(change: (data: T) => T): void;
    /** Aborts a running read and reports nothing more. */
    dispose(): void;
    readonly state: LoadState<T>;
}

export type LoadFn<T> = (signal: AbortSignal) => Promise<T>;

export function createLoader<T>(load: LoadFn<T>, report: (state: LoadState<T>) => void, problemOf: (error: unknown) => Problem = toProblem): Loader<T> {
    let state: LoadState<T> = { data: null, problem: null, loading: true };
    let running: AbortController | null = null;
    let disposed = false;

    function set(next: LoadState<T>): void {
        state = next;
        report(next);
    }

    return {
        run() {
            if (disposed) {
                return;
            }
            running?.abort();
            const own = new AbortController();
            running = own;
            set({ ...state, problem: null, loading: true });
            load(own.signal).then(
                (data) => {
                    if (running === own && !disposed) {
                        running = null;
                        set({ data, problem: null, loading: false });
                    }
                },
                (error: unknown) => {
                    if (running === own && !disposed) {
                        running = null;
                        set({ ...state, problem: problemOf(error), loading: false });
                    }
                },
            );
        },
        update(change) {
            if (!disposed && state.data !== null) {
                set({ ...state, data: change(state.data) });
            }
        },
        dispose() {
            disposed = true;
            running?.abort();
            running = null;
        },
        get state() {
            return state;
        },
    };
}

export interface LoadResult<T> extends LoadState<T> {
    reload: () => void;
    update: (change: (data: T) => T) => void;
}

const kLoading: LoadState<never> = { data: null, problem: null, loading: true };

/**
 * Reads with `load` when the screen mounts and whenever `deps` change (starting afresh: the data
 * of other deps is not shown). `load` receives the AbortSignal to pass to the API call.
 */
export function useLoad<T>(load: LoadFn<T>, deps: readonly unknown[]): LoadResult<T> {
    const [state, setState] = useState<LoadState<T>>(kLoading);
    const loader = useRef<Loader<T> | null>(null);
    useEffect(() => {
        const current = createLoader(load, setState);
        loader.current = current;
        current.run();
        return () => current.dispose();
        // `load` is a fresh closure each render; what it reads is in `deps`.
    }, deps);
    return { ...state, reload: () => loader.current?.run(), update: (change) => loader.current?.update(change) };
}
