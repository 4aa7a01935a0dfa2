// Shared by the upload screen and the recorder: what type a file is, and waiting for the server
// to finish an upload (it answers POST /v1/uploads before decoding the file).
import type { DataType, Upload } from './api';
import { ApiError } from './api/problem';

const kTypes: readonly DataType[] = ['gpx.gz', 'tcx.gz', 'fit.gz', 'gpx', 'tcx', 'fit'];

/** The server's upload limit (ARCHITECTURE.md section 5). */
export const kMaxUploadBytes = 25 * 1024 * 1024;

/** How many bytes of a file refusedBeforeSending looks at. */
export const kHeadBytes = 16;

/** The types the server takes, for messages. */
const kTypesInWords = 'a GPX, TCX or FIT file (or one of them gzipped, .gz)';

/**
 * Why a file should not be sent at all, in plain words, or null: a name the server takes (.gpx,
 * .tcx, .fit, their .gz, or a .gz the server will look inside) and first bytes that match it
 * (gzip's 1f 8b; FIT's header size 12 or 14 and ".FIT" at byte 8; XML's "<" after a BOM and
 * blanks). `head` holds the file's first kHeadBytes bytes (fewer when it is shorter).
 */
export function refusedBeforeSending(name: string, size: number, head: Uint8Array): string | null {
    if (size === 0) {
        return 'This file is empty.';
    }
    if (size > kMaxUploadBytes) {
        return 'This file is larger than 25 MiB, the most the server takes.';
    }
    const lower = name.toLowerCase();
    const type = dataTypeOf(lower) ?? (lower.endsWith('.gz') ? 'gz' : undefined);
    if (!type) {
        return `This isn't a workout file. Choose ${kTypesInWords}.`;
    }
    const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
    if (type.endsWith('gz')) {
        return gzip ? null : `This file is named .gz but is not compressed. Choose ${kTypesInWords}.`;
    }
    const kind = type.toUpperCase();
    if (type === 'fit') {
        const signature = String.fromCharCode(...head.slice(8, 12));
        return (head[0] === 12 || head[0] === 14) && signature === '.FIT' ? null : `This file is named .fit but is not a FIT file.`;
    }
    let at = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;  // UTF-8 BOM
    while (at < head.length && (head[at] === 0x20 || head[at] === 0x09 || head[at] === 0x0a || head[at] === 0x0d)) {
        at += 1;
    }
    // A head of blanks only (a long indent) is left to the server to judge.
    return at === head.length || head[at] === 0x3c ? null : `This file is named .${type} but is not a ${kind} file.`;
}

/** refusedBeforeSending for a picked file: reads only its first bytes. */
export async function refusalOf(file: File): Promise<string | null> {
    const head = new Uint8Array(await file.slice(0, kHeadBytes).arrayBuffer());
    return refusedBeforeSending(file.name, file.size, head);
}

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
