// What a screen may ask of the app frame around it. The Record screen hides the tab bar while a
// recording runs (as Strava's does), so a stray tap on the road cannot leave the screen.
import { signal } from '@preact/signals';

/** Set by a screen while it wants the whole height; the frame leaves the tab bar out. */
export const tabBarHidden = signal(false);
