// The living style page (#/styleguide): every token and component of the design system with
// fixed sample data, so a change to one shows up here first. Open to anybody (no data, no API
// calls); a browser test compares a screenshot of it with a committed baseline.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Problem } from '../api';
import { kChoosableSports } from '../sports';
import { Avatar, Badge, Banner, Button, Card, ConfirmSheet, EmptyState, FieldGroup, LinkButton, ListGroup, ListRow, ProblemView, Screen, Segmented, SelectField, Spinner, TabBar, Table, TextAreaField, TextField, ToastView, confirmAction, type TabItem } from '../ui';
import { Chart } from '../ui/Chart';
import * as Icons from '../ui/icons';
import { RouteMap, RouteThumb } from '../ui/RouteMap';
import { SportIcon } from '../ui/SportIcon';
import './Styleguide.css';

const kColours = ['brand', 'brand-strong', 'brand-soft', 'on-brand', 'bg', 'surface', 'surface-2', 'border', 'text', 'text-2', 'text-3', 'danger', 'danger-soft', 'success', 'success-soft', 'focus'];
const kTypeScale = ['xs', 'sm', 'md', 'lg', 'xl', '2xl', '3xl'];
const kSpacing = [1, 2, 3, 4, 5, 6, 7];
const kRadii = ['sm', 'md', 'lg', 'full'];

const kProblem: Problem = {
    type: 'urn:strava1:problem:invalid-argument',
    title: 'Invalid request',
    status: 400,
    detail: 'Some fields need another look.',
    instance: '/v1/me',
    request_id: 'req-0000000000000001',
    errors: [{ field: 'birthdate', reason: 'must be in the past' }],
};

// A closed loop around a park, and a day's worth of made-up heart rate: fixed, so screenshots are too.
const kRoute: [number, number][] = Array.from({ length: 49 }, (_, i) => {
    const a = (i / 48) * 2 * Math.PI;
    return [45.19 + 0.006 * Math.sin(a) + 0.0015 * Math.sin(3 * a), 5.72 + 0.009 * Math.cos(a)];
});
const kXs = Array.from({ length: 121 }, (_, i) => i * 30);
const kYs = kXs.map((t) => 135 + 25 * Math.sin(t / 600) + 8 * Math.sin(t / 97));

const kTabs: TabItem[] = [
    { id: 'feed', label: 'Feed', href: '#/styleguide', Icon: Icons.FeedIcon },
    { id: 'record', label: 'Record', href: '#/styleguide', Icon: Icons.RecordIcon },
    { id: 'you', label: 'You', href: '#/styleguide', Icon: Icons.YouIcon },
];

function Section({ title, children }: { title: string; children: ComponentChildren }) {
    return (
        <section class="styleguide__section" aria-label={title}>
            <h2 class="styleguide__heading">{title}</h2>
            {children}
        </section>
    );
}

function Tokens() {
    return (
        <>
            <Section title="Colours">
                <ul class="styleguide__swatches">
                    {kColours.map((name) => (
                        <li key={name} class="styleguide__swatch">
                            <span class="styleguide__chip" style={{ background: `var(--c-${name})` }} />
                            <code>--c-{name}</code>
                        </li>
                    ))}
                </ul>
            </Section>
            <Section title="Type">
                {kTypeScale.map((size) => (
                    <p key={size} style={{ fontSize: `var(--fs-${size})`, lineHeight: 'var(--lh-tight)' }}>
                        <code class="styleguide__label">--fs-{size}</code> Run 10.2 km
                    </p>
                ))}
            </Section>
            <Section title="Spacing and radii">
                {kSpacing.map((step) => (
                    <div key={step} class="styleguide__measure">
                        <code class="styleguide__label">--sp-{step}</code>
                        <span class="styleguide__bar" style={{ width: `var(--sp-${step})` }} />
                    </div>
                ))}
                <div class="styleguide__radii">
                    {kRadii.map((radius) => (
                        <span key={radius} class="styleguide__radius" style={{ borderRadius: `var(--r-${radius})` }}>
                            {radius}
                        </span>
                    ))}
                </div>
            </Section>
        </>
    );
}

function Controls() {
    const [text, setText] = useState('Ada Lovelace');
    const [notes, setNotes] = useState('Easy pace along the river.');
    const [units, setUnits] = useState('metric');
    const [axis, setAxis] = useState<'distance' | 'time'>('distance');
    return (
        <>
            <Section title="Buttons">
                <div class="button-row">
                    <Button>Primary</Button>
                    <Button variant="secondary">Secondary</Button>
                    <Button variant="ghost">Ghost</Button>
                    <Button variant="danger">Danger</Button>
                </div>
                <div class="button-row">
                    <Button busy>Saving</Button>
                    <Button variant="secondary" disabled>
                        Disabled
                    </Button>
                    <LinkButton href="#/styleguide">Link button</LinkButton>
                    <a class="icon-button" href="#/styleguide" aria-label="Upload" title="Upload">
                        <Icons.UploadIcon size={22} />
                    </a>
                </div>
                <Button block>
                    <Icons.PlayIcon size={20} /> Block
                </Button>
                <Segmented
                    label="Chart against"
                    options={[
                        { value: 'distance', label: 'Distance' },
                        { value: 'time', label: 'Time' },
                    ]}
                    value={axis}
                    onValue={setAxis}
                />
            </Section>
            <Section title="Fields">
                <form class="form form-section" noValidate aria-label="Sample form" onSubmit={(event) => event.preventDefault()}>
                    <h2 class="form-section__title">Profile</h2>
                    <ProblemView problem={kProblem} fields={['display_name']} />
                    <TextField label="Display name" name="display_name" value={text} onValue={setText} hint="How others see you." />
                    <TextField label="Weight" name="weight_kg" inputMode="decimal" suffix="kg" value="abc" onValue={() => undefined} error="must be a number" />
                    <SelectField
                        label="Units"
                        name="units"
                        options={[
                            { value: 'metric', label: 'Metric (km, kg)' },
                            { value: 'imperial', label: 'Imperial (mi, lb)' },
                        ]}
                        value={units}
                        onValue={setUnits}
                    />
                    <TextAreaField label="Notes" name="notes" maxLength={200} value={notes} onValue={setNotes} />
                    <FieldGroup label="Height" name="height_cm">
                        <div class="field__control">
                            <input class="field__input" name="height_ft" aria-label="Height, feet" value="5" readOnly />
                            <span class="field__suffix">ft</span>
                        </div>
                        <div class="field__control">
                            <input class="field__input" name="height_in" aria-label="Height, inches" value="11" readOnly />
                            <span class="field__suffix">in</span>
                        </div>
                    </FieldGroup>
                    <FieldGroup label="Hide from others" name="hidden_metrics">
                        <div class="checks">
                            <label class="check">
                                <input type="checkbox" checked readOnly /> <span>Heart rate</span>
                            </label>
                            <label class="check">
                                <input type="checkbox" readOnly /> <span>Power</span>
                            </label>
                        </div>
                    </FieldGroup>
                </form>
            </Section>
        </>
    );
}

function Display() {
    return (
        <>
            <Section title="Lists and badges">
                <ListGroup heading="Settings">
                    <ListRow title="Edit profile" subtitle="Name, body, units, privacy" href="#/styleguide" />
                    <ListRow
                        leading={<Icons.DeviceIcon />}
                        title={
                            <>
                                Chrome on Android <Badge>This device</Badge>
                            </>
                        }
                        subtitle="Active just now"
                        trailing="trailing"
                    />
                    <ListRow title="Sign out" tone="danger" onClick={() => undefined} />
                </ListGroup>
            </Section>
            <Section title="Cards and tables">
                <Card title="Splits">
                    <Table
                        caption="Sample splits"
                        head={
                            <tr>
                                <th scope="col">km</th>
                                <th scope="col">Pace</th>
                                <th scope="col">Elev</th>
                            </tr>
                        }
                    >
                        {['5:02', '4:58', '5:11'].map((pace, i) => (
                            <tr key={pace}>
                                <th scope="row">{i + 1}</th>
                                <td>{pace} /km</td>
                                <td>+{4 * i} m</td>
                            </tr>
                        ))}
                    </Table>
                </Card>
                <Card title="Analysis">
                    <Chart title="Heart rate" tone="heart" xs={kXs} ys={kYs} formatX={(x) => `${Math.round(x / 60)} min`} formatY={(y) => `${Math.round(y)} bpm`} />
                </Card>
            </Section>
            <Section title="Maps">
                <RouteMap points={kRoute} label="A sample loop" />
                <div class="styleguide__row">
                    <RouteThumb points={kRoute} />
                    <RouteThumb points={[]} />
                </div>
            </Section>
            <Section title="Feedback">
                <ProblemView problem={{ ...kProblem, errors: [] }} />
                <Banner icon={<Icons.OfflineIcon size={18} />}>You're offline. Changes need a connection.</Banner>
                <ToastView toast={{ id: 1, tone: 'info', message: 'No changes to save' }} onDismiss={() => undefined} />
                <ToastView toast={{ id: 2, tone: 'success', message: 'Profile saved' }} onDismiss={() => undefined} />
                <ToastView toast={{ id: 3, tone: 'error', message: "Couldn't delete the activity" }} onDismiss={() => undefined} />
                <Spinner label="Loading sample" />
                <EmptyState icon={<Icons.FeedIcon size={40} />} title="No activities yet" action={<Button>Record a workout</Button>}>
                    Record a workout, upload files, or log one by hand.
                </EmptyState>
            </Section>
            <Section title="Sheets">
                <ConfirmSheet inline open title="Delete this activity?" message="“Morning Run” and its route, laps and photos are removed for good." confirmLabel="Delete activity" onAnswer={() => undefined} />
                <SheetDemo />
            </Section>
            <Section title="Avatars, tabs, icons">
                <div class="styleguide__row">
                    <Avatar name="Ada Lovelace" size={84} />
                    <Avatar name="Grace Hopper" size={48} />
                    <Avatar name="" size={32} />
                </div>
                <div class="styleguide__tabbar">
                    <TabBar items={kTabs} current="record" label="Sample tabs" />
                </div>
                <ul class="styleguide__icons">
                    {Object.entries(Icons).map(([name, Icon]) => (
                        <li key={name}>
                            <Icon size={24} />
                            <code>{name.replace(/Icon$/, '')}</code>
                        </li>
                    ))}
                    {kChoosableSports.map((sport) => (
                        <li key={sport}>
                            <SportIcon sport={sport} size={24} decorative />
                            <code>{sport}</code>
                        </li>
                    ))}
                </ul>
            </Section>
        </>
    );
}

/** Opens the real, modal confirm sheet (a bottom sheet on a phone) and shows the answer. */
function SheetDemo() {
    const [answer, setAnswer] = useState<string | null>(null);
    return (
        <div class="styleguide__row">
            <Button
                variant="secondary"
                onClick={() =>
                    void confirmAction({ title: 'Sign out everywhere?', message: 'Every device signed in to this sample account is signed out.', confirmLabel: 'Sign out everywhere' }).then((confirmed) =>
                        setAnswer(confirmed ? 'Confirmed' : 'Cancelled'),
                    )
                }
            >
                Open a confirm sheet
            </Button>
            <span role="status" data-testid="sheet-answer">
                {answer ?? ''}
            </span>
        </div>
    );
}

export function Styleguide() {
    return (
        <Screen>
            <div class="styleguide" data-testid="styleguide">
                <Tokens />
                <Controls />
                <Display />
            </div>
        </Screen>
    );
}
