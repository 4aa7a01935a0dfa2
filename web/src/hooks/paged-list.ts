// usePagedList: a list read a page at a time with the API's cursors (`next_cursor`), the next page
// loaded by itself when the end of the list scrolls into view (infinite scroll) or on a button.
// createPagedList is the plain state machine under the hook, driven by the unit tests.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Problem } from '../api';
import { toProblem } from '../ui/problem';

export interface Page<T> {
    items: T[];
    /** The cursor of the next page; null on the last one. */
    next: string | null;
}

export type PageFn<T> = (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>;

export interface PagedState<T> {
    /** Null until the first page has arrived. */
    items: T[] | null;
    problem: Problem | null;
    loading: boolean;
    hasMore: boolean;
}

export interface PagedList<T> {
    /** Reads the first page, replacing what is shown once it arrives. */
    reload(): void;
    /**
     * Reads the next page unless one is being read or there is none. `auto` (the end scrolled into
     * view) does not retry after a failure: that waits for the user, or a failing server would be
     * asked again at every frame the end stays visible.
     */
    more(options?: { auto?: boolean }): void;
    dispose(): void;
    readonly state: PagedState<T>;
}

export function createPagedList<T>(
    fetchPage: PageFn<T>,
    keyOf: (item: T) => unknown,
    report: (state: PagedState<T>) => void,
    problemOf: (error: unknown) => Problem = toProblem,
): PagedList<T> {
    let state: PagedState<T> = { items: null, problem: null, loading: true, hasMore: false };
    let cursor: string | null = null;
    let running: AbortController | null = null;
    let disposed = false;

    function set(next: PagedState<T>): void {
        state = next;
        report(next);
    }

    function read(from: string | null): void {
        running?.abort();
        const own = new AbortController();
        running = own;
        set({ ...state, problem: null, loading: true });
        fetchPage(from, own.signal).then(
            (page) => {
                if (running !== own || disposed) {
                    return;
                }
                running = null;
                cursor = page.next;
                // A page boundary can shift while new items arrive; never show one item twice.
                const known = new Set((from === null ? [] : (state.items ?? [])).map(keyOf));
                const fresh = page.items.filter((item) => !known.has(keyOf(item)));
                const items = from === null ? fresh : [...(state.items ?? []), ...fresh];
                set({ items, problem: null, loading: false, hasMore: cursor !== null });
            },
            (error: unknown) => {
                if (running === own && !disposed) {
                    running = null;
                    set({ ...state, problem: problemOf(error), loading: false });
                }
            },
        );
    }

    return {
        reload() {
            if (!disposed) {
                read(null);
            }
        },
        more({ auto = false } = {}) {
            if (disposed || state.loading || cursor === null || state.items === null || (auto && state.problem !== null)) {
                return;
            }
            read(cursor);
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

export interface PagedResult<T> extends PagedState<T> {
    reload: () => void;
    more: () => void;
    /** Put on the element at the end of the list (the "Load more" button): in view, it loads the next page. */
    endRef: (element: Element | null) => void;
}

const kFirst: PagedState<never> = { items: null, problem: null, loading: true, hasMore: false };
/** Start the next page a little before the end is reached. */
const kAheadPx = 400;

export function usePagedList<T>(fetchPage: PageFn<T>, keyOf: (item: T) => unknown, deps: readonly unknown[]): PagedResult<T> {
    const [state, setState] = useState<PagedState<T>>(kFirst);
    const list = useRef<PagedList<T> | null>(null);
    const end = useRef<Element | null>(null);
    const observer = useRef<IntersectionObserver | null>(null);

    useEffect(() => {
        const current = createPagedList(fetchPage, keyOf, setState);
        list.current = current;
        current.reload();
        return () => current.dispose();
        // `fetchPage` and `keyOf` are fresh closures each render; what they read is in `deps`.
    }, deps);

    useEffect(() => {
        if (typeof IntersectionObserver === 'undefined') {
            return undefined;
        }
        const watcher = new IntersectionObserver((entries) => {
            if (entries.some((entry) => entry.isIntersecting)) {
                list.current?.more({ auto: true });
            }
        }, { rootMargin: `0px 0px ${kAheadPx}px 0px` });
        observer.current = watcher;
        return () => watcher.disconnect();
    }, []);

    // Observing again after every change reports whether the end is still in view once the new
    // page is laid out (a short page on a tall screen), which the observer alone would not.
    useEffect(() => {
        const element = end.current;
        if (element && observer.current) {
            observer.current.unobserve(element);
            observer.current.observe(element);
        }
    }, [state]);

    return {
        ...state,
        reload: () => list.current?.reload(),
        more: () => list.current?.more(),
        endRef: (element) => {
            if (end.current && end.current !== element) {
                observer.current?.unobserve(end.current);
            }
            end.current = element;
        },
    };
}
