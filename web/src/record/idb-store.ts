// RecordingStore over IndexedDB: survives reloads, crashes and going offline. Each point is its
// own small transaction as it arrives, so at most the fix in flight is lost.
import type { Recording, RecordingStore } from './store';
import type { TrackPoint } from './track';

const kDatabase = 'strava1-recordings';
const kVersion = 1;
const kRecordings = 'recordings';
const kPoints = 'points';

function promised<T>(request: IDBRequest<T>): Promise<T> {
    return new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
    });
}

function done(transaction: IDBTransaction): Promise<void> {
    return new Promise((resolve, reject) => {
        transaction.oncomplete = () => resolve();
        transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
        transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    });
}

function open(): Promise<IDBDatabase> {
    const request = indexedDB.open(kDatabase, kVersion);
    request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore(kRecordings, { keyPath: 'id' });
        // Keyed [recording id, seq]: one range read returns a recording's points in order.
        db.createObjectStore(kPoints, { keyPath: ['recording_id', 'seq'] });
    };
    return promised(request);
}

const pointRange = (recordingId: string) => IDBKeyRange.bound([recordingId, -Infinity], [recordingId, Infinity]);

export function indexedDbRecordingStore(): RecordingStore {
    let db: Promise<IDBDatabase> | null = null;
    const database = () => (db ??= open());

    return {
        async put(recording: Recording) {
            const tx = (await database()).transaction(kRecordings, 'readwrite');
            tx.objectStore(kRecordings).put(recording);
            await done(tx);
        },
        async get(id: string) {
            const tx = (await database()).transaction(kRecordings, 'readonly');
            return ((await promised(tx.objectStore(kRecordings).get(id))) as Recording | undefined) ?? null;
        },
        async list() {
            const tx = (await database()).transaction(kRecordings, 'readonly');
            const all = (await promised(tx.objectStore(kRecordings).getAll())) as Recording[];
            return all.sort((a, b) => (a.segments[0]?.start_ms ?? 0) - (b.segments[0]?.start_ms ?? 0));
        },
        async addPoint(recordingId: string, point: TrackPoint) {
            const tx = (await database()).transaction(kPoints, 'readwrite');
            tx.objectStore(kPoints).put({ ...point, recording_id: recordingId });
            await done(tx);
        },
        async points(recordingId: string) {
            const tx = (await database()).transaction(kPoints, 'readonly');
            const rows = (await promised(tx.objectStore(kPoints).getAll(pointRange(recordingId)))) as (TrackPoint & { recording_id?: string })[];
            return rows.map(({ recording_id: _, ...point }) => point);
        },
        async remove(recordingId: string) {
            const tx = (await database()).transaction([kRecordings, kPoints], 'readwrite');
            tx.objectStore(kRecordings).delete(recordingId);
            tx.objectStore(kPoints).delete(pointRange(recordingId));
            await done(tx);
        },
    };
}
