import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/problem';
import type { Problem } from '../../src/api';
import { fieldErrors, humanizeField, plainField, plainProblem, toProblem, unplacedErrors } from '../../src/ui/problem';

const problem: Problem = {
    type: 'urn:strava1:problem:invalid-argument',
    title: 'Invalid request',
    status: 400,
    detail: 'password: too short; password: too common; nickname: unknown field',
    instance: '/v1/auth/signup',
    request_id: 'abc',
    errors: [
        { field: 'password', reason: 'too short' },
        { field: 'password', reason: 'too common' },
        { field: 'nickname', reason: 'is not a known field' },
    ],
};

describe('problem helpers', () => {
    it('keeps the first reason per field', () => {
        expect(fieldErrors(problem)).toEqual({ password: 'too short', nickname: 'is not a known field' });
        expect(fieldErrors(null)).toEqual({});
    });

    it('leaves errors for fields the form does not show to the banner', () => {
        expect(unplacedErrors(problem, ['password', 'email'])).toEqual([{ field: 'nickname', reason: 'is not a known field' }]);
    });

    it('turns anything thrown into a problem', () => {
        expect(toProblem(new ApiError(problem))).toBe(problem);
        expect(toProblem(new Error('boom'))).toMatchObject({ status: 500, detail: 'boom', type: 'urn:strava1:problem:internal' });
    });

    it('labels field names for people', () => {
        expect(humanizeField('display_name')).toBe('Display name');
        expect(humanizeField('items[2].max_hr_bpm')).toBe('Items max hr bpm');
    });

    it('says a problem in plain words: no field paths, no status titles', () => {
        expect(plainField('body.start_time')).toBe('Start time');
        expect(plainField('items[2].max_hr_bpm')).toBe('Max hr');
        const plain = plainProblem(problem, ['password']);
        expect(plain.headline).toBe('Please check what you entered.');
        expect(plain.detail).toBe('');
        expect(plain.items).toEqual(['Nickname: is not a known field']);
        expect(plainProblem(problem, ['password', 'nickname']).detail).toBe('The highlighted fields need another look.');
        const unreadable: Problem = { ...problem, type: 'urn:strava1:problem:unprocessable', title: 'Unprocessable request', status: 422, detail: 'This file is empty', errors: [] };
        expect(plainProblem(unreadable)).toEqual({ headline: "We couldn't do that.", detail: 'This file is empty.', items: [] });
        const offline: Problem = { ...problem, type: 'urn:strava1:problem:unavailable', title: "Can't reach the server", status: 503, detail: 'Check your connection and try again.', request_id: '', errors: [] };
        expect(plainProblem(offline).headline).toBe("Can't reach the server.");
    });
});
