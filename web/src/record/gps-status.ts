// What the Record screen says about the GPS: searching, the accuracy of the last fix, or "signal
// lost" when fixes stop coming (tunnels, forests, a phone in a bag). Pure, so the rules are tested.

export type GpsState = 'off' | 'searching' | 'ok' | 'denied' | 'unavailable';

export interface GpsReading {
    state: GpsState;
    accuracy_m: number | null;
    /** Wall clock of the last fix, or null before the first. */
    last_fix_ms: number | null;
}

/** No fix for this long while recording means the signal is lost. */
export const kSignalLostMs = 15_000;
/** The Tracker keeps fixes only up to this accuracy. */
export const kUsableAccuracyM = 30;

export type GpsQuality = 'off' | 'searching' | 'good' | 'fair' | 'poor' | 'lost' | 'denied' | 'unavailable';

export function gpsQuality(reading: GpsReading, nowMs: number): GpsQuality {
    const stale = reading.last_fix_ms !== null && nowMs - reading.last_fix_ms >= kSignalLostMs;
    if (reading.state === 'searching' || reading.state === 'ok') {
        if (stale) {
            return 'lost';
        }
        if (reading.state === 'searching') {
            return 'searching';
        }
        const accuracy = reading.accuracy_m ?? Infinity;
        return accuracy <= 10 ? 'good' : accuracy <= kUsableAccuracyM ? 'fair' : 'poor';
    }
    return reading.state;
}

export function gpsText(quality: GpsQuality, accuracy_m: number | null): string {
    switch (quality) {
        case 'good':
        case 'fair':
            return `GPS ±${Math.round(accuracy_m ?? 0)} m`;
        case 'poor':
            return `Weak GPS ±${Math.round(accuracy_m ?? 0)} m: points are not recorded`;
        case 'lost':
            return 'GPS signal lost: keep going, recording resumes when it returns';
        case 'searching':
            return 'Looking for GPS…';
        case 'denied':
            return 'Location permission denied: allow it in the browser settings to record a route.';
        case 'unavailable':
            return 'No location available on this device.';
        case 'off':
            return 'GPS paused';
    }
}
