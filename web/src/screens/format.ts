// Small display helpers for screens.

/** "Chrome on Android", "Safari on iOS", or the raw agent when nothing is recognised. */
export function describeUserAgent(agent: string | null): string {
    if (!agent) {
        return 'Unknown device';
    }
    const browser = /Edg\//.test(agent)
        ? 'Edge'
        : /Firefox\//.test(agent)
          ? 'Firefox'
          : /(Chrome|Chromium|CriOS)\//.test(agent)
            ? 'Chrome'
            : /Safari\//.test(agent)
              ? 'Safari'
              : null;
    const os = /Android/.test(agent)
        ? 'Android'
        : /(iPhone|iPad|iPod)/.test(agent)
          ? 'iOS'
          : /Mac OS X|Macintosh/.test(agent)
            ? 'macOS'
            : /Windows/.test(agent)
              ? 'Windows'
              : /Linux|X11/.test(agent)
                ? 'Linux'
                : null;
    if (browser && os) {
        return `${browser} on ${os}`;
    }
    return browser ?? os ?? (agent.length > 60 ? `${agent.slice(0, 57)}…` : agent);
}

/** "just now", "5 minutes ago", "3 days ago"; dates older than 30 days as a date. */
export function timeAgo(iso: string, now: number = Date.now(), locale?: string): string {
    const then = Date.parse(iso);
    if (Number.isNaN(then)) {
        return iso;
    }
    const seconds = Math.round((now - then) / 1000);
    if (seconds < 45) {
        return 'just now';
    }
    const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) {
        return rtf.format(-minutes, 'minute');
    }
    const hours = Math.round(minutes / 60);
    if (hours < 24) {
        return rtf.format(-hours, 'hour');
    }
    const days = Math.round(hours / 24);
    if (days <= 30) {
        return rtf.format(-days, 'day');
    }
    return new Date(then).toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** A fresh key for Idempotency-Key headers. */
export function newIdempotencyKey(): string {
    if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) {
        return crypto.randomUUID();
    }
    return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** "Mon, Nov 30, 2026, 7:12 AM" in `timeZone` (the owner's profile zone), or the date alone. */
export function formatStart(startTime: string | null, startDate: string, timeZone?: string, locale?: string): string {
    if (startTime) {
        const date = new Date(startTime);
        if (!Number.isNaN(date.getTime())) {
            const options: Intl.DateTimeFormatOptions = { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' };
            try {
                return date.toLocaleString(locale, { ...options, timeZone });
            } catch {
                return date.toLocaleString(locale, options);
            }
        }
    }
    // A calendar date: format it at noon UTC so no time zone moves it to another day.
    const day = new Date(`${startDate}T12:00:00Z`);
    return Number.isNaN(day.getTime()) ? startDate : day.toLocaleDateString(locale, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** "1h 02m" for long durations, "45m 10s" under an hour (for list rows). */
export function formatDurationShort(seconds: number): string {
    const total = Math.max(0, Math.round(seconds));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(s).padStart(2, '0')}s`;
}
