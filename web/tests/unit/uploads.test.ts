import { describe, expect, it } from 'vitest';
import type { Upload } from '../../src/api';
import { ApiError, synthesizeProblem } from '../../src/api/problem';
import { activitiesOfUpload, activityOfUpload, dataTypeOf, isRetryable, kMaxUploadBytes, pollUpload, refusedBeforeSending } from '../../src/uploads';

const base: Upload = { id: 5, status: 'processing', data_type: 'fit', external_id: null, activity_id: null, duplicate_of: null, error: null, activity_ids: [], created_at: '2026-11-30T07:00:00Z' };

const bytes = (text: string) => new TextEncoder().encode(text);
const fitHead = new Uint8Array([14, 0x10, 0, 0, 0, 0, 0, 0, 0x2e, 0x46, 0x49, 0x54, 0, 0, 0, 0]);

describe('uploads', () => {
    it('refuses files the server would not take, before sending, in plain words', () => {
        expect(refusedBeforeSending('notes.txt', 5, bytes('hello'))).toBe("This isn't a workout file. Choose a GPX, TCX or FIT file (or one of them gzipped, .gz).");
        expect(refusedBeforeSending('run.gpx', 0, new Uint8Array())).toBe('This file is empty.');
        expect(refusedBeforeSending('run.gpx', kMaxUploadBytes + 1, bytes('<gpx'))).toBe('This file is larger than 25 MiB, the most the server takes.');
        expect(refusedBeforeSending('run.gpx', 5, bytes('hello'))).toBe('This file is named .gpx but is not a GPX file.');
        expect(refusedBeforeSending('ride.fit', 16, bytes('<?xml version="1'))).toBe('This file is named .fit but is not a FIT file.');
        expect(refusedBeforeSending('ride.fit.gz', 16, bytes('<?xml version="1'))).toMatch(/named \.gz but is not compressed/);
        expect(refusedBeforeSending('Run.GPX', 100, bytes('\ufeff  \n<?xml version'))).toBeNull();
        expect(refusedBeforeSending('run.tcx', 100, bytes('<TrainingCenter'))).toBeNull();
        expect(refusedBeforeSending('ride.FIT', 100, fitHead)).toBeNull();
        expect(refusedBeforeSending('export.gz', 100, new Uint8Array([0x1f, 0x8b, 8]))).toBeNull();
    });

    it('tells the data type from the file name', () => {
        expect(dataTypeOf('Morning_Run.GPX')).toBe('gpx');
        expect(dataTypeOf('ride.fit.gz')).toBe('fit.gz');
        expect(dataTypeOf('x.tcx.gz')).toBe('tcx.gz');
        expect(dataTypeOf('activity.zip')).toBeUndefined();
        expect(dataTypeOf('gpx')).toBeUndefined();
    });

    it('polls with growing waits until the upload is done', async () => {
        const waits: number[] = [];
        const answers: Upload['status'][] = ['processing', 'processing', 'processing', 'ready'];
        const done = await pollUpload(async (id) => ({ ...base, id, status: answers.shift()!, activity_id: 9, activity_ids: [9] }), base, {
            sleep: async (ms) => void waits.push(ms),
            intervalMs: 100,
            maxIntervalMs: 300,
        });
        expect(done.status).toBe('ready');
        expect(waits).toEqual([100, 150, 225, 300]);
        // An upload that is already done needs no request at all.
        expect(await pollUpload(async () => Promise.reject(new Error('no call expected')), { ...base, status: 'error' })).toMatchObject({ status: 'error' });
    });

    it('gives up with a retryable timeout', async () => {
        let clock = 0;
        const error = await pollUpload(async () => base, base, { sleep: async (ms) => void (clock += ms), now: () => clock, timeoutMs: 1_000 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).status).toBe(504);
        expect(isRetryable(error)).toBe(true);
    });

    it('names the activity a finished upload led to', () => {
        expect(activityOfUpload({ ...base, status: 'ready', activity_id: 3, activity_ids: [3, 4] })).toBe(3);
        expect(activityOfUpload({ ...base, status: 'ready', activity_ids: [4] })).toBe(4);
        expect(activityOfUpload({ ...base, status: 'duplicate', duplicate_of: 2 })).toBe(2);
        expect(activityOfUpload({ ...base, status: 'error', error: 'bad' })).toBeNull();
        expect(activitiesOfUpload({ ...base, status: 'ready', activity_id: 4, activity_ids: [4, 5, 6] })).toEqual([4, 5, 6]);
        expect(activitiesOfUpload({ ...base, status: 'ready', activity_id: 4, activity_ids: [] })).toEqual([4]);
        expect(activitiesOfUpload({ ...base, status: 'duplicate', duplicate_of: 2 })).toEqual([]);
    });

    it('retries only what may succeed later', () => {
        expect(isRetryable(new ApiError(synthesizeProblem(503, '', '', ''), { network: true }))).toBe(true);
        expect(isRetryable(new ApiError(synthesizeProblem(409, '', '', '')))).toBe(true);
        expect(isRetryable(new ApiError(synthesizeProblem(422, '', '', '')))).toBe(false);
        expect(isRetryable(new ApiError(synthesizeProblem(413, '', '', '')))).toBe(false);
        expect(isRetryable(new Error('bug'))).toBe(false);
    });
});
