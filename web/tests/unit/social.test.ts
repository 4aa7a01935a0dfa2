// The social screens' pure parts: mentions and links in post and comment text, and the optimistic
// kudos / like toggle.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mentionedNames, parseRichText } from '../../src/social/rich-text';
import { ApiError, synthesizeProblem } from '../../src/api/problem';
import { retryHint, withRetryHint } from '../../src/social/limits';
import { kReportReasons } from '../../src/social/report';
import { threadComments } from '../../src/social/thread';
import { createToggle, flipped, type Tally, type ToggleState } from '../../src/social/toggle';

describe('parseRichText', () => {
    it('links mentions, lower-cased, leaving the text around them', () => {
        expect(parseRichText('Great run @Bea_Runner!')).toEqual([
            { kind: 'text', text: 'Great run ' },
            { kind: 'mention', text: '@Bea_Runner', username: 'bea_runner' },
            { kind: 'text', text: '!' },
        ]);
    });

    it('ends a mention before a full stop, as the server does', () => {
        expect(parseRichText('Thanks @bea.')).toEqual([
            { kind: 'text', text: 'Thanks ' },
            { kind: 'mention', text: '@bea', username: 'bea' },
            { kind: 'text', text: '.' },
        ]);
        expect(parseRichText('@ann.lee runs')[0]).toEqual({ kind: 'mention', text: '@ann.lee', username: 'ann.lee' });
    });

    it('is not fooled by e-mail addresses, short names or a lone @', () => {
        expect(parseRichText('mail ann@example.com')).toEqual([{ kind: 'text', text: 'mail ann@example.com' }]);
        expect(parseRichText('@ab and @ and @')).toEqual([{ kind: 'text', text: '@ab and @ and @' }]);
        expect(parseRichText(`@${'a'.repeat(31)}`)).toEqual([{ kind: 'text', text: `@${'a'.repeat(31)}` }]);
    });

    it('links http(s) addresses without the punctuation that ends the sentence', () => {
        expect(parseRichText('Route: https://example.com/r?id=1. (see http://a.test/x)')).toEqual([
            { kind: 'text', text: 'Route: ' },
            { kind: 'link', text: 'https://example.com/r?id=1', href: 'https://example.com/r?id=1' },
            { kind: 'text', text: '. (see ' },
            { kind: 'link', text: 'http://a.test/x', href: 'http://a.test/x' },
            { kind: 'text', text: ')' },
        ]);
    });

    it('never links other schemes or an address glued to a word', () => {
        expect(parseRichText('javascript:alert(1) xhttps://a.test ftp://a.test')).toEqual([{ kind: 'text', text: 'javascript:alert(1) xhttps://a.test ftp://a.test' }]);
        expect(parseRichText('https://')).toEqual([{ kind: 'text', text: 'https://' }]);
    });

    it('lists each mentioned name once, in order', () => {
        expect(mentionedNames('@bea @Cid hi @BEA')).toEqual(['bea', 'cid']);
    });
});

describe('optimistic toggle', () => {
    function harness(initial: Tally) {
        const states: ToggleState[] = [];
        const errors: unknown[] = [];
        let settle: { resolve: (t: Tally) => void; reject: (e: unknown) => void } | null = null;
        const sent: boolean[] = [];
        const toggle = createToggle(
            initial,
            (want) => {
                sent.push(want);
                return new Promise<Tally>((resolve, reject) => {
                    settle = { resolve, reject };
                });
            },
            (state) => states.push(state),
            (error) => errors.push(error),
        );
        return { toggle, states, errors, sent, settle: () => settle! };
    }

    it('flips the count and the mark', () => {
        expect(flipped({ count: 0, mine: false })).toEqual({ count: 1, mine: true });
        expect(flipped({ count: 3, mine: true })).toEqual({ count: 2, mine: false });
        expect(flipped({ count: 0, mine: true })).toEqual({ count: 0, mine: false });
    });

    it('shows the kudos at once, then the server tally', async () => {
        const h = harness({ count: 2, mine: false });
        const done = h.toggle.tap();
        expect(h.toggle.state).toEqual({ count: 3, mine: true, busy: true });
        expect(h.sent).toEqual([true]);
        h.settle().resolve({ count: 5, mine: true });
        await done;
        expect(h.toggle.state).toEqual({ count: 5, mine: true, busy: false });
        expect(h.errors).toEqual([]);
    });

    it('rolls back on an error and reports it', async () => {
        const h = harness({ count: 1, mine: true });
        const done = h.toggle.tap();
        expect(h.toggle.state).toEqual({ count: 0, mine: false, busy: true });
        h.settle().reject(new Error('offline'));
        await done;
        expect(h.toggle.state).toEqual({ count: 1, mine: true, busy: false });
        expect(h.errors).toHaveLength(1);
    });

    it('ignores taps and resets while one is on its way', async () => {
        const h = harness({ count: 0, mine: false });
        const done = h.toggle.tap();
        await h.toggle.tap();
        h.toggle.reset({ count: 9, mine: false });
        expect(h.sent).toEqual([true]);
        expect(h.toggle.state.count).toBe(1);
        h.settle().resolve({ count: 1, mine: true });
        await done;
        h.toggle.reset({ count: 4, mine: true });
        expect(h.toggle.state).toEqual({ count: 4, mine: true, busy: false });
    });
});

describe('retryHint', () => {
    it('rounds the wait up to whole minutes', () => {
        expect(retryHint(1)).toBe('Try again in 1 minute.');
        expect(retryHint(60)).toBe('Try again in 1 minute.');
        expect(retryHint(61)).toBe('Try again in 2 minutes.');
        expect(retryHint(3600)).toBe('Try again in 60 minutes.');
    });
});

describe('threadComments', () => {
    const c = (id: number, reply_to: number | null = null) => ({ id, reply_to });
    it('puts replies under their comment, in order, and keeps orphans at the top level', () => {
        const threaded = threadComments([c(1), c(2), c(3, 1), c(4, 2), c(5, 1), c(6, 99)]);
        expect(threaded.map(({ comment, reply }) => `${comment.id}${reply ? 'r' : ''}`)).toEqual(['1', '3r', '5r', '2', '4r', '6']);
    });
});

describe('withRetryHint', () => {
    it('adds the wait to a 429 and leaves other problems alone', () => {
        const limited = new ApiError(synthesizeProblem(429, 'Too many requests', 'At most 200 comments an hour.', '/v1/activities/1/comments'), { retryAfterS: 125 });
        expect(withRetryHint(limited).detail).toBe('At most 200 comments an hour. Try again in 3 minutes.');
        const other = new ApiError(synthesizeProblem(404, 'Not found', 'No such activity.', '/v1/activities/1/comments'));
        expect(withRetryHint(other).detail).toBe('No such activity.');
    });
});

describe('report reasons', () => {
    it('are exactly the reasons POST /v1/reports accepts, in its order', () => {
        const doc = parse(readFileSync(new URL('../../../docs/api/openapi.yaml', import.meta.url), 'utf8'));
        expect(kReportReasons.map((r) => r.value)).toEqual(doc.components.schemas.ReportInput.properties.reason.enum);
    }, 30_000); // parsing the whole API document takes seconds on a loaded machine
});
