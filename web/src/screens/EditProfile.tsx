// Edit every writable field of the profile. Weight and height follow the chosen units.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { accounts, type Me } from '../api';
import { assertValid, useSubmit } from '../hooks/submit';
import { href, navigate } from '../router/location';
import { me, setMe } from '../state/session';
import { Button, FieldGroup, ProblemView, Screen, SelectField, TextAreaField, TextField, showToast } from '../ui';
import { hideRadiusLabel, kHideRadiiM } from './activity-form';
import { formFromMe, patchFromForm, switchUnits, type ProfileFormValues } from './profile-form';
import { countryOptions, kMessagePolicyOptions, kSexOptions, kUnitsOptions, kVisibilityOptions, timeZoneOptions } from './options';
import type { Units } from '../units';
import { You } from './You';

/** The API fields this form shows; errors for any other field go into the banner. */
const kShownFields = [
    'username',
    'display_name',
    'bio',
    'city',
    'country',
    'sex',
    'birthdate',
    'weight_kg',
    'height_cm',
    'max_hr_bpm',
    'resting_hr_bpm',
    'ftp_w',
    'units',
    'time_zone',
    'default_visibility',
    'hide_endpoints_m',
    'message_policy',
] as const;

export function EditProfile() {
    const user = me.value;
    // Without a loaded profile (offline start) there is nothing to edit; "You" explains why.
    return user ? <EditProfileForm user={user} /> : <You />;
}

function EditProfileForm({ user }: { user: Me }) {
    const [values, setValues] = useState<ProfileFormValues>(() => formFromMe(user));
    const countries = useMemo(() => countryOptions(), []);
    const zones = useMemo(() => timeZoneOptions(user.time_zone), [user.time_zone]);

    useEffect(() => {
        setValues(formFromMe(user));
    }, [user]);

    const set = (key: keyof ProfileFormValues) => (value: string) => setValues((current) => ({ ...current, [key]: value }));
    const imperial = values.units === 'imperial';

    const form = useSubmit(async () => {
        const { patch, errors } = patchFromForm(user, values);
        assertValid(errors);
        if (Object.keys(patch).length === 0) {
            showToast('No changes to save');
        } else {
            setMe(await accounts.updateMe(patch));
            showToast('Profile saved', 'success');
        }
        navigate(href('you'));
    });
    const errors = form.errors;

    return (
        <Screen backHref={href('you')}>
            <form class="form" onSubmit={form.onSubmit} noValidate aria-label="Edit profile">
                <ProblemView problem={form.problem} fields={kShownFields} />

                <section class="form-section">
                    <h2 class="form-section__title">Profile</h2>
                    <TextField label="Display name" name="display_name" maxLength={80} autoComplete="name" value={values.display_name} onValue={set('display_name')} error={errors.display_name} />
                    <TextField label="Username" name="username" autoCapitalize="none" spellcheck={false} autoComplete="username" maxLength={30} value={values.username} onValue={set('username')} error={errors.username} hint="3–30 characters: a–z, 0–9, _ and ." />
                    <TextAreaField label="Bio" name="bio" maxLength={1000} value={values.bio} onValue={set('bio')} error={errors.bio} />
                    <TextField label="City" name="city" maxLength={100} autoComplete="address-level2" value={values.city} onValue={set('city')} error={errors.city} />
                    <SelectField label="Country" name="country" options={countries} value={values.country} onValue={set('country')} error={errors.country} />
                </section>

                <section class="form-section">
                    <h2 class="form-section__title">Body</h2>
                    <SelectField label="Sex" name="sex" options={kSexOptions} value={values.sex} onValue={set('sex')} error={errors.sex} hint="Used for calorie and heart-rate estimates." />
                    <TextField label="Birthdate" name="birthdate" type="date" autoComplete="bday" value={values.birthdate} onValue={set('birthdate')} error={errors.birthdate} />
                    <TextField label="Weight" name="weight_kg" type="text" inputMode="decimal" suffix={imperial ? 'lb' : 'kg'} value={values.weight} onValue={set('weight')} error={errors.weight_kg} />
                    {imperial ? (
                        <FieldGroup label="Height" name="height_cm" error={errors.height_cm}>
                            <div class="field__control">
                                <input class="field__input" name="height_ft" inputMode="numeric" aria-label="Height, feet" value={values.height_ft} onInput={(e) => set('height_ft')(e.currentTarget.value)} />
                                <span class="field__suffix">ft</span>
                            </div>
                            <div class="field__control">
                                <input class="field__input" name="height_in" inputMode="decimal" aria-label="Height, inches" value={values.height_in} onInput={(e) => set('height_in')(e.currentTarget.value)} />
                                <span class="field__suffix">in</span>
                            </div>
                        </FieldGroup>
                    ) : (
                        <TextField label="Height" name="height_cm" inputMode="decimal" suffix="cm" value={values.height_cm} onValue={set('height_cm')} error={errors.height_cm} />
                    )}
                    <TextField label="Max heart rate" name="max_hr_bpm" inputMode="numeric" suffix="bpm" value={values.max_hr_bpm} onValue={set('max_hr_bpm')} error={errors.max_hr_bpm} />
                    <TextField label="Resting heart rate" name="resting_hr_bpm" inputMode="numeric" suffix="bpm" value={values.resting_hr_bpm} onValue={set('resting_hr_bpm')} error={errors.resting_hr_bpm} />
                    <TextField label="FTP" name="ftp_w" inputMode="numeric" suffix="W" value={values.ftp_w} onValue={set('ftp_w')} error={errors.ftp_w} hint="Functional threshold power, for cycling." />
                </section>

                <section class="form-section">
                    <h2 class="form-section__title">Preferences</h2>
                    <SelectField label="Units" name="units" options={kUnitsOptions} value={values.units} onValue={(units) => setValues((current) => switchUnits(user, current, units as Units))} error={errors.units} />
                    <SelectField label="Time zone" name="time_zone" options={zones} value={values.time_zone} onValue={set('time_zone')} error={errors.time_zone} />
                    <SelectField label="Who sees new activities" name="default_visibility" options={kVisibilityOptions} value={values.default_visibility} onValue={set('default_visibility')} error={errors.default_visibility} />
                    <SelectField
                        label="Hide start and end of new activities"
                        name="hide_endpoints_m"
                        hint="Others don't see your route near where you start and finish: it is hidden within a circle several times this distance across, placed so that the exact spot can't be guessed."
                        options={[...new Set<number>([...kHideRadiiM, user.hide_endpoints_m])].sort((a, b) => a - b).map((m) => ({ value: String(m), label: hideRadiusLabel(m, values.units) }))}
                        value={values.hide_endpoints_m}
                        onValue={set('hide_endpoints_m')}
                        error={errors.hide_endpoints_m}
                    />
                    <SelectField label="Who can message you" name="message_policy" options={kMessagePolicyOptions} value={values.message_policy} onValue={set('message_policy')} error={errors.message_policy} />
                </section>

                <Button type="submit" block busy={form.busy}>
                    Save changes
                </Button>
            </form>
        </Screen>
    );
}
