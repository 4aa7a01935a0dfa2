// Upload workout files: pick or drop several, each sent on its own with progress, then followed
// until the server has imported it (or says why not, or that it is a duplicate). A file whose name
// or first bytes are not a type the server takes is refused on its row without any request; a
// ready row shows the activity's sport, distance and time.
import { signal } from '@preact/signals';
import { Fragment, type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { activities, ApiError, type Sport, type Upload as UploadState } from '../api';
import { href } from '../router/location';
import { sportLabel } from '../sports';
import { Button, Screen } from '../ui';
import { plainProblem } from '../ui/problem';
import { UploadIcon } from '../ui/icons';
import { activitiesOfUpload, activityOfUpload, dataTypeOf, isRetryable, pollUpload, refusalOf } from '../uploads';
import { currentUnits, sportDistance } from './activity-view';
import { formatDurationShort, newIdempotencyKey } from './format';
import './Upload.css';

type ItemState =
    | { phase: 'queued' }
    | { phase: 'sending'; sent: number; total: number }
    | { phase: 'processing' }
    | { phase: 'ready'; activityId: number; activityIds: number[]; summary?: Summary }
    | { phase: 'duplicate'; activityId: number }
    | { phase: 'error'; reason: string; retryable: boolean };

/** What a ready row shows of its (first) activity. */
interface Summary {
    sport: Sport;
    distanceM: number | null;
    timeS: number;
}

interface Item {
    id: number;
    file: File;
    /** Kept across retries of this file, so a retry after a lost answer never imports it twice. */
    key: string;
    state: ItemState;
}

/** Module state, so an upload carries on (and shows its result) if the user looks elsewhere meanwhile. */
const items = signal<Item[]>([]);
let nextId = 1;
let running = false;

function update(id: number, state: ItemState): void {
    items.value = items.value.map((item) => (item.id === id ? { ...item, state } : item));
}

/** The reason a failed upload shows on its row: the server's plain sentence, else its kind's. */
function reasonOf(error: unknown): string {
    if (!(error instanceof ApiError)) {
        return String(error);
    }
    const plain = plainProblem(error.problem);
    return [plain.detail || plain.headline, ...plain.items].join(' ');
}

async function send(item: Item): Promise<void> {
    update(item.id, { phase: 'sending', sent: 0, total: item.file.size });
    try {
        const dataType = dataTypeOf(item.file.name);
        const first = await activities.createUpload(item.file, {
            query: dataType ? { data_type: dataType } : {},
            idempotencyKey: item.key,
            onProgress: (sent, total) => update(item.id, { phase: 'sending', sent, total }),
        });
        update(item.id, { phase: 'processing' });
        const done: UploadState = await pollUpload((id) => activities.getUpload(id), first);
        const activityId = activityOfUpload(done);
        if (done.status === 'duplicate' && activityId !== null) {
            update(item.id, { phase: 'duplicate', activityId });
        } else if (activityId !== null) {
            const activityIds = activitiesOfUpload(done);
            update(item.id, { phase: 'ready', activityId, activityIds });
            // The figures are a nicety: the row stays ready (with its link) if they cannot be read.
            try {
                const activity = await activities.getActivity(activityId);
                update(item.id, { phase: 'ready', activityId, activityIds, summary: { sport: activity.sport, distanceM: activity.distance_m, timeS: activity.moving_s || activity.elapsed_s } });
            } catch {
                // no figures
            }
        } else {
            update(item.id, { phase: 'error', reason: done.error ?? 'The file could not be imported.', retryable: false });
        }
    } catch (error) {
        update(item.id, { phase: 'error', reason: reasonOf(error), retryable: isRetryable(error) });
    }
}

/** Sends queued files one at a time (phones have little upstream bandwidth to share). */
async function drain(): Promise<void> {
    if (running) {
        return;
    }
    running = true;
    try {
        for (;;) {
            const next = items.value.find((item) => item.state.phase === 'queued');
            if (!next) {
                return;
            }
            await send(next);
        }
    } finally {
        running = false;
    }
}

async function addFiles(files: Iterable<File>): Promise<void> {
    const picked = [...files];
    // Looked at before any row is queued, so a refused file never reaches the sender.
    const refusals = await Promise.all(picked.map((file) => refusalOf(file).catch(() => null)));
    const added = picked.map((file, index) => {
        const refusal = refusals[index];
        const state: ItemState = refusal ? { phase: 'error', reason: refusal, retryable: false } : { phase: 'queued' };
        return { id: nextId++, file, key: newIdempotencyKey(), state };
    });
    if (added.length > 0) {
        items.value = [...items.value, ...added];
        void drain();
    }
}

function retry(id: number): void {
    update(id, { phase: 'queued' });
    void drain();
}

function formatBytes(bytes: number): string {
    if (bytes < 1024) {
        return `${bytes} B`;
    }
    if (bytes < 1024 * 1024) {
        return `${(bytes / 1024).toFixed(0)} KB`;
    }
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function SummaryLine({ summary }: { summary: Summary }) {
    return (
        <span class="upload-item__summary" data-testid="upload-summary">
            {sportLabel(summary.sport)} · {sportDistance(summary.sport, summary.distanceM, currentUnits())} · {formatDurationShort(summary.timeS)}
        </span>
    );
}

function ItemRow({ item }: { item: Item }) {
    const { state } = item;
    let status: ComponentChildren;
    switch (state.phase) {
        case 'queued':
            status = 'Waiting…';
            break;
        case 'sending': {
            const percent = state.total > 0 ? Math.round((state.sent / state.total) * 100) : 0;
            status = (
                <>
                    <progress class="progress" max={100} value={percent} aria-label={`Uploading ${item.file.name}`} />
                    <span>{percent}%</span>
                </>
            );
            break;
        }
        case 'processing':
            status = 'Processing…';
            break;
        case 'ready':
            // A multisport file makes one activity per leg: link each, not only the first.
            status = (
                <>
                    {state.summary ? <SummaryLine summary={state.summary} /> : null}
                    {state.activityIds.length > 1 ? (
                        <span class="upload__legs">
                            {state.activityIds.length} activities:{' '}
                            {state.activityIds.map((id, index) => (
                                <Fragment key={id}>
                                    {index > 0 ? ', ' : ''}
                                    <a href={href('activity/:id', { id })} data-testid={index === 0 ? 'upload-view' : 'upload-view-leg'}>
                                        part {index + 1}
                                    </a>
                                </Fragment>
                            ))}
                        </span>
                    ) : (
                        <a href={href('activity/:id', { id: state.activityId })} data-testid="upload-view">
                            View activity
                        </a>
                    )}
                </>
            );
            break;
        case 'duplicate':
            status = (
                <>
                    <span>You uploaded this workout before.</span>{' '}
                    <a href={href('activity/:id', { id: state.activityId })} data-testid="upload-duplicate">
                        See that activity
                    </a>
                </>
            );
            break;
        case 'error':
            status = (
                <>
                    <span class="upload-item__error">{state.reason}</span>
                    {state.retryable ? (
                        <Button variant="ghost" onClick={() => retry(item.id)}>
                            Retry
                        </Button>
                    ) : null}
                </>
            );
            break;
    }
    return (
        <li class={`upload-item upload-item--${state.phase}`} data-testid="upload-item" data-phase={state.phase}>
            <span class="upload-item__name">{item.file.name}</span>
            <span class="upload-item__size">{formatBytes(item.file.size)}</span>
            <span class="upload-item__status" role="status">
                {status}
            </span>
        </li>
    );
}

export function Upload() {
    const [dragging, setDragging] = useState(false);
    const list = items.value;

    function onDrop(event: DragEvent) {
        event.preventDefault();
        setDragging(false);
        if (event.dataTransfer?.files) {
            void addFiles(event.dataTransfer.files);
        }
    }

    return (
        <Screen backHref={href('activities')}>
            <div
                class={dragging ? 'dropzone dropzone--active' : 'dropzone'}
                onDragEnter={(e) => {
                    e.preventDefault();
                    setDragging(true);
                }}
                onDragOver={(e) => {
                    e.preventDefault();
                    if (e.dataTransfer) {
                        e.dataTransfer.dropEffect = 'copy';
                    }
                }}
                onDragLeave={(e) => {
                    if (e.currentTarget === e.target) {
                        setDragging(false);
                    }
                }}
                onDrop={onDrop}
                data-testid="dropzone"
            >
                <UploadIcon size={36} />
                <p class="dropzone__title">Drop workout files here</p>
                <p class="muted">GPX, TCX or FIT (also gzipped), up to 25 MiB each.</p>
                <label class="btn btn--primary">
                    <span class="btn__label">Choose files</span>
                    <input
                        class="visually-hidden"
                        type="file"
                        multiple
                        accept=".gpx,.tcx,.fit,.gz,application/gpx+xml,application/vnd.garmin.tcx+xml,application/gzip"
                        aria-label="Choose files"
                        onChange={(e) => {
                            const files = e.currentTarget.files;
                            if (files) {
                                void addFiles([...files]);
                            }
                            // Let the same file be picked again (e.g. after fixing it).
                            e.currentTarget.value = '';
                        }}
                    />
                </label>
            </div>
            {list.length > 0 ? (
                <ul class="list upload-list" aria-label="Uploads">
                    {list.map((item) => (
                        <ItemRow key={item.id} item={item} />
                    ))}
                </ul>
            ) : null}
            {list.some((item) => item.state.phase === 'ready' || item.state.phase === 'duplicate' || item.state.phase === 'error') ? (
                <Button variant="ghost" onClick={() => (items.value = items.value.filter((item) => item.state.phase === 'queued' || item.state.phase === 'sending' || item.state.phase === 'processing'))}>
                    Clear finished
                </Button>
            ) : null}
        </Screen>
    );
}
