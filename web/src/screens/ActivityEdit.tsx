// Editing an activity (owner only) and logging one by hand.
import { useState } from 'preact/hooks';
import { activities, type ActivityDetail, type HiddenMetric, type Sport, type Visibility } from '../api';
import { useLoad } from '../hooks/load';
import { assertValid, useIdempotencyKeys, useSubmit } from '../hooks/submit';
import { href, navigate } from '../router/location';
import { kChoosableSports, sportLabel } from '../sports';
import { me } from '../state/session';
import { HideFromFeedSwitch } from './HideFromFeedSwitch';
import { Button, FieldGroup, ProblemView, Screen, SelectField, Spinner, TextAreaField, TextField, showToast, type SelectOption } from '../ui';
import { distanceUnit, type Units } from '../units';
import { createBodyFromForm, emptyManualForm, formFromActivity, hideRadiusLabel, kHiddenMetrics, kHideRadiiM, patchFromActivityForm, type EditValues, type ManualValues } from './activity-form';
import { currentUnits } from './activity-view';
import { newIdempotencyKey } from './format';
import { kVisibilityOptions } from './options';

function sportOptions(current?: Sport): SelectOption[] {
    const sports = current && !kChoosableSports.includes(current) ? [...kChoosableSports, current] : kChoosableSports;
    return sports.map((sport) => ({ value: sport, label: sportLabel(sport) }));
}

const kExertionOptions: SelectOption[] = [
    { value: '', label: 'Not set' },
    ...Array.from({ length: 10 }, (_, i) => ({ value: String(i + 1), label: `${i + 1}${i === 0 ? ' – very easy' : i === 4 ? ' – moderate' : i === 9 ? ' – maximal' : ''}` })),
];

const kEditFields = ['name', 'description', 'sport', 'visibility', 'hidden_metrics', 'hide_endpoints_m', 'perceived_exertion', 'hide_from_feed'] as const;

export function EditActivity({ id }: { id: number }) {
    const { data: activity, problem } = useLoad((signal) => activities.getActivity(id, { signal }), [id]);
    const back = href('activity/:id', { id });
    if (!activity) {
        return <Screen backHref={back}>{problem ? <ProblemView problem={problem} /> : <Spinner label="Loading activity" />}</Screen>;
    }
    if (!activity.is_owner) {
        return (
            <Screen backHref={back}>
                <p class="muted">Only the athlete who recorded this activity can edit it.</p>
            </Screen>
        );
    }
    return <EditForm activity={activity} units={currentUnits()} />;
}

function EditForm({ activity, units }: { activity: ActivityDetail; units: Units }) {
    const [values, setValues] = useState<EditValues>(() => formFromActivity(activity));
    const set = <K extends keyof EditValues>(key: K) => (value: EditValues[K]) => setValues((current) => ({ ...current, [key]: value }));
    const radii = new Set<number>([...kHideRadiiM, activity.hide_endpoints_m ?? 0]);

    function toggleMetric(metric: HiddenMetric, on: boolean) {
        setValues((current) => ({ ...current, hidden_metrics: on ? [...current.hidden_metrics, metric] : current.hidden_metrics.filter((m) => m !== metric) }));
    }

    const form = useSubmit(async () => {
        const { patch, errors } = patchFromActivityForm(activity, values);
        assertValid(errors);
        if (Object.keys(patch).length > 0) {
            await activities.updateActivity(activity.id, patch);
            showToast('Activity saved', 'success');
        }
        navigate(href('activity/:id', { id: activity.id }));
    });
    const errors = form.errors;

    return (
        <Screen backHref={href('activity/:id', { id: activity.id })}>
            <form class="form" onSubmit={form.onSubmit} noValidate aria-label="Edit activity">
                <ProblemView problem={form.problem} fields={kEditFields} />
                <section class="form-section">
                    <TextField label="Name" name="name" maxLength={255} value={values.name} onValue={set('name')} error={errors.name} />
                    <TextAreaField label="Description" name="description" maxLength={10000} value={values.description} onValue={set('description')} error={errors.description} />
                    <SelectField label="Sport" name="sport" options={sportOptions(activity.sport)} value={values.sport} onValue={(v) => set('sport')(v as Sport)} error={errors.sport} />
                    <SelectField label="Perceived exertion" name="perceived_exertion" options={kExertionOptions} value={values.perceived_exertion} onValue={set('perceived_exertion')} error={errors.perceived_exertion} />
                </section>
                <section class="form-section">
                    <h2 class="form-section__title">Privacy</h2>
                    <SelectField label="Who can see it" name="visibility" options={kVisibilityOptions} value={values.visibility} onValue={(v) => set('visibility')(v as Visibility)} error={errors.visibility} />
                    <HideFromFeedSwitch checked={values.hide_from_feed} onChecked={set('hide_from_feed')} />
                    <FieldGroup label="Hide from others" name="hidden_metrics" error={errors.hidden_metrics}>
                        <div class="checks">
                            {kHiddenMetrics.map((metric) => (
                                <label key={metric.value} class="check">
                                    <input type="checkbox" name="hidden_metrics" value={metric.value} checked={values.hidden_metrics.includes(metric.value)} onChange={(e) => toggleMetric(metric.value, e.currentTarget.checked)} />
                                    <span>{metric.label}</span>
                                </label>
                            ))}
                        </div>
                    </FieldGroup>
                    <SelectField
                        label="Hide start and end"
                        name="hide_endpoints_m"
                        hint="Others don't see your route near where you started and finished: it is hidden within a circle several times this distance across, placed so that the exact spot can't be guessed. Short activities may show others little of the route."
                        options={[...radii].sort((a, b) => a - b).map((m) => ({ value: String(m), label: hideRadiusLabel(m, units) }))}
                        value={values.hide_endpoints_m}
                        onValue={set('hide_endpoints_m')}
                        error={errors.hide_endpoints_m}
                    />
                </section>
                <Button type="submit" block busy={form.busy}>
                    Save
                </Button>
            </form>
        </Screen>
    );
}

const kManualFields = ['sport', 'start_time', 'elapsed_s', 'distance_m', 'elevation_gain_m', 'calories_kcal', 'perceived_exertion', 'name', 'description', 'visibility'] as const;

export function NewActivity() {
    const units = currentUnits();
    // The start reads in the profile's time zone, as every start the app shows; fixed for the form's
    // life so that the initial value and the submitted one agree.
    const [zone] = useState(() => me.value?.time_zone);
    const [values, setValues] = useState<ManualValues>(() => emptyManualForm(me.value?.default_visibility ?? 'everyone', new Date(), zone));
    const keyFor = useIdempotencyKeys(newIdempotencyKey);
    const set = (key: keyof ManualValues) => (value: string) => setValues((current) => ({ ...current, [key]: value }));

    const form = useSubmit(async () => {
        const { body, errors } = createBodyFromForm(values, units, zone);
        assertValid(errors);
        if (!body) {
            return;
        }
        const created = await activities.createActivity(body, keyFor(body));
        showToast('Activity saved', 'success');
        navigate(href('activity/:id', { id: created.id }), { replace: true });
    });
    const errors = form.errors;

    return (
        <Screen backHref={href('activities')}>
            <form class="form" onSubmit={form.onSubmit} noValidate aria-label="Manual activity">
                <ProblemView problem={form.problem} fields={kManualFields} />
                <section class="form-section">
                    <SelectField label="Sport" name="sport" options={sportOptions()} value={values.sport} onValue={set('sport')} error={errors.sport} />
                    <TextField label="Start" name="start_time" type="datetime-local" value={values.start} onValue={set('start')} error={errors.start_time} hint={zone ? `Time in ${zone.replace(/_/g, ' ')} (your profile's time zone)` : undefined} />
                    <FieldGroup label="Duration" name="elapsed_s" error={errors.elapsed_s}>
                        <div class="field__control">
                            <input class="field__input" name="hours" inputMode="numeric" aria-label="Duration, hours" value={values.hours} onInput={(e) => set('hours')(e.currentTarget.value)} />
                            <span class="field__suffix">h</span>
                        </div>
                        <div class="field__control">
                            <input class="field__input" name="minutes" inputMode="numeric" aria-label="Duration, minutes" value={values.minutes} onInput={(e) => set('minutes')(e.currentTarget.value)} />
                            <span class="field__suffix">min</span>
                        </div>
                        <div class="field__control">
                            <input class="field__input" name="seconds" inputMode="numeric" aria-label="Duration, seconds" value={values.seconds} onInput={(e) => set('seconds')(e.currentTarget.value)} />
                            <span class="field__suffix">s</span>
                        </div>
                    </FieldGroup>
                    <TextField label="Distance" name="distance_m" inputMode="decimal" suffix={distanceUnit(units)} value={values.distance} onValue={set('distance')} error={errors.distance_m} />
                    <TextField label="Elevation gain" name="elevation_gain_m" inputMode="decimal" suffix={units === 'imperial' ? 'ft' : 'm'} value={values.elevation} onValue={set('elevation')} error={errors.elevation_gain_m} />
                    <TextField label="Calories" name="calories_kcal" inputMode="numeric" suffix="kcal" value={values.calories} onValue={set('calories')} error={errors.calories_kcal} />
                    <SelectField label="Perceived exertion" name="perceived_exertion" options={kExertionOptions} value={values.perceived_exertion} onValue={set('perceived_exertion')} error={errors.perceived_exertion} />
                </section>
                <section class="form-section">
                    <TextField label="Name" name="name" maxLength={255} placeholder="Made from the sport and time of day if empty" value={values.name} onValue={set('name')} error={errors.name} />
                    <TextAreaField label="Notes" name="description" maxLength={10000} value={values.description} onValue={set('description')} error={errors.description} />
                    <SelectField label="Who can see it" name="visibility" options={kVisibilityOptions} value={values.visibility} onValue={set('visibility')} error={errors.visibility} />
                </section>
                <Button type="submit" block busy={form.busy}>
                    Save activity
                </Button>
            </form>
        </Screen>
    );
}
