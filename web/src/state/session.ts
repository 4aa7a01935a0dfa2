// Who is signed in, as signals the screens read. All server calls go through api/.
import { signal } from '@preact/signals';
import { ApiError, accounts, core, type AuthTokens, type Me } from '../api';

export type AuthStatus =
    /** Resuming a stored session. */
    | 'starting'
    | 'signed-out'
    | 'signed-in'
    /** A stored session exists but the server could not be reached to resume it. */
    | 'offline';

export const authStatus = signal<AuthStatus>('starting');
export const me = signal<Me | null>(null);

function signedIn(tokens: AuthTokens): Me {
    me.value = tokens.user;
    authStatus.value = 'signed-in';
    return tokens.user;
}

function signedOut(): void {
    me.value = null;
    authStatus.value = 'signed-out';
}

core.onSessionEnded(signedOut);

/** Resumes the stored session, if any. Never throws. */
export async function startSession(): Promise<void> {
    // A retry from the offline state keeps showing the app rather than the start-up spinner.
    if (authStatus.value !== 'offline') {
        authStatus.value = 'starting';
    }
    try {
        const tokens = await core.restore();
        if (tokens) {
            signedIn(tokens);
        } else {
            signedOut();
        }
    } catch (error) {
        if (error instanceof ApiError && error.network) {
            authStatus.value = 'offline';
            if (typeof window !== 'undefined') {
                window.addEventListener('online', () => void startSession(), { once: true });
            }
            return;
        }
        // The server answered with something other than 401 (e.g. 500): keep the stored token
        // and let the user retry rather than discarding the session.
        authStatus.value = 'offline';
    }
}

/** The device's IANA time zone ("Europe/Paris"), or null when the browser does not name one. */
export function deviceTimeZone(): string | null {
    try {
        return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
    } catch {
        return null;
    }
}

export async function signUp(body: { email: string; password: string; display_name: string }, idempotencyKey: string): Promise<Me> {
    const user = signedIn(await accounts.signup(body, idempotencyKey));
    // The sign-up request takes no time zone: a new account gets the device's right after, so its
    // weeks, years and start times are the athlete's from the first day.
    const zone = deviceTimeZone();
    if (zone && zone !== user.time_zone) {
        try {
            const updated = await accounts.updateMe({ time_zone: zone });
            me.value = updated;
            return updated;
        } catch {
            // The account exists either way; the zone can be set in Edit profile.
        }
    }
    return user;
}

export async function logIn(body: { email: string; password: string }): Promise<Me> {
    return signedIn(await accounts.login(body));
}

export async function logOut(): Promise<void> {
    try {
        await accounts.logout();
    } catch {
        // The local session ends either way; the server expires the session by itself.
    } finally {
        signedOut();
    }
}

/** Local sign-out after the account was deleted or the current session revoked elsewhere. */
export function endLocalSession(): void {
    core.forget();
    signedOut();
}

export function setMe(next: Me): void {
    me.value = next;
}
