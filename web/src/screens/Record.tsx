// Record a workout with the phone's GPS: choose the sport, start, pause/resume, finish. The
// recording itself lives in record/session.ts, so it goes on while other tabs are open, survives
// a reload, and uploads when the connection allows.
import { useEffect, useState } from 'preact/hooks';
import type { Sport } from '../api';
import { MapView } from '../map/MapView';
import { autoPausedSince, deliver, discardRecording, dismissFailed, finishRecording, gps, now, pauseRecording, currentPosition, queued, recording, resumeRecording, restoreRecordings, startRecording, sync, totals, track } from '../record/session';
import { activeMs } from '../record/store';
import { kChoosableSports, sportLabel, usesPace } from '../sports';
import { useSubmit } from '../hooks/submit';
import { Badge, Button, ProblemView, Screen } from '../ui';
import { GpsIcon, PauseIcon, PlayIcon, StopIcon } from '../ui/icons';
import { SportIcon } from '../ui/SportIcon';
import { formatClock, formatDistance, formatElevation } from '../units';
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

function GpsStatus() {
    const { state, accuracy_m } = gps.value;
    const text =
        state === 'ok'
            ? `GPS ±${Math.round(accuracy_m ?? 0)} m`
            : state === 'searching'
              ? 'Looking for GPS…'
              : state === 'denied'
                ? 'Location permission denied: allow it in the browser settings to record a route.'
                : state === 'unavailable'
                  ? 'No location available on this device.'
                  : 'GPS off';
    const quality = state === 'ok' && accuracy_m !== null ? (accuracy_m <= 10 ? 'good' : accuracy_m <= 30 ? 'fair' : 'poor') : state;
    return (
        <p class={`gps gps--${quality}`} role="status" data-testid="gps-status">
            <GpsIcon size={16} /> {text}
        </p>
    );
}

function Stat({ label, value, testId, large = false }: { label: string; value: string; testId: string; large?: boolean }) {
    return (
        <div class={large ? 'live-stat live-stat--large' : 'live-stat'}>
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
                {kChoosableSports
                    .filter((sport) => sport !== 'virtual_ride')
                    .map((sport) => (
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

export function Record() {
    const [sport, setSport] = useState<Sport>(lastSport);
    // One control at a time; a failure (the phone's storage refusing, say) shows under the controls.
    const control = useSubmit((task: () => Promise<void>) => task());
    const busy = control.busy;
    const run = (task: () => Promise<void>) => control.run(task);
    useEffect(() => {
        void restoreRecordings();
    }, []);

    const current = recording.value;
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
                <Button block busy={busy} onClick={() => void run(() => startRecording(sport))}>
                    <PlayIcon size={20} /> Start
                </Button>
                <ProblemView problem={control.problem} />
                <p class="muted">
                    Your route is saved on this phone as you go, so a lost connection or a closed tab loses nothing. Keep the screen on for the best GPS.
                </p>
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
                    <Stat label="Time" value={formatClock(timerS)} testId="live-time" large />
                    <Stat label="Distance" value={formatDistance(t.distance_m, units)} testId="live-distance" />
                </div>
                {status.state === 'waiting' ? (
                    <div class="notice" role="status" data-testid="upload-waiting">
                        <p>
                            <strong>Waiting for a connection.</strong> Your {sportLabel(current.sport).toLowerCase()} is saved on this phone and uploads by itself when you're back online.
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
    return (
        <Screen title={sportLabel(current.sport)}>
            <RecordMap />
            <GpsStatus />
            {paused ? (
                <Badge as="p" class="badge--paused" role="status" testId="record-paused">
                    Paused
                </Badge>
            ) : autoPausedSince.value !== null ? (
                <Badge as="p" class="badge--paused" role="status" testId="record-auto-paused">
                    Auto-paused
                </Badge>
            ) : null}
            <div class="live-stats" aria-live="off">
                <Stat label="Time" value={formatClock(timerS)} testId="live-time" large />
                <Stat label="Distance" value={formatDistance(t.distance_m, units)} testId="live-distance" />
                <Stat label={usesPace(current.sport) ? 'Avg pace' : 'Avg speed'} value={figure.value} testId="live-pace" />
                <Stat label="Elevation gain" value={formatElevation(t.elevation_gain_m, units)} testId="live-elevation" />
                <Stat label="Altitude" value={formatElevation(t.altitude_m, units)} testId="live-altitude" />
            </div>
            <div class="record-controls">
                {paused ? (
                    <>
                        <Button busy={busy} onClick={() => void run(resumeRecording)}>
                            <PlayIcon size={20} /> Resume
                        </Button>
                        <Button variant="secondary" busy={busy} onClick={() => void run(finishRecording)}>
                            <StopIcon size={20} /> Finish
                        </Button>
                    </>
                ) : (
                    <Button variant="secondary" busy={busy} onClick={() => void run(pauseRecording)}>
                        <PauseIcon size={20} /> Pause
                    </Button>
                )}
            </div>
            <ProblemView problem={control.problem} />
            {paused ? (
                <Button
                    variant="ghost"
                    onClick={() => {
                        if (confirm('Discard this recording? It cannot be recovered.')) {
                            void discardRecording();
                        }
                    }}
                >
                    Discard
                </Button>
            ) : null}
        </Screen>
    );
}
