// The name a new recording is offered in the Save sheet, as Strava does: the part of the day it
// started in and the sport ("Morning Run", "Evening Ride").
import type { Sport } from '../api';
import { sportLabel } from '../sports';

/** The part of the day of a local hour (0–23). */
export function partOfDay(hour: number): 'Morning' | 'Lunch' | 'Afternoon' | 'Evening' | 'Night' {
    if (hour >= 4 && hour < 11) {
        return 'Morning';
    }
    if (hour >= 11 && hour < 14) {
        return 'Lunch';
    }
    if (hour >= 14 && hour < 18) {
        return 'Afternoon';
    }
    if (hour >= 18 && hour < 22) {
        return 'Evening';
    }
    return 'Night';
}

/** "Morning Run" for a run started at 07:10 local time (the device's clock and zone). */
export function defaultActivityName(sport: Sport, startedAt: Date): string {
    const label = sportLabel(sport);
    // Title case for the sport part ("Trail Run", "Mountain Bike Ride"), as names read.
    const titled = label.replace(/\b\p{Ll}/gu, (letter) => letter.toUpperCase());
    return `${partOfDay(startedAt.getHours())} ${titled}`;
}
