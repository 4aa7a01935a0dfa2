import { describe, expect, it } from 'vitest';
import { describeUserAgent, newIdempotencyKey, timeAgo } from '../../src/screens/format';

describe('describeUserAgent', () => {
    it('names common browsers and systems', () => {
        expect(describeUserAgent('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36')).toBe('Chrome on Android');
        expect(describeUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1')).toBe('Safari on iOS');
        expect(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe('Firefox on Linux');
        expect(describeUserAgent('curl/8.5.0')).toBe('curl/8.5.0');
        expect(describeUserAgent(null)).toBe('Unknown device');
    });
});

describe('timeAgo', () => {
    const now = Date.parse('2025-06-10T12:00:00Z');
    it('speaks relative times and falls back to dates', () => {
        expect(timeAgo('2025-06-10T11:59:40Z', now, 'en')).toBe('just now');
        expect(timeAgo('2025-06-10T11:55:00Z', now, 'en')).toBe('5 minutes ago');
        expect(timeAgo('2025-06-09T12:00:00Z', now, 'en')).toBe('yesterday');
        expect(timeAgo('2025-01-02T00:00:00Z', now, 'en')).toBe('Jan 2, 2025');
        expect(timeAgo('not a date', now, 'en')).toBe('not a date');
    });
});

describe('newIdempotencyKey', () => {
    it('is unique and within the 255 character limit', () => {
        const keys = new Set(Array.from({ length: 100 }, newIdempotencyKey));
        expect(keys.size).toBe(100);
        for (const key of keys) {
            expect(key.length).toBeLessThanOrEqual(255);
        }
    });
});
