import { describe, expect, it } from 'vitest';
import { challengeFraction, formatChallengeValue } from '../../src/screens/Challenges';

describe('challenge progress', () => {
    it('fills towards the goal and stops at the top', () => {
        expect(challengeFraction({ type: 'total_distance', goal_value: 50000, progress: 12500 })).toBe(0.25);
        expect(challengeFraction({ type: 'total_time', goal_value: 3600, progress: 7200 })).toBe(1);
        expect(challengeFraction({ type: 'longest_activity', goal_value: 21000, progress: null })).toBe(0);
    });
    it('counts a fastest effort as reached at or under the time to beat', () => {
        expect(challengeFraction({ type: 'fastest_effort', goal_value: 1500, progress: 1490 })).toBe(1);
        expect(challengeFraction({ type: 'fastest_effort', goal_value: 1500, progress: 2000 })).toBe(0.75);
    });
    it('shows distances and durations in their units', () => {
        expect(formatChallengeValue('total_distance', 12500, 'metric')).toBe('12.5 km');
        expect(formatChallengeValue('total_time', 5400, 'metric')).toBe('1h 30m');
        expect(formatChallengeValue('fastest_effort', 1505, 'imperial')).toBe('25m 05s');
        expect(formatChallengeValue('longest_activity', null, 'metric')).toBe('—');
    });
});
