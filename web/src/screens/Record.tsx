// Record a workout with the phone's GPS, modelled on Strava's Record screen: choose the sport,
// start; while recording the tab bar is hidden and the screen shows the live map, very large time,
// distance and pace (or speed), the GPS state and one large Pause / Resume button; Finish opens the
// Save sheet (name, description, sport, visibility, effort) before the upload. The recording itself
// lives in record/session.ts, so it goes on while other tabs are open, survives a reload, and
// uploads when the connection allows.
import { HideFromFeedSwitch } from './HideFromFeedSwitch';
import { useEffect, useState } from 'preact/hooks';
import type { Sport, Visibility } from '../api';
import { MapView } from '../map/MapView';
import { gpsQuality, gpsText } from '../record/gps-status';
import { defaultActivityName } from '../record/naming';
import { autoPausedSince, deliver, discardRecording, dismissFailed, finishRecording, gps, now, pauseRecording, currentPosition, queued, recording, resumeRecording, restoreRecordings, startRecording, sync, totals, track, wakeLockState } from '../record/session';
import { activeMs, type Recording, type SaveDetails } from '../record/store';
import { kChoosableSports, sportLabel, usesPace } from '../sports';
import { useSubmit } from '../hooks/submit';
import { tabBarHidden } from '../state/frame';
import { me } from '../state/session';
import { Badge, Button, ProblemView, Screen, SelectField, Sheet, TextAreaField, TextField, confirmAction, type SelectOption } from '../ui';
import { GpsIcon, PauseIcon, PlayIcon, StopIcon } from '../ui/icons';
import { SportIcon } from '../ui/SportIcon';
import { formatClock, formatDistance, formatElevation } from '../units';
import { kVisibilityOptions } from './options';
import { currentUnits, speedFigure } from './activity-view';
import './Record.css';

const kSportKey = 'strava1.record_sport';

function lastSport(): Sport {
    try {
        const stored = localStorage.getItem(kSportKey);
        return stored && (kChoosableSports as readonly string[]).includes(stored) ? (stored as Sport) : 'run';
    } catch {
        return 'run';
    }
}

const kRecordableSports = kChoosableSports.filter((sport) => sport !== 'virtual_ride');

function GpsStatus() {
    const reading = gps.value;
    const quality = gpsQuality(reading, now.value);
    const screenOn = wakeLockState.value === 'on';
    return (
        <p class={`gps gps--${quality}`} role="status" data-testid="gps-status" data-quality={quality}>
            <GpsIcon size={16} /> {gpsText(quality, reading.accuracy_m)}
            {screenOn ? <span class="gps__screen"> · Screen stays on</span> : null}
        </p>
    );
}

function Stat({ label, value, testId, size = 'l' }: { label: string; value: string; testId: string; size?: 'xl' | 'l' | 's' }) {
    return (
        <div class={`live-stat live-stat--${size}`}>
            <span class="live-stat__value" data-testid={testId}>
                {value}
            </span>
            <span class="live-stat__label">{label}</span>
        </div>
    );
}

/**
 * The track so far on the live map, following the athlete; dragging the map away stops following
 * until "Re-centre". Reads the signals itself, so a new fix redraws the map and not the screen.
 */
function RecordMap() {
    const [follow, setFollow] = useState(true);
    return (
        <div class="record-map">
            <MapView label="Your route so far" lines={track.value.lines} position={currentPosition.value} follow={follow} onUserMove={() => setFollow(false)} testId="record-map" />
            {follow ? null : (
                <div class="record-map__recentre">
                    <Button variant="secondary" onClick={() => setFollow(true)}>
                        <GpsIcon size={18} /> Re-centre
                    </Button>
                </div>
            )}
        </div>
    );
}

function SportPicker({ value, onValue }: { value: Sport; onValue: (sport: Sport) => void }) {
    return (
        <fieldset class="sport-picker">
            <legend class="form-section__title">Sport</legend>
            <div class="sport-picker__options">
                {kRecordableSports.map((sport) => (
                    <label key={sport} class="sport-picker__option">
                        <input type="radio" name="sport" value={sport} checked={value === sport} onChange={() => onValue(sport)} />
                        <SportIcon sport={sport} size={22} decorative />
                        <span>{sportLabel(sport)}</span>
                    </label>
                ))}
            </div>
        </fieldset>
    );
}

const kEffortWords = ['Very easy', 'Easy', 'Easy', 'Moderate', 'Moderate', 'Hard', 'Hard', 'Very hard', 'Very hard', 'Maximal'];
const kEffortOptions: SelectOption[] = [{ value: '', label: 'Not set' }, ...kEffortWords.map((word, i) => ({ value: String(i + 1), label: `${i + 1} · ${word}` }))];
const kSportOptions: SelectOption[] = kRecordableSports.map((sport) => ({ value: sport, label: sportLabel(sport) }));

/** When the recording began (its first stretch), for the default name. */
function startedAt(current: Recording): Date {
    return new Date(current.segments[0]?.start_ms ?? Date.now());
}

/**
 * What happens to the workout before it is uploaded. Saving finishes the recording on the device
 * first, so a lost connection from here on still loses nothing.
 */
function SaveSheet({ current, open, onClose }: { current: Recording; open: boolean; onClose: () => void }) {
    const [sport, setSport] = useState<Sport>(current.sport);
    const suggested = defaultActivityName(sport, startedAt(current));
    // null until edited: the suggestion then follows the sport chosen here.
    const [name, setName] = useState<string | null>(null);
    const [description, setDescription] = useState('');
    const [visibility, setVisibility] = useState<Visibility>(me.value?.default_visibility ?? 'everyone');
    const [effort, setEffort] = useState('');
    const [hideFromFeed, setHideFromFeed] = useState(false);
    const save = useSubmit(async () => {
        const details: SaveDetails = {
            name: (name ?? suggested).trim() || suggested,
            description: description.trim(),
            sport,
            visibility,
            perceived_exertion: effort === '' ? null : Number(effort),
            hide_from_feed: hideFromFeed,
        };
        await finishRecording(details);
    });
    return (
        <Sheet open={open} title="Save activity" onCancel={onClose} testId="save-sheet">
            <form class="form save-sheet" onSubmit={save.onSubmit} noValidate aria-label="Save activity">
                <TextField label="Name" name="name" value={name ?? suggested} onValue={setName} maxLength={255} autoCapitalize="sentences" error={save.errors.name} />
                <TextAreaField label="Description" name="description" value={description} onValue={setDescription} maxLength={10000} rows={3} hint="How did it go?" />
                <SelectField label="Sport" name="sport" value={sport} onValue={(value) => setSport(value as Sport)} options={kSportOptions} />
                <SelectField label="Who can see it" name="visibility" value={visibility} onValue={(value) => setVisibility(value as Visibility)} options={kVisibilityOptions} />
                <SelectField label="Perceived exertion" name="perceived_exertion" value={effort} onValue={setEffort} options={kEffortOptions} hint="1 is very easy, 10 the hardest you can go." />
                <HideFromFeedSwitch checked={hideFromFeed} onChecked={setHideFromFeed} />
                <ProblemView problem={save.problem} />
                <div class="sheet__actions">
                    <Button type="submit" busy={save.busy} block>
                        Save activity
                    </Button>
                    <Button variant="secondary" block onClick={onClose}>
                        Back to recording
                    </Button>
                </div>
            </form>
        </Sheet>
    );
}

async function confirmDiscard(): Promise<void> {
    const confirmed = await confirmAction({
        title: 'Discard this recording?',
        message: 'The route and time recorded so far are deleted from this phone. This cannot be undone.',
        confirmLabel: 'Discard recording',
        cancelLabel: 'Keep it',
    });
    if (confirmed) {
        await discardRecording();
    }
}

export function Record() {
    const [sport, setSport] = useState<Sport>(lastSport);
    const [saving, setSaving] = useState(false);
    // One control at a time; a failure (the phone's storage refusing, say) shows under the controls.
    const control = useSubmit((task: () => Promise<void>) => task());
    const busy = control.busy;
    const run = (task: () => Promise<void>) => control.run(task);
    useEffect(() => {
        void restoreRecordings();
    }, []);

    const current = recording.value;
    const active = current?.status === 'recording' || current?.status === 'paused';
    // Nothing to tap away to while a workout runs: the tab bar comes back when it ends or on leaving.
    useEffect(() => {
        tabBarHidden.value = active;
        return () => {
            tabBarHidden.value = false;
        };
    }, [active]);
    const pausedNow = current?.status === 'paused';
    useEffect(() => {
        if (!pausedNow) {
            setSaving(false);
        }
    }, [pausedNow]);
    const units = currentUnits();

    if (!current) {
        return (
            <Screen>
                <SportPicker
                    value={sport}
                    onValue={(next) => {
                        setSport(next);
                        try {
                            localStorage.setItem(kSportKey, next);
                        } catch {
                            // Private mode: the choice is just not remembered.
                        }
                    }}
                />
                <div class="record-controls">
                    <Button busy={busy} onClick={() => void run(() => startRecording(sport))}>
                        <PlayIcon size={28} /> Start
                    </Button>
                </div>
                <ProblemView problem={control.problem} />
                <p class="muted">Your route is saved on this phone as you go, so a lost connection or a closed tab loses nothing. The screen stays on while you record.</p>
                {queued.value > 0 ? (
                    <p class="muted" role="status">
                        {queued.value === 1 ? 'One finished recording is' : `${queued.value} finished recordings are`} waiting to upload.{' '}
                        <Button variant="ghost" onClick={() => void deliver()}>
                            Upload now
                        </Button>
                    </p>
                ) : null}
            </Screen>
        );
    }

    const t = totals.value;
    const timerS = activeMs(current, now.value, autoPausedSince.value) / 1000;
    const speed = t.moving_s > 0 ? t.distance_m / t.moving_s : null;
    const figure = speedFigure(current.sport, speed, units);
    const status = sync.value;

    if (current.status === 'finished' || current.status === 'failed') {
        return (
            <Screen title="Saving">
                <div class="live-stats">
                    <Stat label="Time" value={formatClock(timerS)} testId="live-time" size="xl" />
                    <Stat label="Distance" value={formatDistance(t.distance_m, units)} testId="live-distance" />
                </div>
                {status.state === 'waiting' ? (
                    <div class="notice" role="status" data-testid="upload-waiting">
                        <p>
                            <strong>Waiting for a connection.</strong> Your {sportLabel(current.details?.sport ?? current.sport).toLowerCase()} is saved on this phone and uploads by itself when you're back
                            online.
                        </p>
                        <Button variant="secondary" onClick={() => void deliver()}>
                            Try now
                        </Button>
                    </div>
                ) : status.state === 'failed' ? (
                    <div class="problem" role="alert" data-testid="upload-failed">
                        <div class="problem__text">
                            <p class="problem__title">The server could not import this recording</p>
                            <p class="problem__detail">{status.reason}</p>
                        </div>
                        <Button variant="secondary" onClick={() => void dismissFailed()}>
                            Discard
                        </Button>
                    </div>
                ) : (
                    <p class="muted" role="status" data-testid="upload-saving">
                        Saving your activity…
                    </p>
                )}
            </Screen>
        );
    }

    const paused = current.status === 'paused';
    const autoPaused = !paused && autoPausedSince.value !== null;
    return (
        <Screen title={sportLabel(current.sport)}>
            <div class={paused ? 'record-live record-live--paused' : 'record-live'}>
                <div class="record-live__grid">
                    <RecordMap />
                    <div class="record-live__panel">
                        <div class="record-live__status">
                            <GpsStatus />
                            {paused ? (
                                <Badge as="p" class="badge--paused" role="status" testId="record-paused">
                                    Paused
                                </Badge>
                            ) : autoPaused ? (
                                <Badge as="p" class="badge--paused badge--auto" role="status" testId="record-auto-paused">
                                    Auto-paused
                                </Badge>
                            ) : null}
                        </div>
                        <div class="live-stats" aria-live="off">
                            <Stat label="Time" value={formatClock(timerS)} testId="live-time" size="xl" />
                            <Stat label="Distance" value={formatDistance(t.distance_m, units)} testId="live-distance" />
                            <Stat label={usesPace(current.sport) ? 'Avg pace' : 'Avg speed'} value={figure.value} testId="live-pace" />
                            <Stat label="Elevation gain" value={formatElevation(t.elevation_gain_m, units)} testId="live-elevation" size="s" />
                            <Stat label="Altitude" value={formatElevation(t.altitude_m, units)} testId="live-altitude" size="s" />
                        </div>
                        <div class="record-controls">
                            {paused ? (
                                <>
                                    <Button busy={busy} onClick={() => void run(resumeRecording)}>
                                        <PlayIcon size={24} /> Resume
                                    </Button>
                                    <Button variant="secondary" disabled={busy} onClick={() => setSaving(true)}>
                                        <StopIcon size={24} /> Finish
                                    </Button>
                                </>
                            ) : (
                                <Button busy={busy} onClick={() => void run(pauseRecording)}>
                                    <PauseIcon size={24} /> Pause
                                </Button>
                            )}
                        </div>
                        <ProblemView problem={control.problem} />
                        {paused ? (
                            <Button variant="ghost" onClick={() => void confirmDiscard()}>
                                Discard
                            </Button>
                        ) : null}
                    </div>
                </div>
            </div>
            {paused ? <SaveSheet key={current.id} current={current} open={saving} onClose={() => setSaving(false)} /> : null}
        </Screen>
    );
}
