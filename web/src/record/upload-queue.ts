// Delivers finished recordings: GPX from the stored points, POST /v1/uploads with an
// Idempotency-Key made from the recording id (a retry after a lost answer replays the first
// answer instead of importing twice), then polling until the activity exists.
import type { ActivityUpdate, Upload, UploadQuery } from '../api';
import { activityOfUpload, isRetryable, pollUpload, type PollOptions } from '../uploads';
import { writeGpx } from './gpx';
import type { Recording, RecordingStore } from './store';

export interface QueueDeps {
    store: RecordingStore;
    uploadFile: (file: Blob, options: { query: UploadQuery; contentType: string; idempotencyKey: string }) => Promise<Upload>;
    getUpload: (uploadId: number) => Promise<Upload>;
    /** PATCH /v1/activities/{id}: the Save sheet's fields the upload cannot carry. */
    updateActivity: (activityId: number, body: ActivityUpdate) => Promise<unknown>;
    poll?: PollOptions;
}

export type SyncResult =
    | { state: 'uploaded'; activityId: number }
    /** Not delivered yet (offline, server busy); the recording stays queued. */
    | { state: 'waiting'; reason: string }
    | { state: 'failed'; reason: string };

export function idempotencyKeyFor(recording: Pick<Recording, 'id'>): string {
    return `recording-${recording.id}`;
}

/** The upload's query: the file's type and id, and the Save sheet's name, description, sport and hide-from-feed. */
export function uploadQueryFor(recording: Recording): UploadQuery {
    const query: UploadQuery = { data_type: 'gpx', sport: recording.sport, external_id: idempotencyKeyFor(recording) };
    const details = recording.details;
    if (details) {
        query.sport = details.sport;
        const name = details.name.trim();
        if (name) {
            query.name = name;
        }
        const description = details.description.trim();
        if (description) {
            query.description = description;
        }
        if (details.hide_from_feed) {
            query.hide_from_feed = 'true';
        }
    }
    return query;
}

/** The Save sheet's fields an upload has no parameter for (PATCHed once the activity exists). */
export function detailsUpdate(recording: Recording): ActivityUpdate | null {
    const details = recording.details;
    if (!details) {
        return null;
    }
    const update: ActivityUpdate = { visibility: details.visibility };
    if (details.perceived_exertion !== null) {
        update.perceived_exertion = details.perceived_exertion;
    }
    return update;
}

/** Waits between attempts while a recording cannot be delivered: 2 s, 5 s, 15 s, 30 s, then every minute. */
export function retryDelayMs(attempt: number): number {
    const steps = [2_000, 5_000, 15_000, 30_000];
    return steps[attempt] ?? 60_000;
}

function reasonOf(error: unknown): string {
    if (error instanceof Error) {
        return error.message;
    }
    return String(error);
}

/** One delivery attempt for the recording `id`. Never throws for server or network failures. */
export async function syncRecording(deps: QueueDeps, id: string): Promise<SyncResult> {
    let recording = await deps.store.get(id);
    if (!recording) {
        return { state: 'failed', reason: 'The recording is no longer on this device.' };
    }
    if (recording.status === 'failed') {
        return { state: 'failed', reason: recording.error ?? 'The server refused the recording.' };
    }
    try {
        let upload: Upload;
        if (recording.upload_id === null) {
            const points = await deps.store.points(id);
            const gpx = writeGpx({ sport: recording.sport, points });
            upload = await deps.uploadFile(new Blob([gpx], { type: 'application/gpx+xml' }), {
                query: uploadQueryFor(recording),
                contentType: 'application/gpx+xml',
                idempotencyKey: idempotencyKeyFor(recording),
            });
            recording = { ...recording, upload_id: upload.id };
            await deps.store.put(recording);
        } else {
            upload = await deps.getUpload(recording.upload_id);
        }
        const final = await pollUpload(deps.getUpload, upload, deps.poll);
        const activityId = activityOfUpload(final);
        if (activityId === null) {
            const reason = final.error ?? 'The server could not import the recording.';
            await deps.store.put({ ...recording, upload_id: final.id, status: 'failed', error: reason });
            return { state: 'failed', reason };
        }
        const update = detailsUpdate(recording);
        if (update) {
            // Kept until the PATCH went through, so a lost connection here retries only the PATCH
            // (the upload replays its first answer by its Idempotency-Key).
            await deps.store.put({ ...recording, upload_id: final.id, activity_id: activityId });
            await deps.updateActivity(activityId, update);
        }
        await deps.store.remove(id);
        return { state: 'uploaded', activityId };
    } catch (error) {
        if (isRetryable(error)) {
            return { state: 'waiting', reason: reasonOf(error) };
        }
        const reason = reasonOf(error);
        await deps.store.put({ ...recording, status: 'failed', error: reason });
        return { state: 'failed', reason };
    }
}
