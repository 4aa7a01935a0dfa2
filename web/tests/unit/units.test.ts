import { describe, expect, it } from 'vitest';
import { cmToFtIn, formatHeight, formatWeight, ftInToCm, kgToLb, lbToKg, trimNumber } from '../../src/units';

describe('units', () => {
    it('converts weight both ways', () => {
        expect(kgToLb(1)).toBeCloseTo(2.20462, 5);
        expect(lbToKg(150)).toBeCloseTo(68.0389, 4);
        expect(lbToKg(kgToLb(72.5))).toBeCloseTo(72.5, 10);
    });

    it('splits heights into feet and inches without ever showing 12 inches', () => {
        expect(cmToFtIn(180)).toEqual({ ft: 5, inches: 10.9 });
        expect(cmToFtIn(182.87)).toEqual({ ft: 6, inches: 0 }); // 71.996 in rounds to 72.0 = 6 ft
        expect(ftInToCm(6, 0)).toBeCloseTo(182.88, 10);
    });

    it('formats for display in the user units', () => {
        expect(formatWeight(68.039, 'imperial')).toBe('150 lb');
        expect(formatWeight(72.54, 'metric')).toBe('72.5 kg');
        expect(formatWeight(null, 'metric')).toBe('—');
        expect(formatHeight(180, 'metric')).toBe('180 cm');
        expect(formatHeight(180, 'imperial')).toBe('5′ 10.9″');
        expect(formatHeight(null, 'imperial')).toBe('—');
    });

    it('trims trailing zeros', () => {
        expect(trimNumber(72, 1)).toBe('72');
        expect(trimNumber(72.04, 1)).toBe('72');
        expect(trimNumber(72.06, 1)).toBe('72.1');
    });
});
