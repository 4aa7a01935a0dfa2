// An optimistic toggle with a count: kudos on an activity, likes on a post or comment. A tap shows
// the new state at once, sends it, then takes the server's tally; a failure puts back what was
// shown before. Taps while one is on its way are ignored, so the count never runs ahead of the
// server by more than one. Pure (no Preact), driven by the unit tests.

export interface Tally {
    count: number;
    mine: boolean;
}

export interface ToggleState extends Tally {
    busy: boolean;
}

/** What a tap shows before the server answers. */
export function flipped({ count, mine }: Tally): Tally {
    return { count: Math.max(0, count + (mine ? -1 : 1)), mine: !mine };
}

export interface Toggle {
    /** Flips and sends; resolves once the server answered (or the flip was rolled back). */
    tap(): Promise<void>;
    /** A fresher tally from elsewhere (a reloaded page); ignored while a tap is on its way. */
    reset(tally: Tally): void;
    readonly state: ToggleState;
}

export function createToggle(initial: Tally, send: (want: boolean) => Promise<Tally>, report: (state: ToggleState) => void, failed: (error: unknown) => void): Toggle {
    let state: ToggleState = { ...initial, busy: false };
    const set = (next: ToggleState) => {
        state = next;
        report(next);
    };
    return {
        async tap() {
            if (state.busy) {
                return;
            }
            const before: Tally = { count: state.count, mine: state.mine };
            const shown = flipped(before);
            set({ ...shown, busy: true });
            try {
                const answer = await send(shown.mine);
                set({ count: answer.count, mine: answer.mine, busy: false });
            } catch (error) {
                set({ ...before, busy: false });
                failed(error);
            }
        },
        reset(tally) {
            if (!state.busy) {
                set({ ...tally, busy: false });
            }
        },
        get state() {
            return state;
        },
    };
}
