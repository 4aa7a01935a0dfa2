// Shared by the upload screen and the recorder: what type a file is, and waiting for the server
// to finish an upload (it answers POST /v1/uploads before decoding the file).
import type { DataType, Upload } from './api';
import { ApiError } from './api/problem';

const kTypes: readonly DataType[] = ['gpx.gz', 'tcx.gz', 'fit.gz', 'gpx', 'tcx', 'fit'];

/** The data_type a file name announces, or undefined to let the server recognise the content. */
export function dataTypeOf(fileName: string): DataType | undefined {
    const lower = fileName.toLowerCase();
    return kTypes.find((type) => lower.endsWith(`.${type}`));
}

export interface PollOptions {
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
    /** First wait; each next one is 1.5 times longer, up to maxIntervalMs. */
    intervalMs?: number;
    maxIntervalMs?: number;
    /** Give up (with a timeout ApiError) after this long. */
    timeoutMs?: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls GET /v1/uploads/{id} until the upload is no longer `processing`. */
export async function pollUpload(getUpload: (id: number) => Promise<Upload>, upload: Upload, options: PollOptions = {}): Promise<Upload> {
    const sleep = options.sleep ?? realSleep;
    const now = options.now ?? (() => Date.now());
    const deadline = now() + (options.timeoutMs ?? 120_000);
    let interval = options.intervalMs ?? 150;
    let current = upload;
    while (current.status === 'processing') {
        if (now() >= deadline) {
            throw new ApiError({
                type: 'urn:strava1:problem:timeout',
                title: 'Still processing',
                status: 504,
                detail: 'The server is taking unusually long with this file. It will show up in your activities when done.',
                instance: `/v1/uploads/${upload.id}`,
                request_id: '',
            });
        }
        await sleep(interval);
        interval = Math.min(options.maxIntervalMs ?? 2_000, interval * 1.5);
        current = await getUpload(upload.id);
    }
    return current;
}

/** Every activity a ready upload made, in the file's order (a multisport file makes one per leg). */
export function activitiesOfUpload(upload: Upload): number[] {
    if (upload.status !== 'ready') {
        return [];
    }
    return upload.activity_ids.length > 0 ? upload.activity_ids : upload.activity_id !== null && upload.activity_id !== undefined ? [upload.activity_id] : [];
}

/** The activity an upload led to: the new one, or the one it duplicates. */
export function activityOfUpload(upload: Upload): number | null {
    if (upload.status === 'ready') {
        return upload.activity_id ?? upload.activity_ids[0] ?? null;
    }
    if (upload.status === 'duplicate') {
        return upload.duplicate_of;
    }
    return null;
}

/** Failures worth retrying later (no connection, server busy or restarting, the same key in flight). */
export function isRetryable(error: unknown): boolean {
    if (!(error instanceof ApiError)) {
        return false;
    }
    return error.network || error.status === 409 || error.status === 429 || error.status === 408 || error.status >= 500;
}
