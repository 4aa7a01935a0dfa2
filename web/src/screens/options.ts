// Choices for the profile form's selects.
import type { SelectOption } from '../ui';

// ISO 3166-1 alpha-2 codes; names come from the browser (Intl.DisplayNames) in the user's language.
const kCountryCodes = (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
    'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
).split(' ');

export function countryOptions(locale?: string): SelectOption[] {
    let names: Intl.DisplayNames | null = null;
    try {
        names = new Intl.DisplayNames(locale ? [locale] : undefined, { type: 'region' });
    } catch {
        names = null;
    }
    const options = kCountryCodes.map((code) => ({ value: code, label: names?.of(code) ?? code }));
    options.sort((a, b) => a.label.localeCompare(b.label));
    return [{ value: '', label: 'Not set' }, ...options];
}

/** IANA zones known to the browser, with UTC and the current value always present. */
export function timeZoneOptions(current: string): SelectOption[] {
    let zones: string[] = [];
    try {
        zones = Intl.supportedValuesOf('timeZone');
    } catch {
        zones = [];
    }
    const all = new Set(['UTC', ...zones, current]);
    return [...all].sort().map((zone) => ({ value: zone, label: zone.replaceAll('_', ' ') }));
}

/** The browser's own time zone (a good first suggestion). */
export function deviceTimeZone(): string {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export const kSexOptions: SelectOption[] = [
    { value: '', label: 'Prefer not to say' },
    { value: 'female', label: 'Female' },
    { value: 'male', label: 'Male' },
    { value: 'other', label: 'Other' },
];

export const kUnitsOptions: SelectOption[] = [
    { value: 'metric', label: 'Metric (kg, cm, km)' },
    { value: 'imperial', label: 'Imperial (lb, ft, mi)' },
];

export const kVisibilityOptions: SelectOption[] = [
    { value: 'everyone', label: 'Everyone' },
    { value: 'followers', label: 'Followers' },
    { value: 'only_me', label: 'Only me' },
];

export const kMessagePolicyOptions: SelectOption[] = [
    { value: 'everyone', label: 'Everyone' },
    { value: 'followers', label: 'Followers' },
    { value: 'nobody', label: 'Nobody' },
];
