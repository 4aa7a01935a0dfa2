import { describe, expect, it } from 'vitest';
import { cadenceUnit, kAllSports } from '../../src/sports';

describe('cadenceUnit', () => {
    it('reads steps on foot, strokes in the water and the boat, pedal turns on wheels', () => {
        const units = Object.fromEntries(kAllSports.map((sport) => [sport, cadenceUnit(sport)]));
        expect(units).toEqual({
            run: 'spm', trail_run: 'spm', walk: 'spm', hike: 'spm',
            ride: 'rpm', mountain_bike: 'rpm', virtual_ride: 'rpm',
            swim: 'spm', rowing: 'spm',
            ski: 'rpm', transition: 'rpm', other: 'rpm', unknown: 'rpm',
        });
    });
});
