// Where recordings live on the device until the server has them. The interface is what the
// recorder and the upload queue use; idb-store.ts implements it over IndexedDB for the app, and
// memoryRecordingStore() here serves tests.
import type { Sport, Visibility } from '../api';
import type { TrackPoint } from './track';

export type RecordingStatus =
    /** GPS is being recorded. */
    | 'recording'
    /** Paused by the athlete (or by a reload: recording resumes only on request). */
    | 'paused'
    /** Finished; in the upload queue until the server has made the activity. */
    | 'finished'
    /** The server refused the file for good (e.g. it found it unreadable); see `error`. */
    | 'failed';

/** What the athlete chose in the Save sheet; sent with the upload (and a PATCH for the rest). */
export interface SaveDetails {
    name: string;
    description: string;
    sport: Sport;
    visibility: Visibility;
    /** 1–10, or null when not given. */
    perceived_exertion: number | null;
    /** Kept out of followers' home feeds (absent in recordings stored by older versions). */
    hide_from_feed?: boolean;
}

export interface Recording {
    /** A random id made on the device; the upload's Idempotency-Key derives from it. */
    id: string;
    sport: Sport;
    status: RecordingStatus;
    /** Wall-clock stretches of recording, one per start or resume (end null while running). */
    segments: { start_ms: number; end_ms: number | null }[];
    /** Time spent auto-paused, left out of the timer. */
    auto_paused_ms: number;
    finished_at_ms: number | null;
    /** Set once POST /v1/uploads answered, so later attempts only poll. */
    upload_id: number | null;
    error: string | null;
    /** Set on finishing through the Save sheet (absent in recordings stored by older versions). */
    details?: SaveDetails | null;
    /** The activity made from the upload, kept while its details are still to be sent. */
    activity_id?: number | null;
}

export interface RecordingStore {
    put(recording: Recording): Promise<void>;
    get(id: string): Promise<Recording | null>;
    /** Every stored recording, oldest first. */
    list(): Promise<Recording[]>;
    addPoint(recordingId: string, point: TrackPoint): Promise<void>;
    /** The recording's points in `seq` order. */
    points(recordingId: string): Promise<TrackPoint[]>;
    /** Removes the recording and its points. */
    remove(recordingId: string): Promise<void>;
}

/** The recordings the upload queue still has to deliver. */
export async function pendingUploads(store: RecordingStore): Promise<Recording[]> {
    return (await store.list()).filter((recording) => recording.status === 'finished');
}

/** The recording a reload should bring back to the record screen, if any. */
export async function unfinishedRecording(store: RecordingStore): Promise<Recording | null> {
    return (await store.list()).find((recording) => recording.status === 'recording' || recording.status === 'paused') ?? null;
}

/** The timer: recorded stretches up to `now`, auto-pauses left out. */
export function activeMs(recording: Recording, now: number, autoPausedSince: number | null = null): number {
    let total = 0;
    for (const segment of recording.segments) {
        total += Math.max(0, (segment.end_ms ?? now) - segment.start_ms);
    }
    total -= recording.auto_paused_ms;
    if (autoPausedSince !== null) {
        total -= Math.max(0, now - autoPausedSince);
    }
    return Math.max(0, total);
}

export function memoryRecordingStore(): RecordingStore & { failWrites: boolean } {
    const recordings = new Map<string, Recording>();
    const points = new Map<string, Map<number, TrackPoint>>();
    const copy = <T>(value: T): T => structuredClone(value);
    const store = {
        failWrites: false,
        async put(recording: Recording) {
            if (store.failWrites) {
                throw new Error('write failed');
            }
            recordings.set(recording.id, copy(recording));
        },
        async get(id: string) {
            const found = recordings.get(id);
            return found ? copy(found) : null;
        },
        async list() {
            return [...recordings.values()].map(copy);
        },
        async addPoint(recordingId: string, point: TrackPoint) {
            if (store.failWrites) {
                throw new Error('write failed');
            }
            let map = points.get(recordingId);
            if (!map) {
                map = new Map();
                points.set(recordingId, map);
            }
            map.set(point.seq, copy(point));
        },
        async points(recordingId: string) {
            return [...(points.get(recordingId)?.values() ?? [])].sort((a, b) => a.seq - b.seq).map(copy);
        },
        async remove(recordingId: string) {
            recordings.delete(recordingId);
            points.delete(recordingId);
        },
    };
    return store;
}
