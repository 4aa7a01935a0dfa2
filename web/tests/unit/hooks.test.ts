// The state machines under useLoad, usePagedList and useSubmit, driven step by step with promises
// the test settles itself. (The hooks' wiring into Preact is covered by the browser tests.)
import { describe, expect, it } from 'vitest';
import { ApiError, synthesizeProblem } from '../../src/api/problem';
import { createLoader, type LoadState } from '../../src/hooks/load';
import { createPagedList, type Page, type PagedState } from '../../src/hooks/paged-list';
import { assertValid, createKeyRing, createSubmitter, errorsOf, InvalidFields, type SubmitState } from '../../src/hooks/submit';

interface Deferred<T> {
    promise: Promise<T>;
    resolve: (value: T) => void;
    reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((yes, no) => {
        resolve = yes;
        reject = no;
    });
    return { promise, resolve, reject };
}

/** Lets every settled promise's callbacks run. */
const flush = () => new Promise<void>((done) => setTimeout(done, 0));

const problemError = (status: number, errors?: { field: string; reason: string }[]) => {
    const problem = synthesizeProblem(status, 'Refused', 'no', '/v1/x');
    return new ApiError(errors ? { ...problem, errors } : problem);
};

/** A scripted fetch: each call waits for the test to answer it. */
function script<T>() {
    const calls: { args: unknown[]; signal: AbortSignal; answer: Deferred<T> }[] = [];
    return {
        calls,
        fn: (...args: unknown[]) => {
            const answer = deferred<T>();
            calls.push({ args: args.slice(0, -1), signal: args.at(-1) as AbortSignal, answer });
            return answer.promise;
        },
    };
}

describe('createLoader (useLoad)', () => {
    it('reports loading, then the data', async () => {
        const reads = script<string>();
        const states: LoadState<string>[] = [];
        const loader = createLoader((signal) => reads.fn(signal), (s) => states.push(s));
        loader.run();
        expect(states).toEqual([{ data: null, problem: null, loading: true }]);
        reads.calls[0]!.answer.resolve('first');
        await flush();
        expect(states.at(-1)).toEqual({ data: 'first', problem: null, loading: false });
    });

    it('keeps the data while a reload runs and when it fails', async () => {
        const reads = script<string>();
        const states: LoadState<string>[] = [];
        const loader = createLoader((signal) => reads.fn(signal), (s) => states.push(s));
        loader.run();
        reads.calls[0]!.answer.resolve('first');
        await flush();
        loader.run();
        expect(states.at(-1)).toEqual({ data: 'first', problem: null, loading: true });
        reads.calls[1]!.answer.reject(problemError(503));
        await flush();
        expect(states.at(-1)).toMatchObject({ data: 'first', loading: false, problem: { status: 503 } });
    });

    it('aborts a read that a newer one replaces, and ignores its late answer', async () => {
        const reads = script<string>();
        const states: LoadState<string>[] = [];
        const loader = createLoader((signal) => reads.fn(signal), (s) => states.push(s));
        loader.run();
        loader.run();
        expect(reads.calls[0]!.signal.aborted).toBe(true);
        expect(reads.calls[1]!.signal.aborted).toBe(false);
        reads.calls[1]!.answer.resolve('new');
        reads.calls[0]!.answer.resolve('old');
        await flush();
        expect(loader.state.data).toBe('new');
        expect(states.map((s) => s.data)).not.toContain('old');
    });

    it('aborts on dispose (the screen went away) and reports nothing more', async () => {
        const reads = script<string>();
        const states: LoadState<string>[] = [];
        const loader = createLoader((signal) => reads.fn(signal), (s) => states.push(s));
        loader.run();
        loader.dispose();
        expect(reads.calls[0]!.signal.aborted).toBe(true);
        reads.calls[0]!.answer.resolve('late');
        loader.run();
        loader.update(() => 'edited');
        await flush();
        expect(states).toHaveLength(1);
        expect(reads.calls).toHaveLength(1);
    });

    it('updates the data in place after a local change', async () => {
        const reads = script<number[]>();
        const loader = createLoader((signal) => reads.fn(signal), () => undefined);
        loader.update((list) => [...list, 0]);
        expect(loader.state.data).toBeNull();
        loader.run();
        reads.calls[0]!.answer.resolve([1, 2, 3]);
        await flush();
        loader.update((list) => list.filter((n) => n !== 2));
        expect(loader.state.data).toEqual([1, 3]);
    });
});

describe('createPagedList (usePagedList)', () => {
    type Item = { id: number };
    const page = (ids: number[], next: string | null): Page<Item> => ({ items: ids.map((id) => ({ id })), next });

    function setup() {
        const pages = script<Page<Item>>();
        const states: PagedState<Item>[] = [];
        const list = createPagedList<Item>(
            (cursor, signal) => pages.fn(cursor, signal),
            (item) => item.id,
            (s) => states.push(s),
        );
        const ids = () => list.state.items?.map((item) => item.id) ?? null;
        return { pages, states, list, ids };
    }

    it('reads the first page, then the next ones by cursor, never showing an item twice', async () => {
        const { pages, list, ids } = setup();
        list.reload();
        expect(pages.calls[0]!.args).toEqual([null]);
        pages.calls[0]!.answer.resolve(page([5, 4, 3], 'c1'));
        await flush();
        expect(ids()).toEqual([5, 4, 3]);
        expect(list.state).toMatchObject({ hasMore: true, loading: false });

        list.more();
        expect(pages.calls[1]!.args).toEqual(['c1']);
        // An item added meanwhile shifted the boundary: 3 comes again.
        pages.calls[1]!.answer.resolve(page([3, 2, 1], null));
        await flush();
        expect(ids()).toEqual([5, 4, 3, 2, 1]);
        expect(list.state.hasMore).toBe(false);

        list.more();
        expect(pages.calls).toHaveLength(2);
    });

    it('asks for one page at a time however often the end is reached', async () => {
        const { pages, list } = setup();
        list.more();
        expect(pages.calls).toHaveLength(0);
        list.reload();
        pages.calls[0]!.answer.resolve(page([3], 'c1'));
        await flush();
        list.more({ auto: true });
        list.more({ auto: true });
        list.more();
        expect(pages.calls).toHaveLength(2);
    });

    it('keeps the items when a page fails; scrolling does not retry, the button does', async () => {
        const { pages, list, ids } = setup();
        list.reload();
        pages.calls[0]!.answer.resolve(page([3], 'c1'));
        await flush();
        list.more();
        pages.calls[1]!.answer.reject(problemError(503));
        await flush();
        expect(ids()).toEqual([3]);
        expect(list.state).toMatchObject({ loading: false, hasMore: true, problem: { status: 503 } });

        list.more({ auto: true });
        expect(pages.calls).toHaveLength(2);
        list.more();
        expect(pages.calls[2]!.args).toEqual(['c1']);
        pages.calls[2]!.answer.resolve(page([2], null));
        await flush();
        expect(ids()).toEqual([3, 2]);
        expect(list.state.problem).toBeNull();
    });

    it('replaces the list on reload and aborts what it replaces', async () => {
        const { pages, list, ids } = setup();
        list.reload();
        pages.calls[0]!.answer.resolve(page([3, 2], 'c1'));
        await flush();
        list.more();
        list.reload();
        expect(pages.calls[1]!.signal.aborted).toBe(true);
        pages.calls[2]!.answer.resolve(page([4, 3], 'c2'));
        pages.calls[1]!.answer.resolve(page([1], null));
        await flush();
        expect(ids()).toEqual([4, 3]);
        list.dispose();
        list.more();
        expect(pages.calls).toHaveLength(3);
    });

    it('shows a first page that failed as a problem with no items', async () => {
        const { pages, list } = setup();
        list.reload();
        pages.calls[0]!.answer.reject(new TypeError('boom'));
        await flush();
        expect(list.state).toMatchObject({ items: null, loading: false, problem: { status: 500, detail: 'boom' } });
    });
});

describe('createSubmitter (useSubmit)', () => {
    function setup(problemOf?: (error: unknown) => ReturnType<typeof synthesizeProblem>) {
        const states: SubmitState[] = [];
        const submitter = createSubmitter((s) => states.push(s), problemOf);
        return { states, submitter };
    }

    it('shows busy while the task waits, then idle', async () => {
        const { states, submitter } = setup();
        const answer = deferred<void>();
        const done = submitter.run(() => answer.promise);
        await flush();
        expect(states).toEqual([{ busy: true, problem: null, invalid: {} }]);
        answer.resolve();
        await expect(done).resolves.toBe(true);
        expect(states.at(-1)).toEqual({ busy: false, problem: null, invalid: {} });
    });

    it('shows the form’s own field errors without ever showing busy', async () => {
        const { states, submitter } = setup();
        const done = await submitter.run(async () => {
            assertValid({ distance_m: 'must be a number' });
        });
        expect(done).toBe(false);
        expect(states).toEqual([{ busy: false, problem: null, invalid: { distance_m: 'must be a number' } }]);
        expect(errorsOf(states.at(-1)!)).toEqual({ distance_m: 'must be a number' });
        expect(() => assertValid({})).not.toThrow();
        expect(() => assertValid({ a: 'b' })).toThrow(InvalidFields);
    });

    it('maps the API’s problem+json field errors to the fields of the same name', async () => {
        const { submitter } = setup();
        await submitter.run(async () => {
            await Promise.resolve();
            throw problemError(400, [
                { field: 'password', reason: 'is too short' },
                { field: 'password', reason: 'is too common' },
                { field: 'email', reason: 'is taken' },
            ]);
        });
        expect(submitter.state).toMatchObject({ busy: false, invalid: {}, problem: { status: 400 } });
        expect(errorsOf(submitter.state)).toEqual({ password: 'is too short', email: 'is taken' });
    });

    it('clears the last errors when the next run starts waiting', async () => {
        const { states, submitter } = setup();
        await submitter.run(async () => assertValid({ name: 'is required' }));
        const answer = deferred<void>();
        const done = submitter.run(() => answer.promise);
        await flush();
        expect(states.at(-1)).toEqual({ busy: true, problem: null, invalid: {} });
        answer.reject(problemError(409));
        await done;
        expect(errorsOf(submitter.state)).toEqual({});
        expect(submitter.state.problem?.status).toBe(409);
    });

    it('ignores a second run while one is running (a double tap sends once)', async () => {
        const { submitter } = setup();
        const answer = deferred<void>();
        let calls = 0;
        const first = submitter.run(() => {
            calls += 1;
            return answer.promise;
        });
        const second = await submitter.run(async () => {
            calls += 1;
        });
        expect(second).toBe(false);
        answer.resolve();
        await expect(first).resolves.toBe(true);
        expect(calls).toBe(1);
        await expect(submitter.run(async () => undefined)).resolves.toBe(true);
    });

    it('words failures with problemOf and reports nothing once disposed', async () => {
        const { states, submitter } = setup(() => synthesizeProblem(429, 'Slow down', 'Try again in 30 s.', ''));
        await submitter.run(async () => {
            throw problemError(429);
        });
        expect(submitter.state.problem?.detail).toBe('Try again in 30 s.');
        const count = states.length;
        submitter.dispose();
        await submitter.run(async () => {
            await Promise.resolve();
        });
        expect(states).toHaveLength(count);
    });
});

describe('createKeyRing (useIdempotencyKeys)', () => {
    it('gives a retry of the same body the same key and an edited body a new one', () => {
        let n = 0;
        const ring = createKeyRing(() => `key-${++n}`);
        expect(ring.keyFor({ name: 'Run', distance_m: 5000 })).toBe('key-1');
        expect(ring.keyFor({ name: 'Run', distance_m: 5000 })).toBe('key-1');
        expect(ring.keyFor({ name: 'Run', distance_m: 5001 })).toBe('key-2');
        expect(ring.keyFor({ name: 'Run', distance_m: 5000 })).toBe('key-3');
    });
});
