// One activity: the route map as the page's hero, figures, charts, splits, laps, best efforts,
// zones; downloads; and for the owner, edit and delete. Every section loads on its own, so a slow
// or failing one never holds up the rest. The map and the charts share one set of streams and one
// cursor: scrubbing a chart moves a marker along the route.
import { useSignal, type Signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { activities, type ActivityDetail as Activity, type BestEffort, type Download, type Interval, type StreamSet, type ZoneBucket, type Zones } from '../api';
import { decodePolyline, type LatLng } from '../geo';
import { useLoad, type LoadResult } from '../hooks/load';
import { distanceMarks } from '../map/marks';
import { MapView } from '../map/MapView';
import { availableMetrics, colourScale, colouredRuns, metricValues, type ColourScale, type RouteMetric } from '../map/route-colours';
import { useSubmit } from '../hooks/submit';
import { href, navigate } from '../router/location';
import { cadenceUnit, sportLabel, usesPace } from '../sports';
import { Badge, Button, Card, LinkButton, ProblemView, Screen, Segmented, Spinner, Table, showToast, toProblem } from '../ui';
import { confirmAction } from '../ui/ConfirmSheet';
import { Chart } from '../ui/Chart';
import { DownloadIcon, TrophyIcon } from '../ui/icons';
import { SportIcon } from '../ui/SportIcon';
import { distanceUnit, formatClock, formatElevation, formatPace, formatSpeed, kMetresPerFoot, splitLengthM, type Units } from '../units';
import { currentUnits, paceOrSpeed, speedFigure, sportDistance } from './activity-view';
import { me } from '../state/session';
import { formatStart } from './format';
import './ActivityDetail.css';

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
    return (
        <div class="figure">
            <dt class="figure__label">{label}</dt>
            <dd class="figure__value" data-testid={testId}>
                {value}
            </dd>
        </div>
    );
}

const num = (value: number | null, unit: string, digits = 0) => (value === null ? null : `${value.toFixed(digits)} ${unit}`);

function Figures({ activity, units }: { activity: Activity; units: Units }) {
    const pace = paceOrSpeed(activity, units);
    const rows: { label: string; value: string | null; testId?: string }[] = [
        { label: 'Distance', value: sportDistance(activity.sport, activity.distance_m, units), testId: 'activity-distance' },
        { label: 'Moving time', value: formatClock(activity.moving_s), testId: 'activity-moving-time' },
        { label: pace.label, value: pace.value, testId: 'activity-pace' },
        { label: 'Elevation gain', value: formatElevation(activity.elevation_gain_m, units), testId: 'activity-elevation' },
        { label: 'Elapsed time', value: formatClock(activity.elapsed_s) },
        // A maximum pace is one GPS glitch away from nonsense; only speeds show a maximum.
        { label: 'Max speed', value: usesPace(activity.sport) || activity.max_speed_mps === null ? null : formatSpeed(activity.max_speed_mps, units) },
        { label: 'Avg heart rate', value: num(activity.avg_heart_rate_bpm, 'bpm') },
        { label: 'Max heart rate', value: num(activity.max_heart_rate_bpm, 'bpm') },
        { label: 'Avg power', value: num(activity.avg_power_w, 'W') },
        { label: 'Weighted power', value: num(activity.normalized_power_w, 'W') },
        { label: 'Cadence', value: num(activity.avg_cadence, cadenceUnit(activity.sport)) },
        { label: 'Calories', value: num(activity.calories_kcal, 'kcal') },
        { label: 'Training load', value: activity.training_stress_score === null ? (activity.trimp === null ? null : `${Math.round(activity.trimp)} TRIMP`) : `${Math.round(activity.training_stress_score)} TSS` },
        { label: 'Perceived exertion', value: activity.perceived_exertion === null ? null : `${activity.perceived_exertion} / 10` },
    ];
    return (
        <dl class="figures">
            {rows
                .filter((row): row is { label: string; value: string; testId?: string } => row.value !== null)
                .map((row) => (
                    <Figure key={row.label} label={row.label} value={row.value} testId={row.testId} />
                ))}
        </dl>
    );
}

type Axis = 'distance' | 'time';

function Charts({ streams: load, activity, units, cursor }: { streams: LoadResult<StreamSet>; activity: Activity; units: Units; cursor: Signal<number | null> }) {
    const [axis, setAxis] = useState<Axis>('distance');
    if (load.problem) {
        return <ProblemView problem={load.problem} />;
    }
    if (!load.data) {
        return <Spinner label="Loading charts" />;
    }
    return <ChartSet streams={load.data} activity={activity} units={units} axis={axis} onAxis={setAxis} cursor={cursor} />;
}

function ChartSet({ streams, activity, units, axis, onAxis, cursor }: { streams: StreamSet; activity: Activity; units: Units; axis: Axis; onAxis: (axis: Axis) => void; cursor: Signal<number | null> }) {
    const s = streams.streams;
    const hasDistance = (s.distance?.length ?? 0) > 0;
    const useAxis: Axis = hasDistance ? axis : 'time';
    const unitM = splitLengthM(units);
    const xs = useAxis === 'distance' ? (s.distance ?? []).map((d) => (d === null ? null : d / unitM)) : (s.time ?? []);
    // Two decimals keep the ticks of a short route apart (0.05, 0.1, 0.15 km).
    const formatX = useAxis === 'distance' ? (x: number) => `${Number(x.toFixed(2))} ${distanceUnit(units)}` : (x: number) => formatClock(x);
    const imperial = units === 'imperial';
    const pace = usesPace(activity.sport) && activity.sport !== 'swim';
    const charts: ComponentChildren[] = [];
    if (s.altitude?.some((v) => v !== null)) {
        const ys = s.altitude.map((v) => (v === null ? null : imperial ? v / kMetresPerFoot : v));
        charts.push(<Chart key="alt" cursor={cursor} title="Elevation" tone="elevation" xs={xs} ys={ys} formatX={formatX} formatY={(y) => `${Math.round(y)} ${imperial ? 'ft' : 'm'}`} testId="chart-elevation" />);
    }
    if (s.velocity_smooth?.some((v) => v !== null)) {
        if (pace) {
            // Standing still has no pace; leave those samples out rather than plot "infinitely slow".
            const ys = s.velocity_smooth.map((v) => (v === null || v < 0.5 ? null : unitM / v));
            charts.push(<Chart key="pace" cursor={cursor} title="Pace" tone="pace" xs={xs} ys={ys} invertY clip={[0.02, 0.98]} formatX={formatX} formatY={(y) => `${formatClock(y)} /${distanceUnit(units)}`} testId="chart-pace" />);
        } else {
            const ys = s.velocity_smooth.map((v) => (v === null ? null : (v * 3600) / unitM));
            charts.push(<Chart key="speed" cursor={cursor} title="Speed" tone="pace" xs={xs} ys={ys} clip={[0, 0.995]} formatX={formatX} formatY={(y) => `${y.toFixed(1)} ${imperial ? 'mph' : 'km/h'}`} testId="chart-speed" />);
        }
    }
    if (s.heartrate?.some((v) => v !== null)) {
        charts.push(<Chart key="hr" cursor={cursor} title="Heart rate" tone="heart" xs={xs} ys={s.heartrate} formatX={formatX} formatY={(y) => `${Math.round(y)} bpm`} testId="chart-heart-rate" />);
    }
    if (s.watts?.some((v) => v !== null)) {
        charts.push(<Chart key="power" cursor={cursor} title="Power" tone="power" xs={xs} ys={s.watts} clip={[0, 0.995]} formatX={formatX} formatY={(y) => `${Math.round(y)} W`} testId="chart-power" />);
    }
    if (charts.length === 0) {
        return <p class="muted">No samples to chart.</p>;
    }
    return (
        <>
            {hasDistance && s.time?.length ? (
                <Segmented
                    label="Chart against"
                    options={[
                        { value: 'distance', label: 'Distance' },
                        { value: 'time', label: 'Time' },
                    ]}
                    value={useAxis}
                    onValue={onAxis}
                />
            ) : null}
            {charts}
        </>
    );
}

function IntervalTable({ rows, activity, units, caption, kind }: { rows: Interval[]; activity: Activity; units: Units; caption: string; kind: 'split' | 'lap' }) {
    const unitM = splitLengthM(units);
    const speedLabel = speedFigure(activity.sport, null, units).label;
    const hasHr = rows.some((r) => r.avg_heart_rate_bpm !== null);
    const hasPower = rows.some((r) => r.avg_power_w !== null);
    return (
        <Table
            caption={caption}
            testId={`${kind}s-table`}
            head={
                <tr>
                    <th scope="col">{kind === 'split' ? distanceUnit(units) : 'Lap'}</th>
                    {kind === 'lap' ? <th scope="col">Distance</th> : null}
                    {kind === 'lap' ? <th scope="col">Time</th> : null}
                    <th scope="col">{speedLabel}</th>
                    <th scope="col">Elev</th>
                    {hasHr ? <th scope="col">HR</th> : null}
                    {hasPower ? <th scope="col">Power</th> : null}
                </tr>
            }
        >
            {rows.map((row, position) => {
                // Numbered by position: `index` is the server's own numbering.
                const partial = kind === 'split' && row.distance_m < unitM * 0.98;
                const delta = row.elevation_delta_m ?? row.elevation_gain_m - row.elevation_loss_m;
                return (
                    <tr key={position}>
                        <th scope="row">{partial ? (row.distance_m / unitM).toFixed(2) : position + 1}</th>
                        {kind === 'lap' ? <td>{row.rest ? 'Rest' : sportDistance(activity.sport, row.distance_m, units)}</td> : null}
                        {kind === 'lap' ? <td>{formatClock(row.elapsed_s)}</td> : null}
                        <td>{row.rest ? '—' : speedFigure(activity.sport, row.avg_speed_mps, units).value}</td>
                        <td>{`${delta >= 0 ? '+' : '−'}${formatElevation(Math.abs(delta), units)}`}</td>
                        {hasHr ? <td>{row.avg_heart_rate_bpm === null ? '—' : Math.round(row.avg_heart_rate_bpm)}</td> : null}
                        {hasPower ? <td>{row.avg_power_w === null ? '—' : `${Math.round(row.avg_power_w)} W`}</td> : null}
                    </tr>
                );
            })}
        </Table>
    );
}

function Splits({ activity, units }: { activity: Activity; units: Units }) {
    const { data: value, problem } = useLoad((signal) => activities.getActivitySplits(activity.id, { signal }), [activity.id]);
    if (problem) {
        return <ProblemView problem={problem} />;
    }
    if (!value) {
        return <Spinner label="Loading splits" />;
    }
    const rows = units === 'imperial' ? value.splits_mile : value.splits_km;
    if (rows.length === 0) {
        return null;
    }
    return (
        <Card title="Splits" testId="splits">
            <IntervalTable rows={rows} activity={activity} units={units} caption={`Splits per ${units === 'imperial' ? 'mile' : 'kilometre'}`} kind="split" />
        </Card>
    );
}

function Laps({ activity, units }: { activity: Activity; units: Units }) {
    const { data: value } = useLoad((signal) => activities.getActivityLaps(activity.id, { signal }), [activity.id]);
    // One computed lap is the whole activity again: nothing to show.
    if (!value || value.laps.length === 0 || (value.laps.length === 1 && !value.laps[0]!.from_device)) {
        return null;
    }
    return (
        <Card title="Laps" testId="laps">
            <IntervalTable rows={value.laps} activity={activity} units={units} caption="Laps" kind="lap" />
        </Card>
    );
}

const kRankLabel: Record<number, string> = { 1: 'PR', 2: '2nd', 3: '3rd' };

function BestEfforts({ activity, units }: { activity: Activity; units: Units }) {
    const { data: value } = useLoad((signal) => activities.getActivityBestEfforts(activity.id, { signal }), [activity.id]);
    if (!value || value.best_efforts.length === 0) {
        return null;
    }
    return (
        <Card title="Best efforts" testId="best-efforts">
            <ul class="efforts">
                {value.best_efforts.map((effort: BestEffort) => (
                    <li key={effort.name} class="efforts__row">
                        <span class="efforts__name">{effort.name}</span>
                        <span class="efforts__time">{formatClock(effort.time_s)}</span>
                        <span class="efforts__pace">{speedFigure(activity.sport, effort.distance_m / effort.time_s, units).value}</span>
                        {effort.pr_rank ? (
                            <Badge class={`badge--rank-${effort.pr_rank}`} testId="pr-badge">
                                {effort.pr_rank === 1 ? <TrophyIcon size={14} /> : null}
                                {kRankLabel[effort.pr_rank]}
                                <span class="visually-hidden">{effort.pr_rank === 1 ? ' personal record' : ' best time ever'}</span>
                            </Badge>
                        ) : null}
                    </li>
                ))}
            </ul>
        </Card>
    );
}

function ZoneBars({ title, zones, unit }: { title: string; zones: ZoneBucket[]; unit: string }) {
    const total = zones.reduce((sum, z) => sum + z.seconds, 0);
    if (total <= 0) {
        return null;
    }
    return (
        <div class="zones" role="group" aria-label={title}>
            <h3 class="zones__title">{title}</h3>
            {zones.map((zone, i) => {
                const share = zone.seconds / total;
                const range = zone.upper === null ? `> ${Math.round(zone.lower)} ${unit}` : `${Math.round(zone.lower)}–${Math.round(zone.upper)} ${unit}`;
                return (
                    <div key={i} class="zones__row">
                        <span class="zones__label">
                            Z{i + 1} <span class="muted">{range}</span>
                        </span>
                        <span class={`zones__bar zones__bar--${Math.min(i + 1, 7)}`} style={{ width: `${(share * 100).toFixed(1)}%` }} />
                        <span class="zones__value">
                            {formatClock(zone.seconds)} · {Math.round(share * 100)}%
                        </span>
                    </div>
                );
            })}
        </div>
    );
}

function ZonesSection({ activity }: { activity: Activity }) {
    const { data: value } = useLoad<Zones>((signal) => activities.getActivityZones(activity.id, { signal }), [activity.id]);
    if (!value || (value.heart_rate.length === 0 && value.power.length === 0)) {
        return null;
    }
    return (
        <Card title="Zones" testId="zones">
            <ZoneBars title="Heart rate" zones={value.heart_rate} unit="bpm" />
            <ZoneBars title="Power" zones={value.power} unit="W" />
        </Card>
    );
}

function saveBlob(blob: Blob, filename: string): void {
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function DownloadButton({ label, download, fallbackName }: { label: string; download: () => Promise<Download>; fallbackName: string }) {
    const action = useSubmit(async () => {
        try {
            const file = await download();
            saveBlob(file.blob, file.filename ?? fallbackName);
        } catch (error) {
            showToast(toProblem(error).detail || "Couldn't download the file", 'error');
        }
    });
    return (
        <Button variant="secondary" busy={action.busy} onClick={() => void action.run()}>
            <DownloadIcon size={18} />
            {` ${label}`}
        </Button>
    );
}

function Downloads({ activity }: { activity: Activity }) {
    return (
        <div class="button-row">
            {activity.has_streams ? <DownloadButton label="Download GPX" download={() => activities.exportActivityGpx(activity.id)} fallbackName={`activity-${activity.id}.gpx`} /> : null}
            {activity.is_owner && activity.has_original ? (
                <DownloadButton label="Download original" download={() => activities.getActivityOriginal(activity.id)} fallbackName={`activity-${activity.id}-original`} />
            ) : null}
        </div>
    );
}

function OwnerActions({ activity }: { activity: Activity }) {
    const removal = useSubmit(async () => {
        if (!(await confirmAction({ title: 'Delete this activity?', message: `"${activity.name}" and its route, laps and photos are removed for good.`, confirmLabel: 'Delete activity' }))) {
            return;
        }
        try {
            await activities.deleteActivity(activity.id);
        } catch (error) {
            showToast(toProblem(error).detail || "Couldn't delete the activity", 'error');
            return;
        }
        showToast('Activity deleted', 'success');
        navigate(href('activities'), { replace: true });
    });
    return (
        <div class="button-row">
            <LinkButton href={href('activity/:id/edit', { id: activity.id })}>Edit</LinkButton>
            <Button variant="danger" busy={removal.busy} onClick={() => void removal.run()}>
                Delete
            </Button>
        </div>
    );
}

const kMetricLabels: Record<RouteMetric, string> = { pace: 'Pace', speed: 'Speed', heartrate: 'Heart rate', watts: 'Power', altitude: 'Elevation' };

/** The ends of the legend in the user's units; for pace and speed the scale runs in m/s. */
function legendValue(metric: RouteMetric, value: number, units: Units): string {
    switch (metric) {
        case 'pace':
            return formatPace(value, units);
        case 'speed':
            return formatSpeed(value, units);
        case 'heartrate':
            return `${Math.round(value)} bpm`;
        case 'watts':
            return `${Math.round(value)} W`;
        case 'altitude':
            return formatElevation(value, units);
    }
}

function Legend({ metric, scale, units }: { metric: RouteMetric; scale: ColourScale; units: Units }) {
    return (
        <p class="route-legend" data-testid="route-legend">
            <span class="route-legend__end">{legendValue(metric, scale.low, units)}</span>
            <span class="route-legend__ramp" aria-hidden="true" />
            <span class="route-legend__end">{legendValue(metric, scale.high, units)}</span>
            <span class="visually-hidden">{`: the route is coloured from blue at ${legendValue(metric, scale.low, units)} to red at ${legendValue(metric, scale.high, units)}`}</span>
        </p>
    );
}

const latLngOf = (point: readonly number[] | null | undefined): LatLng | null => (point && point.length >= 2 ? [point[0]!, point[1]!] : null);

/**
 * The page's hero: the route on the live map, coloured by the metric chosen under it, with the
 * start and finish where this viewer may see them (the API leaves out what privacy hides, and
 * exactly what it sends is drawn), distance marks in the user's unit and the chart cursor.
 */
function ActivityMap({ activity, streams, units, cursor }: { activity: Activity; streams: StreamSet | null; units: Units; cursor: Signal<number | null> }) {
    const line = activity.polyline ?? activity.summary_polyline;
    const lines = useMemo(() => (line ? [decodePolyline(line)] : []), [line]);
    const start = useMemo(() => latLngOf(activity.start_latlng), [activity.start_latlng]);
    const finish = useMemo(() => latLngOf(activity.end_latlng), [activity.end_latlng]);
    const s = streams?.streams;
    const metrics = useMemo(() => (s ? availableMetrics(s, usesPace(activity.sport)) : []), [s, activity.sport]);
    const [chosen, setChosen] = useState<RouteMetric | null>(null);
    const metric = chosen !== null && metrics.includes(chosen) ? chosen : (metrics[0] ?? null);
    const coloured = useMemo(() => {
        if (!s?.latlng || metric === null) {
            return null;
        }
        const values = metricValues(s, metric);
        const scale = colourScale(values);
        return scale ? { scale, runs: colouredRuns(s.latlng, values, scale) } : null;
    }, [s, metric]);
    const unitM = splitLengthM(units);
    const marks = useMemo(() => (s?.latlng && s.distance ? distanceMarks(s.distance, s.latlng, unitM) : undefined), [s, unitM]);
    if (lines.length === 0 || lines[0]!.length === 0) {
        return null;
    }
    return (
        <section class="activity-hero" aria-label="Map">
            <CursorMap label={`Route of ${activity.name}`} lines={lines} runs={coloured?.runs ?? null} start={start} finish={finish} marks={marks} latlng={s?.latlng} cursor={cursor} />
            {metrics.length > 0 && metric !== null ? (
                <div class="activity-hero__controls">
                    <Segmented label="Colour the route by" options={metrics.map((m) => ({ value: m, label: kMetricLabels[m] }))} value={metric} onValue={setChosen} />
                    {coloured ? <Legend metric={metric} scale={coloured.scale} units={units} /> : null}
                </div>
            ) : null}
        </section>
    );
}

/** Reads the cursor signal itself, so a scrub re-renders the map alone and not the page. */
function CursorMap({ latlng, cursor, ...props }: { label: string; lines: readonly (readonly LatLng[])[]; runs: ReturnType<typeof colouredRuns> | null; start: LatLng | null; finish: LatLng | null; marks: ReturnType<typeof distanceMarks> | undefined; latlng: StreamSet['streams']['latlng']; cursor: Signal<number | null> }) {
    const index = cursor.value;
    const point = index === null ? null : latLngOf(latlng?.[index]);
    const at = useMemo(() => point, [point?.[0], point?.[1]]);
    return <MapView {...props} cursor={at} class="activity-hero__map" />;
}

function ActivityBody({ activity, units }: { activity: Activity; units: Units }) {
    // Medium resolution (at most 1000 points) is plenty for a phone's width and one request serves map and charts.
    const streams = useLoad((signal) => (activity.has_streams ? activities.getActivityStreams(activity.id, { resolution: 'medium' }, { signal }) : Promise.resolve(null)), [activity.id, activity.has_streams]);
    const cursor = useSignal<number | null>(null);
    const owner = activity.is_owner ? null : activity.owner.display_name;
    return (
        <>
            <ActivityMap activity={activity} streams={streams.data} units={units} cursor={cursor} />
            <header class="activity-head">
                <p class="activity-head__meta">
                    <SportIcon sport={activity.sport} size={18} decorative />
                    {owner ? `${owner} · ` : ''}
                    <time dateTime={activity.start_time ?? activity.start_date}>{formatStart(activity.start_time, activity.start_date, me.value?.time_zone)}</time>
                    {activity.device ? ` · ${activity.device}` : ''}
                </p>
                <h2 class="activity-head__name" data-testid="activity-name">
                    {activity.name}
                </h2>
                {activity.description ? <p class="activity-head__description">{activity.description}</p> : null}
                {activity.pr_count > 0 ? (
                    <p class="activity-head__prs">
                        <TrophyIcon size={16} /> {activity.pr_count === 1 ? '1 personal record' : `${activity.pr_count} personal records`}
                    </p>
                ) : null}
            </header>
            <Figures activity={activity} units={units} />
            {activity.has_streams ? (
                <Card title="Analysis" testId="charts">
                    <Charts streams={streams as LoadResult<StreamSet>} activity={activity} units={units} cursor={cursor} />
                </Card>
            ) : null}
            {activity.has_streams ? <Splits activity={activity} units={units} /> : null}
            {activity.has_streams ? <Laps activity={activity} units={units} /> : null}
            {activity.has_streams ? <BestEfforts activity={activity} units={units} /> : null}
            {activity.has_streams ? <ZonesSection activity={activity} /> : null}
            <Downloads activity={activity} />
            {activity.is_owner ? <OwnerActions activity={activity} /> : null}
        </>
    );
}

export function ActivityDetail({ id }: { id: number }) {
    const { data: activity, problem, reload } = useLoad((signal) => activities.getActivity(id, { signal }), [id]);
    const units = currentUnits();
    if (!activity) {
        return (
            <Screen backHref={href('activities')}>
                {problem ? (
                    <>
                        <ProblemView problem={problem} />
                        {problem.status !== 404 ? (
                            <Button variant="secondary" onClick={reload}>
                                Try again
                            </Button>
                        ) : null}
                    </>
                ) : (
                    <Spinner label="Loading activity" />
                )}
            </Screen>
        );
    }
    return (
        <Screen title={sportLabel(activity.sport)} documentTitle={activity.name} backHref={href('activities')}>
            <ActivityBody key={activity.id} activity={activity} units={units} />
        </Screen>
    );
}
