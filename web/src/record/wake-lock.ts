// Keeps the screen on while recording (the Screen Wake Lock API). The system drops the lock
// whenever the page is hidden, so it is taken again when the page is visible and still wanted;
// it is released on pause and finish. Without the API (or refused) recording works the same.

export type WakeLockState =
    /** Not wanted (idle, paused, finished). */
    | 'off'
    /** Held: the screen stays on. */
    | 'on'
    /** Wanted, waiting for the page to be visible again. */
    | 'waiting'
    /** The browser has no wake lock API. */
    | 'unsupported'
    /** The browser refused (battery saver, policy). */
    | 'refused';

interface Sentinel {
    release(): Promise<void>;
    addEventListener(type: 'release', listener: () => void): void;
}

export interface WakeLockEnv {
    /** navigator.wakeLock, or undefined where the API is missing. */
    wakeLock: { request(type: 'screen'): Promise<Sentinel> } | undefined;
    visible(): boolean;
}

export class ScreenWakeLock {
    state: WakeLockState = 'off';
    private wanted = false;
    private sentinel: Sentinel | null = null;
    private requesting: Promise<void> | null = null;

    constructor(
        private readonly env: WakeLockEnv,
        private readonly onState: (state: WakeLockState) => void = () => undefined,
    ) {}

    /** Asks for the lock (start, resume). */
    async acquire(): Promise<void> {
        this.wanted = true;
        await this.take();
    }

    /** Lets the screen sleep again (pause, finish, discard). */
    release(): void {
        this.wanted = false;
        const held = this.sentinel;
        this.sentinel = null;
        void held?.release().catch(() => undefined);
        this.set('off');
    }

    /** Call on visibilitychange: takes the lock back if it is still wanted. */
    async visibilityChanged(): Promise<void> {
        if (this.wanted && this.sentinel === null) {
            await this.take();
        }
    }

    private async take(): Promise<void> {
        if (!this.env.wakeLock) {
            this.set('unsupported');
            return;
        }
        if (this.sentinel !== null) {
            return;
        }
        if (!this.env.visible()) {
            this.set('waiting');
            return;
        }
        this.requesting ??= (async () => {
            try {
                const sentinel = await this.env.wakeLock!.request('screen');
                if (!this.wanted) {
                    // Paused while the request was on its way.
                    void sentinel.release().catch(() => undefined);
                    return;
                }
                this.sentinel = sentinel;
                sentinel.addEventListener('release', () => {
                    if (this.sentinel === sentinel) {
                        // Dropped by the system (page hidden): wanted still, so wait for visible.
                        this.sentinel = null;
                        this.set(this.wanted ? 'waiting' : 'off');
                    }
                });
                this.set('on');
            } catch {
                this.set('refused');
            } finally {
                this.requesting = null;
            }
        })();
        await this.requesting;
    }

    private set(state: WakeLockState): void {
        if (this.state !== state) {
            this.state = state;
            this.onState(state);
        }
    }
}
