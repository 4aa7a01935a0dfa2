// The live recording, shared by every screen (recording goes on while the athlete looks at other
// tabs): navigator.geolocation in, Tracker decisions, each kept point into IndexedDB as it
// arrives, a screen wake lock while recording, and the upload queue when finished.
import { signal } from '@preact/signals';
import { activities, type Sport } from '../api';
import { currentPath, href, navigate } from '../router/location';
import { newIdempotencyKey } from '../screens/format';
import { sportMotion } from '../sports';
import { showToast } from '../ui';
import { indexedDbRecordingStore } from './idb-store';
import type { GpsReading } from './gps-status';
import { pendingUploads, unfinishedRecording, type Recording, type RecordingStore, type SaveDetails } from './store';
import type { LatLng } from '../geo';
import { extendTrack, kNoTrack, trackOf, Tracker, type Totals, type TrackLines } from './track';
import { retryDelayMs, syncRecording } from './upload-queue';
import { ScreenWakeLock, type WakeLockState } from './wake-lock';

export const recording = signal<Recording | null>(null);
export const totals = signal<Totals>({ distance_m: 0, moving_s: 0, elevation_gain_m: 0, altitude_m: null, points: 0 });
export const gps = signal<GpsReading>({ state: 'off', accuracy_m: null, last_fix_ms: null });
/** Whether the screen is kept on (shown on the Record screen). */
export const wakeLockState = signal<WakeLockState>('off');
/** When the current auto-pause began (wall clock), or null while moving. */
export const autoPausedSince = signal<number | null>(null);
/** Wall clock, ticking once a second while recording so the timer moves. */
export const now = signal(Date.now());
export type SyncState =
    | { state: 'idle' }
    | { state: 'saving' }
    | { state: 'waiting'; reason: string }
    | { state: 'failed'; reason: string };
export const sync = signal<SyncState>({ state: 'idle' });
/** Finished recordings still on this device. */
export const queued = signal(0);
/** The kept points of the current recording, for the live map. */
export const track = signal<TrackLines>(kNoTrack);
/** The last position the GPS reported while watching (kept or not), for the live map. */
export const currentPosition = signal<LatLng | null>(null);

let store: RecordingStore | null = null;
const recordings = () => (store ??= indexedDbRecordingStore());

let tracker: Tracker | null = null;
let watchId: number | null = null;
let ticker: ReturnType<typeof setInterval> | null = null;
/** Persisting is serialised so that finishing waits for every point before the GPX is written. */
let writes: Promise<void> = Promise.resolve();
let writeFailed = false;

function persist(task: () => Promise<void>): Promise<void> {
    writes = writes.then(task).catch((error: unknown) => {
        console.warn('recording: could not save to this device', error);
        if (!writeFailed) {
            writeFailed = true;
            showToast("Couldn't save the recording on this device. Keep the app open until you finish.", 'error');
        }
    });
    return writes;
}

function save(next: Recording): Promise<void> {
    recording.value = next;
    return persist(() => recordings().put(next));
}

function trackerFor(sport: Sport): Tracker {
    const motion = sportMotion(sport);
    return new Tracker({ maxSpeedMps: motion.maxSpeedMps, autoPauseMps: motion.autoPauseMps });
}

function onPosition(position: GeolocationPosition): void {
    const current = recording.value;
    if (!current || current.status !== 'recording' || !tracker) {
        return;
    }
    const { latitude, longitude, accuracy, altitude } = position.coords;
    gps.value = { state: 'ok', accuracy_m: accuracy, last_fix_ms: Date.now() };
    currentPosition.value = [latitude, longitude];
    const offer = tracker.offer({ time_ms: position.timestamp, lat: latitude, lng: longitude, accuracy_m: accuracy, altitude_m: altitude ?? null });
    if (offer.kind === 'rejected') {
        return;
    }
    if (offer.kind === 'auto-paused') {
        if (autoPausedSince.value === null) {
            autoPausedSince.value = position.timestamp;
        }
        return;
    }
    const since = autoPausedSince.value;
    if (since !== null) {
        autoPausedSince.value = null;
        void save({ ...current, auto_paused_ms: current.auto_paused_ms + Math.max(0, position.timestamp - since) });
    }
    totals.value = { ...tracker.totals };
    const point = offer.point;
    track.value = extendTrack(track.value, point);
    const id = current.id;
    void persist(() => recordings().addPoint(id, point));
}

function onPositionError(error: GeolocationPositionError): void {
    if (error.code === error.PERMISSION_DENIED) {
        gps.value = { state: 'denied', accuracy_m: null, last_fix_ms: null };
    } else if (error.code === error.POSITION_UNAVAILABLE && gps.value.last_fix_ms === null) {
        gps.value = { state: 'unavailable', accuracy_m: null, last_fix_ms: null };
    }
    // A timeout just means no fix for a while; the screen turns it into "signal lost" from the
    // time of the last fix, and the watch keeps trying.
}

function startWatching(): void {
    if (watchId !== null) {
        return;
    }
    if (typeof navigator === 'undefined' || !('geolocation' in navigator)) {
        gps.value = { state: 'unavailable', accuracy_m: null, last_fix_ms: null };
        return;
    }
    gps.value = { state: 'searching', accuracy_m: null, last_fix_ms: null };
    watchId = navigator.geolocation.watchPosition(onPosition, onPositionError, { enableHighAccuracy: true, maximumAge: 0, timeout: 30_000 });
    ticker ??= setInterval(() => {
        now.value = Date.now();
    }, 1000);
}

function stopWatching(): void {
    if (watchId !== null) {
        navigator.geolocation.clearWatch(watchId);
        watchId = null;
    }
    if (ticker !== null) {
        clearInterval(ticker);
        ticker = null;
    }
    gps.value = { state: 'off', accuracy_m: null, last_fix_ms: null };
    now.value = Date.now();
}

const screenLock = new ScreenWakeLock(
    {
        wakeLock: typeof navigator !== 'undefined' && 'wakeLock' in navigator ? navigator.wakeLock : undefined,
        visible: () => typeof document === 'undefined' || document.visibilityState === 'visible',
    },
    (state) => {
        wakeLockState.value = state;
    },
);

function lockScreen(): Promise<void> {
    return screenLock.acquire();
}

function unlockScreen(): void {
    screenLock.release();
}

if (typeof document !== 'undefined') {
    // The system drops the lock whenever the page is hidden; take it back on return.
    document.addEventListener('visibilitychange', () => void screenLock.visibilityChanged());
}

export async function startRecording(sport: Sport): Promise<void> {
    if (recording.value && recording.value.status !== 'finished') {
        return;
    }
    const started = Date.now();
    tracker = trackerFor(sport);
    totals.value = { ...tracker.totals };
    track.value = kNoTrack;
    autoPausedSince.value = null;
    writeFailed = false;
    sync.value = { state: 'idle' };
    await save({ id: newIdempotencyKey(), sport, status: 'recording', segments: [{ start_ms: started, end_ms: null }], auto_paused_ms: 0, finished_at_ms: null, upload_id: null, error: null });
    startWatching();
    void lockScreen();
}

function closeSegments(current: Recording, at: number): Recording['segments'] {
    return current.segments.map((segment) => (segment.end_ms === null ? { ...segment, end_ms: Math.max(segment.start_ms, at) } : segment));
}

/** Folds a running auto-pause into the recording (at a pause or finish). */
function withAutoPauseClosed(current: Recording, at: number): Recording {
    const since = autoPausedSince.value;
    autoPausedSince.value = null;
    return since === null ? current : { ...current, auto_paused_ms: current.auto_paused_ms + Math.max(0, at - since) };
}

export async function pauseRecording(): Promise<void> {
    const current = recording.value;
    if (!current || current.status !== 'recording') {
        return;
    }
    const at = Date.now();
    stopWatching();
    unlockScreen();
    await save({ ...withAutoPauseClosed(current, at), status: 'paused', segments: closeSegments(current, at) });
}

export async function resumeRecording(): Promise<void> {
    const current = recording.value;
    if (!current || current.status !== 'paused') {
        return;
    }
    tracker ??= trackerFor(current.sport);
    tracker.newSegment();
    await save({ ...current, status: 'recording', segments: [...current.segments, { start_ms: Date.now(), end_ms: null }] });
    startWatching();
    void lockScreen();
}

/** Ends the recording with what the Save sheet chose, and starts delivering it. */
export async function finishRecording(details: SaveDetails | null = null): Promise<void> {
    const current = recording.value;
    if (!current || (current.status !== 'recording' && current.status !== 'paused')) {
        return;
    }
    const at = Date.now();
    stopWatching();
    unlockScreen();
    await save({ ...withAutoPauseClosed(current, at), status: 'finished', segments: closeSegments(current, at), finished_at_ms: at, details });
    await writes;
    queued.value += 1;
    await deliver();
}

export async function discardRecording(): Promise<void> {
    const current = recording.value;
    if (!current) {
        return;
    }
    stopWatching();
    unlockScreen();
    tracker = null;
    recording.value = null;
    track.value = kNoTrack;
    autoPausedSince.value = null;
    await persist(() => recordings().remove(current.id));
}

let delivering: Promise<void> | null = null;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let attempts = 0;

/** Sends every finished recording; on a temporary failure, tries again later or when back online. */
export function deliver(): Promise<void> {
    if (retryTimer !== null) {
        clearTimeout(retryTimer);
        retryTimer = null;
    }
    delivering ??= (async () => {
        try {
            for (const pending of await pendingUploads(recordings())) {
                const own = recording.value?.id === pending.id;
                if (own) {
                    sync.value = { state: 'saving' };
                }
                const result = await syncRecording({ store: recordings(), uploadFile: activities.createUpload, getUpload: (id) => activities.getUpload(id), updateActivity: activities.updateActivity }, pending.id);
                if (result.state === 'waiting') {
                    if (own) {
                        sync.value = { state: 'waiting', reason: result.reason };
                    }
                    retryTimer = setTimeout(() => void deliver(), retryDelayMs(attempts++));
                    return;
                }
                attempts = 0;
                if (result.state === 'failed') {
                    if (own) {
                        sync.value = { state: 'failed', reason: result.reason };
                    }
                    continue;
                }
                if (own) {
                    recording.value = null;
                    tracker = null;
                    sync.value = { state: 'idle' };
                    if (currentPath.value === 'record') {
                        navigate(href('activity/:id', { id: result.activityId }));
                    }
                } else {
                    showToast('A saved recording was uploaded', 'success');
                }
            }
        } finally {
            queued.value = (await pendingUploads(recordings()).catch(() => [])).length;
            delivering = null;
        }
    })();
    return delivering;
}

if (typeof window !== 'undefined') {
    window.addEventListener('online', () => {
        attempts = 0;
        void deliver();
    });
}

let restored: Promise<void> | null = null;

/**
 * Brings back what a reload interrupted: an unfinished recording (as paused, to be resumed on
 * request) and the upload queue. Safe to call more than once.
 */
export function restoreRecordings(): Promise<void> {
    restored ??= (async () => {
        try {
            const unfinished = await unfinishedRecording(recordings());
            if (unfinished && !recording.value) {
                const points = await recordings().points(unfinished.id);
                tracker = trackerFor(unfinished.sport);
                tracker.restore(points);
                totals.value = { ...tracker.totals };
                track.value = trackOf(points);
                let next = unfinished;
                if (unfinished.status === 'recording') {
                    // Nothing is known after the last saved point: the stretch ends there.
                    const lastPoint = points[points.length - 1];
                    const open = unfinished.segments[unfinished.segments.length - 1];
                    const end = Math.max(lastPoint?.time_ms ?? 0, open?.start_ms ?? 0);
                    next = { ...unfinished, status: 'paused', segments: closeSegments(unfinished, end) };
                    await recordings().put(next);
                }
                recording.value = next;
            }
            const pending = await pendingUploads(recordings());
            queued.value = pending.length;
            const failed = (await recordings().list()).find((r) => r.status === 'failed');
            if (!recording.value && failed) {
                recording.value = failed;
                sync.value = { state: 'failed', reason: failed.error ?? 'The server refused the recording.' };
            }
            if (pending.length > 0) {
                void deliver();
            }
        } catch (error) {
            console.warn('recording: could not read saved recordings', error);
        }
    })();
    return restored;
}

/** Removes a refused recording from the device (after the athlete has seen why). */
export async function dismissFailed(): Promise<void> {
    const current = recording.value;
    if (current?.status === 'failed') {
        await discardRecording();
        sync.value = { state: 'idle' };
    }
}
