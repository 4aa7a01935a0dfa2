import { describe, expect, it } from 'vitest';
import type { Upload } from '../../src/api';
import { ApiError, synthesizeProblem } from '../../src/api/problem';
import { memoryRecordingStore, pendingUploads, unfinishedRecording, activeMs, type Recording } from '../../src/record/store';
import { idempotencyKeyFor, retryDelayMs, syncRecording, type QueueDeps } from '../../src/record/upload-queue';
import type { TrackPoint } from '../../src/record/track';

const t0 = Date.UTC(2026, 10, 30, 7, 0, 0);

function recording(extra: Partial<Recording> = {}): Recording {
    return {
        id: 'r-1',
        sport: 'run',
        status: 'finished',
        segments: [{ start_ms: t0, end_ms: t0 + 60_000 }],
        auto_paused_ms: 0,
        finished_at_ms: t0 + 60_000,
        upload_id: null,
        error: null,
        ...extra,
    };
}

const point = (seq: number): TrackPoint => ({ seq, segment: 0, time_ms: t0 + seq * 1000, lat: 46 + seq * 1e-5, lng: 14, accuracy_m: 5, altitude_m: 300 });

function upload(extra: Partial<Upload>): Upload {
    return { id: 41, status: 'processing', data_type: 'gpx', external_id: null, activity_id: null, duplicate_of: null, error: null, activity_ids: [], created_at: '2026-11-30T07:01:00Z', ...extra };
}

const networkError = () => new ApiError(synthesizeProblem(503, "Can't reach the server", '', '/v1/uploads'), { network: true });

async function setup() {
    const store = memoryRecordingStore();
    await store.put(recording());
    for (let i = 0; i < 5; i++) {
        await store.addPoint('r-1', point(i));
    }
    const sent: { body: string; key: string; query: unknown; contentType: string }[] = [];
    const polled: number[] = [];
    const patched: { id: number; body: unknown }[] = [];
    let patchAnswer: () => Promise<void> = async () => undefined;
    let uploadAnswer: () => Promise<Upload> = async () => upload({});
    let pollAnswers: Upload[] = [upload({ status: 'ready', activity_id: 7, activity_ids: [7] })];
    const deps: QueueDeps = {
        store,
        uploadFile: async (file, options) => {
            sent.push({ body: await file.text(), key: options.idempotencyKey, query: options.query, contentType: options.contentType });
            return uploadAnswer();
        },
        getUpload: async (id) => {
            polled.push(id);
            return pollAnswers.shift() ?? upload({ status: 'ready', activity_id: 7, activity_ids: [7] });
        },
        updateActivity: async (id, body) => {
            patched.push({ id, body });
            return patchAnswer();
        },
        poll: { sleep: async () => undefined },
    };
    return {
        store,
        deps,
        sent,
        polled,
        patched,
        patchAnswer: (fn: () => Promise<void>) => (patchAnswer = fn),
        answer: (fn: () => Promise<Upload>) => (uploadAnswer = fn),
        polls: (answers: Upload[]) => (pollAnswers = answers),
    };
}

describe('syncRecording', () => {
    it('uploads the recording as GPX with a key made from its id, waits for the activity, then forgets it', async () => {
        const { store, deps, sent, polled } = await setup();
        expect(await syncRecording(deps, 'r-1')).toEqual({ state: 'uploaded', activityId: 7 });
        expect(sent).toHaveLength(1);
        expect(sent[0]!.key).toBe('recording-r-1');
        expect(sent[0]!.query).toEqual({ data_type: 'gpx', sport: 'run', external_id: 'recording-r-1' });
        expect(sent[0]!.contentType).toBe('application/gpx+xml');
        expect(sent[0]!.body.match(/<trkpt /g)).toHaveLength(5);
        expect(polled).toEqual([41]);
        expect(await store.get('r-1')).toBeNull();
        expect(await store.points('r-1')).toEqual([]);
    });

    it('keeps the recording queued when offline, and a retry sends the same key and body', async () => {
        const { store, deps, sent, answer } = await setup();
        answer(async () => {
            throw networkError();
        });
        expect(await syncRecording(deps, 'r-1')).toMatchObject({ state: 'waiting' });
        expect((await store.get('r-1'))?.status).toBe('finished');
        expect(await pendingUploads(store)).toHaveLength(1);
        expect(await store.points('r-1')).toHaveLength(5);

        // The server got the first request but its answer was lost: the same key replays it.
        answer(async () => upload({}));
        expect(await syncRecording(deps, 'r-1')).toEqual({ state: 'uploaded', activityId: 7 });
        expect(sent.map((s) => s.key)).toEqual(['recording-r-1', 'recording-r-1']);
        expect(sent[1]!.body).toBe(sent[0]!.body);
    });

    it('waits on a busy server (409 same key in flight, 429, 5xx) rather than failing', async () => {
        for (const status of [409, 429, 500, 503]) {
            const { deps, answer } = await setup();
            answer(async () => {
                throw new ApiError(synthesizeProblem(status, 'busy', '', '/v1/uploads'));
            });
            expect(await syncRecording(deps, 'r-1')).toMatchObject({ state: 'waiting' });
        }
    });

    it('only polls once the server has the upload (e.g. after a reload while processing)', async () => {
        const { store, deps, sent, polled, polls } = await setup();
        await store.put(recording({ upload_id: 41 }));
        polls([upload({ status: 'processing' }), upload({ status: 'ready', activity_id: 9, activity_ids: [9] })]);
        expect(await syncRecording(deps, 'r-1')).toEqual({ state: 'uploaded', activityId: 9 });
        expect(sent).toHaveLength(0);
        expect(polled).toEqual([41, 41]);
    });

    it('treats a duplicate as delivered (the activity exists)', async () => {
        const { deps, polls } = await setup();
        polls([upload({ status: 'duplicate', duplicate_of: 3 })]);
        expect(await syncRecording(deps, 'r-1')).toEqual({ state: 'uploaded', activityId: 3 });
    });

    it('marks the recording failed, with the reason, when the server refuses the file', async () => {
        const { store, deps, polls } = await setup();
        polls([upload({ status: 'error', error: 'line 3, column 1 (gpx/trk): no points' })]);
        expect(await syncRecording(deps, 'r-1')).toEqual({ state: 'failed', reason: 'line 3, column 1 (gpx/trk): no points' });
        expect(await store.get('r-1')).toMatchObject({ status: 'failed', error: 'line 3, column 1 (gpx/trk): no points', upload_id: 41 });
        expect(await pendingUploads(store)).toHaveLength(0);
        // A refused recording is not sent again.
        expect(await syncRecording(deps, 'r-1')).toMatchObject({ state: 'failed' });
    });

    it('fails for good on a 422 answer to the upload itself', async () => {
        const { store, deps, answer } = await setup();
        answer(async () => {
            throw new ApiError({ ...synthesizeProblem(422, 'Unprocessable', 'not a GPX, TCX or FIT file', '/v1/uploads') });
        });
        expect(await syncRecording(deps, 'r-1')).toEqual({ state: 'failed', reason: 'not a GPX, TCX or FIT file' });
        expect((await store.get('r-1'))?.status).toBe('failed');
    });

    it('backs off up to a minute', () => {
        expect([0, 1, 2, 3, 4, 10].map(retryDelayMs)).toEqual([2_000, 5_000, 15_000, 30_000, 60_000, 60_000]);
        expect(idempotencyKeyFor({ id: 'abc' })).toBe('recording-abc');
    });
});

describe('recording store', () => {
    it('finds the recording to resume and times only the recorded stretches', async () => {
        const store = memoryRecordingStore();
        await store.put(recording({ id: 'done', status: 'finished' }));
        await store.put(recording({ id: 'live', status: 'paused', segments: [{ start_ms: t0, end_ms: t0 + 30_000 }, { start_ms: t0 + 90_000, end_ms: null }], auto_paused_ms: 5_000 }));
        const live = await unfinishedRecording(store);
        expect(live?.id).toBe('live');
        // 30 s + 20 s of the running stretch − 5 s auto-paused − 4 s of the auto-pause going on now.
        expect(activeMs(live!, t0 + 110_000, t0 + 106_000)).toBe(41_000);
        expect((await pendingUploads(store)).map((r) => r.id)).toEqual(['done']);
    });
});

describe('the Save sheet details', () => {
    const details = { name: 'Lunch Run by the river', description: 'Easy one', sport: 'trail_run' as const, visibility: 'followers' as const, perceived_exertion: 6 };

    it('go with the upload (name, description, sport) and a PATCH (visibility, effort) once the activity exists', async () => {
        const { store, deps, sent, patched } = await setup();
        await store.put(recording({ details }));
        expect(await syncRecording(deps, 'r-1')).toEqual({ state: 'uploaded', activityId: 7 });
        expect(sent[0]?.query).toEqual({ data_type: 'gpx', sport: 'trail_run', external_id: 'recording-r-1', name: 'Lunch Run by the river', description: 'Easy one' });
        expect(patched).toEqual([{ id: 7, body: { visibility: 'followers', perceived_exertion: 6 } }]);
        expect(await store.list()).toEqual([]);
    });

    it('hide the activity from the feed through the upload when the switch was on, and not otherwise', async () => {
        const { store, deps, sent } = await setup();
        await store.put(recording({ details: { ...details, hide_from_feed: true } }));
        // What the queue sends is what the store kept (IndexedDB in the app: it survives a reload).
        expect((await store.get('r-1'))?.details?.hide_from_feed).toBe(true);
        await syncRecording(deps, 'r-1');
        expect(sent[0]?.query).toEqual({ data_type: 'gpx', sport: 'trail_run', external_id: 'recording-r-1', name: 'Lunch Run by the river', description: 'Easy one', hide_from_feed: 'true' });
        const off = await setup();
        await off.store.put(recording({ details: { ...details, hide_from_feed: false } }));
        await syncRecording(off.deps, 'r-1');
        expect(off.sent[0]?.query).not.toHaveProperty('hide_from_feed');
    });

    it('leave an unset effort and an empty description out', async () => {
        const { store, deps, sent, patched } = await setup();
        await store.put(recording({ details: { ...details, description: '  ', perceived_exertion: null } }));
        await syncRecording(deps, 'r-1');
        expect(sent[0]?.query).not.toHaveProperty('description');
        expect(patched[0]?.body).toEqual({ visibility: 'followers' });
    });

    it('a PATCH lost to the network is retried without uploading again', async () => {
        const { store, deps, sent, patched, patchAnswer } = await setup();
        await store.put(recording({ details }));
        patchAnswer(async () => {
            throw networkError();
        });
        expect(await syncRecording(deps, 'r-1')).toMatchObject({ state: 'waiting' });
        expect((await store.get('r-1'))?.activity_id).toBe(7);
        patchAnswer(async () => undefined);
        expect(await syncRecording(deps, 'r-1')).toEqual({ state: 'uploaded', activityId: 7 });
        expect(sent).toHaveLength(1);
        expect(patched).toHaveLength(2);
    });

    it('a recording without details (stored by an older version) uploads as before, with no PATCH', async () => {
        const { deps, sent, patched } = await setup();
        await syncRecording(deps, 'r-1');
        expect(sent[0]?.query).toEqual({ data_type: 'gpx', sport: 'run', external_id: 'recording-r-1' });
        expect(patched).toEqual([]);
    });
});
