import { describe, expect, it } from 'vitest';
import type { ActivityDetail } from '../../src/api';
import { createBodyFromForm, durationSeconds, emptyManualForm, formFromActivity, hideRadiusLabel, instantOfLocalDateTime, localDateTimeValue, patchFromActivityForm } from '../../src/screens/activity-form';

const activity = {
    id: 12,
    name: 'Lunch run',
    description: '',
    sport: 'run',
    visibility: 'everyone',
    hidden_metrics: ['heart_rate'],
    hide_endpoints_m: 200,
    perceived_exertion: null,
} as unknown as ActivityDetail;

describe('activity edit form', () => {
    it('sends nothing when nothing changed', () => {
        expect(patchFromActivityForm(activity, formFromActivity(activity))).toEqual({ patch: {}, errors: {} });
    });

    it('sends only the changed fields, hidden metrics in the API’s order', () => {
        const values = { ...formFromActivity(activity), name: '  Tempo run ', hidden_metrics: ['heart_rate', 'start_time', 'calories'] as ActivityDetail['hidden_metrics'], hide_endpoints_m: '800', perceived_exertion: '7' };
        expect(patchFromActivityForm(activity, values)).toEqual({
            patch: { name: 'Tempo run', hidden_metrics: ['start_time', 'heart_rate', 'calories'], hide_endpoints_m: 800, perceived_exertion: 7 },
            errors: {},
        });
        // The same set in another order is no change.
        const reordered = { ...formFromActivity({ ...activity, hidden_metrics: ['heart_rate', 'power'] }), hidden_metrics: ['power', 'heart_rate'] as ActivityDetail['hidden_metrics'] };
        expect(patchFromActivityForm({ ...activity, hidden_metrics: ['heart_rate', 'power'] }, reordered).patch).toEqual({});
    });

    it('refuses an empty name and clears perceived exertion with null', () => {
        const cleared = patchFromActivityForm({ ...activity, perceived_exertion: 5 }, { ...formFromActivity({ ...activity, perceived_exertion: 5 }), name: ' ', perceived_exertion: '' });
        expect(cleared.errors).toEqual({ name: 'is required' });
        expect(cleared.patch).toEqual({ perceived_exertion: null });
    });

    it('labels the hide radius in the user’s units', () => {
        expect(hideRadiusLabel(0, 'metric')).toBe('Off');
        expect(hideRadiusLabel(400, 'metric')).toBe('400 m');
        expect(hideRadiusLabel(1600, 'metric')).toBe('1.6 km');
        expect(hideRadiusLabel(800, 'imperial')).toBe('½ mile');
    });
});

describe('manual activity form', () => {
    const start = new Date(2026, 10, 30, 7, 15);

    it('builds the body in SI from the user’s units', () => {
        const values = { ...emptyManualForm('followers', start), sport: 'ride' as const, hours: '1', minutes: '5', seconds: '', distance: '20.5', elevation: '1000', calories: '640', perceived_exertion: '6', name: ' Commute ' };
        const { body, errors } = createBodyFromForm(values, 'imperial');
        expect(errors).toEqual({});
        expect(body).toEqual({
            sport: 'ride',
            start_time: start.toISOString().replace('.000Z', 'Z'),
            elapsed_s: 3900,
            visibility: 'followers',
            distance_m: 32991.6, // 20.5 mi
            elevation_gain_m: 304.8, // 1000 ft
            calories_kcal: 640,
            perceived_exertion: 6,
            name: 'Commute',
        });
        expect(createBodyFromForm({ ...values, distance: '10' }, 'metric').body?.distance_m).toBe(10_000);
    });

    it('names each invalid field with the API’s name', () => {
        const { body, errors } = createBodyFromForm({ ...emptyManualForm('everyone', start), start: '', minutes: '75', distance: 'far', calories: '-1', perceived_exertion: '11' }, 'metric');
        expect(body).toBeNull();
        expect(Object.keys(errors).sort()).toEqual(['calories_kcal', 'distance_m', 'elapsed_s', 'perceived_exertion', 'start_time']);
        expect(createBodyFromForm(emptyManualForm('everyone', start), 'metric').errors).toEqual({ elapsed_s: 'must be longer than zero' });
    });

    it('says a negative amount is negative, junk is not a number', () => {
        const { errors } = createBodyFromForm({ ...emptyManualForm('everyone', start), minutes: '30', distance: '-5', elevation: 'high', calories: '-1' }, 'metric');
        expect(errors).toEqual({ distance_m: "can't be negative", elevation_gain_m: 'must be a number', calories_kcal: "can't be negative" });
    });

    it('reads the start in the profile’s time zone, whatever the device’s', () => {
        // 07:00 in Ljubljana on 2 Dec 2026 (CET, UTC+1) is 06:00Z; in New York (EST, UTC-5) 12:00Z.
        const at = (zone?: string) => createBodyFromForm({ ...emptyManualForm('everyone', start), start: '2026-12-02T07:00', minutes: '30' }, 'metric', zone).body?.start_time;
        expect(at('Europe/Ljubljana')).toBe('2026-12-02T06:00:00Z');
        expect(at('America/New_York')).toBe('2026-12-02T12:00:00Z');
        expect(at('Asia/Kolkata')).toBe('2026-12-02T01:30:00Z');
        // Summer time: 07:00 CEST is 05:00Z; the hour the spring change skips keeps the winter offset.
        expect(createBodyFromForm({ ...emptyManualForm('everyone', start), start: '2026-07-01T07:00', minutes: '30' }, 'metric', 'Europe/Ljubljana').body?.start_time).toBe('2026-07-01T05:00:00Z');
        expect(instantOfLocalDateTime('2026-03-29T02:30', 'Europe/Ljubljana')?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
        // The form's default "now" reads as the profile's clock: round trip to the same minute.
        const now = new Date(Date.UTC(2026, 11, 2, 23, 45));
        expect(localDateTimeValue(now, 'Europe/Ljubljana')).toBe('2026-12-03T00:45');
        expect(localDateTimeValue(now, 'America/New_York')).toBe('2026-12-02T18:45');
        expect(instantOfLocalDateTime(localDateTimeValue(now, 'Pacific/Auckland'), 'Pacific/Auckland')?.getTime()).toBe(now.getTime());
        expect(instantOfLocalDateTime('not a date', 'Europe/Ljubljana')).toBeNull();
    });

    it('reads durations', () => {
        expect(durationSeconds('', '45', '30')).toBe(2730);
        expect(durationSeconds('2', '', '')).toBe(7200);
        expect(durationSeconds('', '', '')).toBeNull();
        expect(durationSeconds('1.5', '', '')).toBeUndefined();
        expect(durationSeconds('', '60', '')).toBeUndefined();
    });

    it('starts at the current local minute', () => {
        expect(localDateTimeValue(start)).toBe('2026-11-30T07:15');
    });
});
