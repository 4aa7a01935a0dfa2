import { describe, expect, it } from 'vitest';
import { gpsQuality, gpsText, kSignalLostMs } from '../../src/record/gps-status';
import { defaultActivityName, partOfDay } from '../../src/record/naming';
import { ScreenWakeLock, type WakeLockEnv, type WakeLockState } from '../../src/record/wake-lock';
import { wrapFocus } from '../../src/ui/focus';

const at = (hour: number, minute = 0) => new Date(2026, 11, 7, hour, minute);

describe('defaultActivityName', () => {
    it('names by the local part of the day and the sport', () => {
        expect(defaultActivityName('run', at(7, 10))).toBe('Morning Run');
        expect(defaultActivityName('ride', at(12, 30))).toBe('Lunch Ride');
        expect(defaultActivityName('walk', at(15))).toBe('Afternoon Walk');
        expect(defaultActivityName('hike', at(19, 45))).toBe('Evening Hike');
        expect(defaultActivityName('swim', at(23))).toBe('Night Swim');
        expect(defaultActivityName('trail_run', at(6))).toBe('Morning Trail Run');
        expect(defaultActivityName('mountain_bike', at(16))).toBe('Afternoon Mountain Bike Ride');
    });

    it('draws the boundaries on the hour', () => {
        expect([3, 4, 10, 11, 13, 14, 17, 18, 21, 22, 0].map(partOfDay)).toEqual([
            'Night',
            'Morning',
            'Morning',
            'Lunch',
            'Lunch',
            'Afternoon',
            'Afternoon',
            'Evening',
            'Evening',
            'Night',
            'Night',
        ]);
    });
});

describe('gpsQuality', () => {
    const t = 1_000_000;
    it('grades the accuracy of a fresh fix', () => {
        expect(gpsQuality({ state: 'ok', accuracy_m: 4, last_fix_ms: t }, t + 1000)).toBe('good');
        expect(gpsQuality({ state: 'ok', accuracy_m: 25, last_fix_ms: t }, t + 1000)).toBe('fair');
        expect(gpsQuality({ state: 'ok', accuracy_m: 60, last_fix_ms: t }, t + 1000)).toBe('poor');
    });

    it('calls the signal lost when fixes stop coming, and not before the first', () => {
        expect(gpsQuality({ state: 'ok', accuracy_m: 4, last_fix_ms: t }, t + kSignalLostMs - 1)).toBe('good');
        expect(gpsQuality({ state: 'ok', accuracy_m: 4, last_fix_ms: t }, t + kSignalLostMs)).toBe('lost');
        expect(gpsQuality({ state: 'searching', accuracy_m: null, last_fix_ms: null }, t + 60_000)).toBe('searching');
        expect(gpsQuality({ state: 'denied', accuracy_m: null, last_fix_ms: null }, t)).toBe('denied');
        expect(gpsText('lost', null)).toMatch(/GPS signal lost/);
        expect(gpsText('good', 4.4)).toBe('GPS ±4 m');
    });
});

interface FakeSentinel {
    released: boolean;
    release(): Promise<void>;
    addEventListener(type: 'release', listener: () => void): void;
    /** What the system does when the page is hidden. */
    drop(): void;
}

function fakeEnv(options: { supported?: boolean; refuse?: boolean } = {}) {
    const sentinels: FakeSentinel[] = [];
    let visible = true;
    const states: WakeLockState[] = [];
    const env: WakeLockEnv = {
        wakeLock:
            options.supported === false
                ? undefined
                : {
                      request: async () => {
                          if (options.refuse) {
                              throw new DOMException('not allowed', 'NotAllowedError');
                          }
                          const listeners: (() => void)[] = [];
                          const sentinel: FakeSentinel = {
                              released: false,
                              async release() {
                                  if (!sentinel.released) {
                                      sentinel.released = true;
                                      listeners.forEach((l) => l());
                                  }
                              },
                              addEventListener: (_type, listener) => listeners.push(listener),
                              drop: () => void sentinel.release(),
                          };
                          sentinels.push(sentinel);
                          return sentinel;
                      },
                  },
        visible: () => visible,
    };
    const lock = new ScreenWakeLock(env, (state) => states.push(state));
    return { lock, sentinels, states, setVisible: (v: boolean) => (visible = v) };
}

describe('ScreenWakeLock', () => {
    it('holds the lock while recording and releases it on pause', async () => {
        const { lock, sentinels } = fakeEnv();
        await lock.acquire();
        expect(lock.state).toBe('on');
        expect(sentinels).toHaveLength(1);
        lock.release();
        expect(lock.state).toBe('off');
        expect(sentinels[0]?.released).toBe(true);
    });

    it('takes the lock again when the page comes back, only while wanted', async () => {
        const { lock, sentinels, setVisible } = fakeEnv();
        await lock.acquire();
        setVisible(false);
        sentinels[0]?.drop();
        expect(lock.state).toBe('waiting');
        await lock.visibilityChanged(); // still hidden
        expect(sentinels).toHaveLength(1);
        setVisible(true);
        await lock.visibilityChanged();
        expect(lock.state).toBe('on');
        expect(sentinels).toHaveLength(2);
        lock.release();
        await lock.visibilityChanged();
        expect(sentinels).toHaveLength(2);
        expect(lock.state).toBe('off');
    });

    it('waits for a visible page before asking', async () => {
        const { lock, sentinels, setVisible } = fakeEnv();
        setVisible(false);
        await lock.acquire();
        expect(lock.state).toBe('waiting');
        expect(sentinels).toHaveLength(0);
        setVisible(true);
        await lock.visibilityChanged();
        expect(lock.state).toBe('on');
    });

    it('works on without the API or when refused', async () => {
        const missing = fakeEnv({ supported: false });
        await missing.lock.acquire();
        expect(missing.lock.state).toBe('unsupported');
        const refused = fakeEnv({ refuse: true });
        await refused.lock.acquire();
        expect(refused.lock.state).toBe('refused');
        refused.lock.release();
        expect(refused.lock.state).toBe('off');
    });

    it('lets go of a lock granted after a pause', async () => {
        const { lock, sentinels } = fakeEnv();
        const pending = lock.acquire();
        lock.release();
        await pending;
        expect(sentinels[0]?.released).toBe(true);
        expect(lock.state).toBe('off');
    });
});

describe('wrapFocus', () => {
    it('wraps Tab at the last element and Shift+Tab at the first', () => {
        expect(wrapFocus(3, 2, false)).toBe(0);
        expect(wrapFocus(3, 0, true)).toBe(2);
    });
    it('leaves moves inside to the browser', () => {
        expect(wrapFocus(3, 0, false)).toBeNull();
        expect(wrapFocus(3, 2, true)).toBeNull();
    });
    it('brings focus that escaped back inside', () => {
        expect(wrapFocus(3, -1, false)).toBe(0);
        expect(wrapFocus(3, -1, true)).toBe(2);
        expect(wrapFocus(0, -1, false)).toBeNull();
    });
});
