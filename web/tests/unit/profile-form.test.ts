import { describe, expect, it } from 'vitest';
import type { Me } from '../../src/api';
import { formFromMe, patchFromForm, switchUnits } from '../../src/screens/profile-form';
import { kMe } from './fake-fetch';

const me: Me = { ...kMe, weight_kg: 68.039, height_cm: 180, max_hr_bpm: 190, city: 'Lyon' };

describe('profile form', () => {
    it('shows SI values in the user units', () => {
        expect(formFromMe(me)).toMatchObject({ weight: '68', height_cm: '180', max_hr_bpm: '190', city: 'Lyon', username: '' });
        expect(formFromMe({ ...me, units: 'imperial' })).toMatchObject({ weight: '150', height_ft: '5', height_in: '10.9', height_cm: '' });
    });

    it('sends nothing when nothing changed, in either units', () => {
        expect(patchFromForm(me, formFromMe(me))).toEqual({ patch: {}, errors: {} });
        const imperial = { ...me, units: 'imperial' as const };
        expect(patchFromForm(imperial, formFromMe(imperial))).toEqual({ patch: {}, errors: {} });
    });

    it('sends only the changed fields, converting imperial input to SI', () => {
        const values = { ...switchUnits(me, formFromMe(me), 'imperial'), weight: '160', display_name: '  Ada R ' };
        const { patch, errors } = patchFromForm(me, values);
        expect(errors).toEqual({});
        expect(patch).toEqual({ units: 'imperial', weight_kg: 72.575, display_name: 'Ada R' });
    });

    it('switching units alone changes units but not the stored weight or height', () => {
        const values = switchUnits(me, formFromMe(me), 'imperial');
        expect(values).toMatchObject({ weight: '150', height_ft: '5', height_in: '10.9' });
        expect(patchFromForm(me, values).patch).toEqual({ units: 'imperial' });
        expect(switchUnits(me, values, 'metric')).toMatchObject({ weight: '68', height_cm: '180' });
    });

    it('converts what the user typed when flipping units', () => {
        const typed = { ...formFromMe(me), weight: '100', height_cm: '' };
        expect(switchUnits(me, typed, 'imperial')).toMatchObject({ weight: '220.5', height_ft: '', height_in: '' });
        const garbage = { ...formFromMe(me), weight: 'abc' };
        expect(switchUnits(me, garbage, 'imperial').weight).toBe('abc');
    });

    it('clears nullable fields with null', () => {
        const values = { ...formFromMe(me), city: '  ', weight: '', max_hr_bpm: '' };
        expect(patchFromForm(me, values).patch).toEqual({ city: null, weight_kg: null, max_hr_bpm: null });
    });

    it('reads feet and inches together', () => {
        const imperial = { ...me, units: 'imperial' as const, height_cm: null };
        const values = { ...formFromMe(imperial), height_ft: '6', height_in: '' };
        expect(patchFromForm(imperial, values).patch).toEqual({ height_cm: 182.88 });
    });

    it('reports unparsable input under the API field names', () => {
        const values = { ...formFromMe(me), weight: 'heavy', max_hr_bpm: '180.5', display_name: ' ' };
        const { errors } = patchFromForm(me, values);
        expect(errors).toEqual({ weight_kg: 'must be a number', max_hr_bpm: 'must be a whole number', display_name: 'is required' });
    });

    it("checks the server's ranges and real past dates before sending", () => {
        const { patch, errors } = patchFromForm(me, { ...formFromMe(me), weight: '10', max_hr_bpm: '300', ftp_w: '250', birthdate: '2023-02-30' });
        expect(errors).toEqual({ weight_kg: 'Enter a weight from 20 to 400 kg.', max_hr_bpm: 'Enter a whole number from 100 to 250.', birthdate: 'Enter a date like 1990-04-23.' });
        expect(patch).toMatchObject({ ftp_w: 250 });
        expect(patchFromForm(me, { ...formFromMe(me), birthdate: '2999-01-01' }).errors).toEqual({ birthdate: 'Enter a date in the past.' });
        expect(patchFromForm({ ...me, units: 'imperial' }, { ...formFromMe({ ...me, units: 'imperial' }), weight: '900' }).errors).toEqual({ weight_kg: 'Enter a weight from 45 to 880 lb.' });
    });

    it('normalises username and country case', () => {
        const values = { ...formFromMe(me), username: 'Ada.Runs', country: 'fr' };
        expect(patchFromForm(me, values).patch).toEqual({ username: 'ada.runs', country: 'FR' });
    });

    it('sends the default hide radius for new activities', () => {
        expect(formFromMe(me).hide_endpoints_m).toBe('200');
        expect(patchFromForm(me, { ...formFromMe(me), hide_endpoints_m: '0' }).patch).toEqual({ hide_endpoints_m: 0 });
        expect(patchFromForm(me, { ...formFromMe(me), hide_endpoints_m: '5000' }).errors).toEqual({ hide_endpoints_m: 'must be between 0 and 1600 metres' });
    });

    it('accepts a decimal comma', () => {
        expect(patchFromForm(me, { ...formFromMe(me), weight: '70,5' }).patch).toEqual({ weight_kg: 70.5 });
    });
});
