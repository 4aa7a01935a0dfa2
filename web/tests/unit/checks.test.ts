import { describe, expect, it } from 'vitest';
import { date, email, found, newPassword, numberIn, required } from '../../src/ui/checks';

describe('form checks before sending', () => {
    it('asks for an email address of the shape the server takes', () => {
        expect(email('')).toBe('Enter your email address.');
        expect(email('not-an-email')).toBe('Enter an email address like name@example.com.');
        expect(email('a@b')).toBe('Enter an email address like name@example.com.');
        expect(email('a b@example.com')).toBe('Enter an email address like name@example.com.');
        expect(email(' ana@example.com ')).toBeUndefined();
    });

    it("holds a new password to the server's length rule", () => {
        expect(newPassword('')).toBe('Choose a password.');
        expect(newPassword('short')).toBe('Use at least 10 characters (this one has 5).');
        expect(newPassword('x'.repeat(129))).toBe('Use at most 128 characters.');
        expect(newPassword('long enough pass')).toBeUndefined();
    });

    it('checks required fields, numbers in range and real days', () => {
        expect(required('  ')).toBe('Fill this in.');
        expect(required('x')).toBeUndefined();
        expect(numberIn('', 1, 10)).toBeUndefined();
        expect(numberIn('', 1, 10, true)).toBe('Fill this in.');
        expect(numberIn('abc', 1, 10)).toBe('Enter a number.');
        expect(numberIn('11', 1, 10)).toBe('Enter a number from 1 to 10.');
        expect(numberIn('2,5', 1, 10)).toBeUndefined();
        expect(date('2023-02-30')).toBe('Enter a date like 1990-04-23.');
        expect(date('2030-01-01', { pastOnly: true, today: '2026-12-07' })).toBe('Enter a date in the past.');
        expect(date('1990-04-23', { pastOnly: true, today: '2026-12-07' })).toBeUndefined();
        expect(found({ a: undefined, b: 'Fill this in.' })).toEqual({ b: 'Fill this in.' });
    });
});
