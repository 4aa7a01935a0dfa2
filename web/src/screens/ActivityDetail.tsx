// One activity: the route map as the page's hero, figures, charts, splits, laps, best efforts,
// zones; downloads; and for the owner, edit and delete. Every section loads on its own, so a slow
// or failing one never holds up the rest. The map and the charts share one set of streams and one
// cursor: scrubbing a chart moves a marker along the route.
import { useSignal, type Signal } from '@preact/signals';
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useMemo, useState } from 'preact/hooks';
import { activities, type ViewAs, type ActivityDetail as Activity, type BestEffort, type Download, type Interval, type LengthList, type StreamSet, type ZoneBucket, type Zones } from '../api';
import { decodePolyline, splitAtBreaks, type LatLng } from '../geo';
import { useLoad, type LoadResult } from '../hooks/load';
import { distanceMarks } from '../map/marks';
import { MapView } from '../map/MapView';
import { availableMetrics, colourScale, colouredRuns, metricValues, type ColourScale, type RouteMetric } from '../map/route-colours';
import { useSubmit } from '../hooks/submit';
import { href, navigate } from '../router/location';
import { cadenceUnit, sportLabel, usesPace } from '../sports';
import { Badge, Banner, Button, Card, LinkButton, ProblemView, Screen, Segmented, Spinner, Table, showToast, toProblem } from '../ui';
import { confirmAction } from '../ui/ConfirmSheet';
import { Chart } from '../ui/Chart';
import { DownloadIcon, TrophyIcon } from '../ui/icons';
import { SportIcon } from '../ui/SportIcon';
import { distanceUnit, formatClock, formatElevation, formatPace, formatSpeed, kMetresPerFoot, splitLengthM, type Units } from '../units';
import { currentUnits, formatDuration, formatPoolDistance, formatPoolPace, paceOrSpeed, powerCurveRows, poolUnitOf, signedElevation, speedFigure, splitBarShares, sportDistance, summariseSwim, zoneName, type PoolUnit } from './activity-view';
import { me } from '../state/session';
import { formatStart } from './format';
import { RouteHiddenNote } from './route-privacy';
import './ActivityDetail.css';
import { ActivitySocial } from '../social/ActivitySocial';

/** Set while the owner previews what others see: every section then reads the activity as they would. */
const PreviewAs = createContext<ViewAs | undefined>(undefined);

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

/** What a pool swim's page shows beside the activity: the pool's unit and the swim's lengths summed. */
interface Pool {
    unit: PoolUnit;
    lengthM: number;
    lengths: LengthList['lengths'];
    swim: ReturnType<typeof summariseSwim>;
}

function poolOf(value: LengthList | null | undefined, units: Units): Pool | null {
    if (!value || value.pool_length_m === null || value.lengths.length === 0) {
        return null;
    }
    return { unit: poolUnitOf(value.pool_length_unit, units), lengthM: value.pool_length_m, lengths: value.lengths, swim: summariseSwim(value.lengths) };
}

function Figures({ activity, units, pool }: { activity: Activity; units: Units; pool: Pool | null }) {
    const pace = paceOrSpeed(activity, units);
    const gap = activity.grade_adjusted_pace_s_per_km;
    const onFoot = usesPace(activity.sport) && activity.sport !== 'swim';
    const poolPace = pool && pool.swim.activeS > 0 && activity.avg_speed_mps !== null ? formatPoolPace(pool.swim.distanceM / pool.swim.activeS, pool.unit) : null;
    const rows: { label: string; value: string | null; testId?: string }[] = pool
        ? [
              { label: 'Distance', value: formatPoolDistance(activity.distance_m, pool.unit), testId: 'activity-distance' },
              { label: 'Active time', value: formatClock(pool.swim.activeS), testId: 'activity-active-time' },
              { label: `Pace /100${pool.unit}`, value: poolPace, testId: 'activity-pace' },
              { label: 'Rest time', value: formatClock(pool.swim.restS), testId: 'activity-rest-time' },
              { label: 'Pool', value: `${Math.round(pool.unit === 'yd' ? pool.lengthM / 0.9144 : pool.lengthM)} ${pool.unit}`, testId: 'activity-pool' },
              { label: 'Lengths', value: String(pool.swim.activeLengths), testId: 'activity-lengths' },
              { label: 'Elapsed time', value: formatClock(activity.elapsed_s) },
          ]
        : [
              { label: 'Distance', value: sportDistance(activity.sport, activity.distance_m, units), testId: 'activity-distance' },
              { label: 'Moving time', value: formatClock(activity.moving_s), testId: 'activity-moving-time' },
              { label: pace.label, value: pace.value, testId: 'activity-pace' },
              // Grade-adjusted pace: the flat-ground pace the same effort would give, for runners on hills.
              { label: 'Grade-adjusted pace', value: onFoot && gap !== null && gap > 0 ? formatPace(1000 / gap, units) : null, testId: 'activity-gap' },
              { label: 'Elevation gain', value: formatElevation(activity.elevation_gain_m, units), testId: 'activity-elevation' },
              { label: 'Elapsed time', value: formatClock(activity.elapsed_s) },
          ];
    rows.push(
        // A maximum pace is one GPS glitch away from nonsense; only speeds show a maximum.
        { label: 'Max speed', value: usesPace(activity.sport) || activity.max_speed_mps === null ? null : formatSpeed(activity.max_speed_mps, units) },
        { label: 'Avg heart rate', value: num(activity.avg_heart_rate_bpm, 'bpm') },
        { label: 'Max heart rate', value: num(activity.max_heart_rate_bpm, 'bpm') },
        { label: 'Avg power', value: num(activity.avg_power_w, 'W') },
        { label: 'Weighted power', value: num(activity.normalized_power_w, 'W') },
        { label: activity.sport === 'swim' || activity.sport === 'rowing' ? 'Stroke rate' : 'Cadence', value: num(activity.avg_cadence, cadenceUnit(activity.sport)), testId: 'activity-cadence' },
        { label: 'Calories', value: num(activity.calories_kcal, 'kcal') },
        { label: 'Training load', value: activity.training_stress_score === null ? (activity.trimp === null ? null : `${Math.round(activity.trimp)} TRIMP`) : `${Math.round(activity.training_stress_score)} TSS` },
        { label: 'Perceived exertion', value: activity.perceived_exertion === null ? null : `${activity.perceived_exertion} / 10` },
    );
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

function Charts({ streams: load, activity, units, cursor, pool }: { streams: LoadResult<StreamSet>; activity: Activity; units: Units; cursor: Signal<number | null>; pool: boolean }) {
    const [axis, setAxis] = useState<Axis>('distance');
    if (load.problem) {
        return <ProblemView problem={load.problem} />;
    }
    if (!load.data) {
        return <Spinner label="Loading charts" />;
    }
    return <ChartSet streams={load.data} activity={activity} units={units} axis={axis} onAxis={setAxis} cursor={cursor} pool={pool} />;
}

function ChartSet({ streams, activity, units, axis, onAxis, cursor, pool }: { streams: StreamSet; activity: Activity; units: Units; axis: Axis; onAxis: (axis: Axis) => void; cursor: Signal<number | null>; pool: boolean }) {
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
        charts.push(<Chart key="alt" cursor={cursor} breaks={streams.breaks} title="Elevation" tone="elevation" xs={xs} ys={ys} formatX={formatX} formatY={(y) => `${Math.round(y)} ${imperial ? 'ft' : 'm'}`} testId="chart-elevation" />);
    }
    // A pool swim's speed samples are interpolated between the ends of its lengths, not measured:
    // its lengths table tells the truth instead.
    if (!pool && s.velocity_smooth?.some((v) => v !== null)) {
        if (pace) {
            // Standing still has no pace; leave those samples out rather than plot "infinitely slow".
            const ys = s.velocity_smooth.map((v) => (v === null || v < 0.5 ? null : unitM / v));
            charts.push(<Chart key="pace" cursor={cursor} breaks={streams.breaks} title="Pace" tone="pace" xs={xs} ys={ys} invertY clip={[0.02, 0.98]} formatX={formatX} formatY={(y) => `${formatClock(y)} /${distanceUnit(units)}`} testId="chart-pace" />);
        } else {
            const ys = s.velocity_smooth.map((v) => (v === null ? null : (v * 3600) / unitM));
            charts.push(<Chart key="speed" cursor={cursor} breaks={streams.breaks} title="Speed" tone="pace" xs={xs} ys={ys} clip={[0, 0.995]} formatX={formatX} formatY={(y) => `${y.toFixed(1)} ${imperial ? 'mph' : 'km/h'}`} testId="chart-speed" />);
        }
    }
    if (s.heartrate?.some((v) => v !== null)) {
        charts.push(<Chart key="hr" cursor={cursor} breaks={streams.breaks} title="Heart rate" tone="heart" xs={xs} ys={s.heartrate} formatX={formatX} formatY={(y) => `${Math.round(y)} bpm`} testId="chart-heart-rate" />);
    }
    // A pool swim's stroke rate is per length, in its lengths table; its samples only repeat it.
    if (!pool && s.cadence?.some((v) => v !== null && v > 0)) {
        const unit = cadenceUnit(activity.sport);
        charts.push(<Chart key="cadence" cursor={cursor} breaks={streams.breaks} title={activity.sport === 'swim' || activity.sport === 'rowing' ? 'Stroke rate' : 'Cadence'} tone="pace" xs={xs} ys={s.cadence} clip={[0.01, 0.99]} formatX={formatX} formatY={(y) => `${Math.round(y)} ${unit}`} testId="chart-cadence" />);
    }
    if (s.watts?.some((v) => v !== null)) {
        charts.push(<Chart key="power" cursor={cursor} breaks={streams.breaks} title="Power" tone="power" xs={xs} ys={s.watts} clip={[0, 0.995]} formatX={formatX} formatY={(y) => `${Math.round(y)} W`} testId="chart-power" />);
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
    const shares = kind === 'split' ? splitBarShares(rows.map((r) => (r.rest ? null : r.avg_speed_mps))) : null;
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
                    {shares ? (
                        <th scope="col" class="split-bar__head">
                            <span class="visually-hidden">Relative speed</span>
                        </th>
                    ) : null}
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
                        {shares ? (
                            <td class="split-bar" aria-hidden="true">
                                <span class="split-bar__fill" data-testid="split-bar" style={{ width: `${(shares[position]! * 100).toFixed(1)}%` }} />
                            </td>
                        ) : null}
                        <td>{signedElevation(delta, units)}</td>
                        {hasHr ? <td>{row.avg_heart_rate_bpm === null ? '—' : Math.round(row.avg_heart_rate_bpm)}</td> : null}
                        {hasPower ? <td>{row.avg_power_w === null ? '—' : `${Math.round(row.avg_power_w)} W`}</td> : null}
                    </tr>
                );
            })}
        </Table>
    );
}

function Splits({ activity, units }: { activity: Activity; units: Units }) {
    const viewAs = useContext(PreviewAs);
    const { data: value, problem } = useLoad((signal) => activities.getActivitySplits(activity.id, { signal, viewAs }), [activity.id]);
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
    const viewAs = useContext(PreviewAs);
    const { data: value } = useLoad((signal) => activities.getActivityLaps(activity.id, { signal, viewAs }), [activity.id]);
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
    const viewAs = useContext(PreviewAs);
    const { data: value } = useLoad((signal) => activities.getActivityBestEfforts(activity.id, { signal, viewAs }), [activity.id]);
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

function ZoneBars({ title, zones, unit, kind }: { title: string; zones: ZoneBucket[]; unit: string; kind: 'heart_rate' | 'power' }) {
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
                            <span data-testid="zone-name">{zoneName(kind, i)}</span> <span class="muted">{range}</span>
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
    const viewAs = useContext(PreviewAs);
    const { data: value } = useLoad<Zones>((signal) => activities.getActivityZones(activity.id, { signal, viewAs }), [activity.id]);
    if (!value) {
        return null;
    }
    // Zones need the owner's maximum heart rate or FTP: tell the owner which is missing, and where to set it.
    const profile = me.value;
    const missing: string[] = [];
    if (activity.is_owner && profile && value.heart_rate.length === 0 && activity.avg_heart_rate_bpm !== null && profile.max_hr_bpm === null) {
        missing.push('maximum heart rate');
    }
    if (activity.is_owner && profile && value.power.length === 0 && activity.avg_power_w !== null && profile.ftp_w === null) {
        missing.push('FTP');
    }
    if (value.heart_rate.length === 0 && value.power.length === 0 && missing.length === 0) {
        return null;
    }
    return (
        <Card title="Zones" testId="zones">
            <ZoneBars title="Heart rate" zones={value.heart_rate} unit="bpm" kind="heart_rate" />
            <ZoneBars title="Power" zones={value.power} unit="W" kind="power" />
            {missing.length > 0 ? (
                <p class="zones__hint" data-testid="zones-hint">
                    {`Set your ${missing.join(' and ')} to see ${missing.length === 2 ? 'heart-rate and power' : missing[0] === 'FTP' ? 'power' : 'heart-rate'} zones. `}
                    <a href={href('you/edit')}>Edit profile</a>
                </p>
            ) : null}
        </Card>
    );
}

/**
 * The best average power by duration, as the server's analysis measured it (GET …/curves: over
 * what this viewer may see when an end is hidden from them).
 */
function PowerCurve({ activity }: { activity: Activity }) {
    const viewAs = useContext(PreviewAs);
    const { data: value } = useLoad((signal) => activities.getActivityCurves(activity.id, { signal, viewAs }), [activity.id, viewAs]);
    const curve = useMemo(() => powerCurveRows(value?.power ?? []), [value]);
    const peak = curve[0]?.watts ?? 0;
    if (curve.length < 2 || peak <= 0) {
        return null;
    }
    return (
        <Card title="Power curve" testId="power-curve">
            <ul class="power-curve" aria-label="Best average power by duration">
                {curve.map((point) => (
                    <li key={point.durationS} class="power-curve__row" data-testid="power-curve-row">
                        <span class="power-curve__label">{formatDuration(point.durationS)}</span>
                        <span class="power-curve__bar" style={{ width: `${((point.watts / peak) * 100).toFixed(1)}%` }} aria-hidden="true" />
                        <span class="power-curve__value">{`${Math.round(point.watts)} W`}</span>
                    </li>
                ))}
            </ul>
        </Card>
    );
}

/** A pool swim's lengths grouped into the intervals between rests, and every length below. */
function SwimLengths({ pool }: { pool: Pool }) {
    const [open, setOpen] = useState(false);
    const { swim, unit } = pool;
    const stroke = (name: string | null) => (name === null ? '—' : name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, ' '));
    const avg = (value: number | null, digits = 0) => (value === null ? '—' : value.toFixed(digits));
    return (
        <Card title="Intervals" testId="swim-intervals">
            <Table
                caption="Intervals between rests"
                testId="intervals-table"
                head={
                    <tr>
                        <th scope="col">#</th>
                        <th scope="col">Distance</th>
                        <th scope="col">Time</th>
                        <th scope="col">{`/100${unit}`}</th>
                        <th scope="col">Stroke</th>
                        <th scope="col">
                            <abbr title="Strokes per length">Str/len</abbr>
                        </th>
                        <th scope="col">
                            <abbr title="Strokes per minute">Str/min</abbr>
                        </th>
                        <th scope="col">
                            <abbr title="Seconds plus strokes per length; lower is better">SWOLF</abbr>
                        </th>
                        <th scope="col">Rest</th>
                    </tr>
                }
            >
                {swim.intervals.map((interval, i) => (
                    <tr key={interval.first}>
                        <th scope="row">{i + 1}</th>
                        <td>{formatPoolDistance(interval.distanceM, unit)}</td>
                        <td>{formatClock(interval.elapsedS)}</td>
                        <td>{formatPoolPace(interval.elapsedS > 0 ? interval.distanceM / interval.elapsedS : null, unit).replace(/ \/100(m|yd)$/, '')}</td>
                        <td>{stroke(interval.stroke)}</td>
                        <td>{avg(interval.avgStrokes)}</td>
                        <td>{avg(interval.avgStrokeRate)}</td>
                        <td>{avg(interval.avgSwolf)}</td>
                        <td>{interval.restS > 0 ? formatClock(interval.restS) : '—'}</td>
                    </tr>
                ))}
            </Table>
            <Button variant="secondary" onClick={() => setOpen(!open)} aria-expanded={open}>
                {open ? 'Hide lengths' : `Show all ${pool.lengths.length} lengths`}
            </Button>
            {open ? (
                <Table
                    caption="Lengths"
                    testId="lengths-table"
                    head={
                        <tr>
                            <th scope="col">Length</th>
                            <th scope="col">Time</th>
                            <th scope="col">Stroke</th>
                            <th scope="col">Strokes</th>
                            <th scope="col">
                                <abbr title="Strokes per minute">Str/min</abbr>
                            </th>
                            <th scope="col">SWOLF</th>
                        </tr>
                    }
                >
                    {pool.lengths.map((length, i) => (
                        <tr key={i} class={length.active ? undefined : 'is-rest'}>
                            <th scope="row">{i + 1}</th>
                            <td>{formatClock(length.elapsed_s)}</td>
                            <td>{length.active ? stroke(length.stroke) : 'Rest'}</td>
                            <td>{length.strokes ?? '—'}</td>
                            <td>{avg(length.stroke_rate_spm)}</td>
                            <td>{length.swolf ?? '—'}</td>
                        </tr>
                    ))}
                </Table>
            ) : null}
        </Card>
    );
}

const kVisibilityLabels: Record<Activity['visibility'], string> = { everyone: 'Everyone', followers: 'Followers', only_me: 'Only you' };
const kHiddenLabels: Record<string, string> = { heart_rate: 'heart rate', power: 'power', pace: 'pace', calories: 'calories', start_time: 'start time' };

/** For the owner: who sees this activity and what is hidden from them. */
function OwnerBadges({ activity }: { activity: Activity }) {
    return (
        <p class="activity-head__badges" data-testid="owner-badges">
            <Badge class="badge--quiet" testId="visibility-badge">{`Visible to: ${kVisibilityLabels[activity.visibility] ?? activity.visibility}`}</Badge>
            {activity.hidden_metrics.map((metric) => (
                <Badge key={metric} class="badge--quiet" testId="hidden-badge">{`Hidden: ${kHiddenLabels[metric] ?? metric}`}</Badge>
            ))}
            {activity.hide_endpoints_m !== null && activity.hide_endpoints_m > 0 ? <Badge class="badge--quiet" testId="hidden-badge">{`Start and end hidden (${activity.hide_endpoints_m} m)`}</Badge> : null}
        </p>
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
    const detailed = activity.polyline !== null;
    const line = activity.polyline ?? activity.summary_polyline;
    const breaks = detailed ? activity.polyline_breaks : activity.summary_polyline_breaks;
    // One line per run: a privacy zone on the way leaves a gap, never a straight line across it.
    const lines = useMemo(() => (line ? splitAtBreaks(decodePolyline(line), breaks) : []), [line, breaks]);
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
        return scale ? { scale, runs: colouredRuns(s.latlng, values, scale, streams?.breaks) } : null;
    }, [s, metric, streams?.breaks]);
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
    const viewAs = useContext(PreviewAs);
    const streams = useLoad((signal) => (activity.has_streams ? activities.getActivityStreams(activity.id, { resolution: 'medium' }, { signal, viewAs }) : Promise.resolve(null)), [activity.id, activity.has_streams]);
    const cursor = useSignal<number | null>(null);
    const lengths = useLoad((signal) => (activity.sport === 'swim' && activity.has_streams ? activities.getActivityLengths(activity.id, { signal, viewAs }) : Promise.resolve(null)), [activity.id, activity.sport, activity.has_streams]);
    const pool = useMemo(() => poolOf(lengths.data, units), [lengths.data, units]);
    const owner = activity.is_owner ? null : activity.owner.display_name;
    const hasPower = activity.avg_power_w !== null;
    return (
        <>
            {/* A pool swim has no route: any positions it has are the pool's, repeated. */}
            {pool ? null : <ActivityMap activity={activity} streams={streams.data} units={units} cursor={cursor} />}
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
                {activity.is_owner ? <OwnerBadges activity={activity} /> : null}
                {activity.description ? <p class="activity-head__description">{activity.description}</p> : null}
                {activity.pr_count > 0 ? (
                    <p class="activity-head__prs">
                        <TrophyIcon size={16} /> {activity.pr_count === 1 ? '1 personal record' : `${activity.pr_count} personal records`}
                    </p>
                ) : null}
            </header>
            <RouteHiddenNote activity={activity} />
            <Figures activity={activity} units={units} pool={pool} />
            {/* One column on a phone; two on a wide screen, under the full-width map and figures. */}
            <div class="activity-sections">
                {activity.has_streams ? (
                    <Card title="Analysis" testId="charts">
                        <Charts streams={streams as LoadResult<StreamSet>} activity={activity} units={units} cursor={cursor} pool={pool !== null} />
                    </Card>
                ) : null}
                {pool ? <SwimLengths pool={pool} /> : null}
                {activity.has_streams && !pool ? <Splits activity={activity} units={units} /> : null}
                {activity.has_streams && !pool ? <Laps activity={activity} units={units} /> : null}
                {activity.has_streams && hasPower ? <PowerCurve activity={activity} /> : null}
                {activity.has_streams ? <BestEfforts activity={activity} units={units} /> : null}
                {activity.has_streams ? <ZonesSection activity={activity} /> : null}
                {/* Downloads are the owner's own, not part of what others are shown. */}
                {viewAs ? null : <Downloads activity={activity} />}
                {activity.is_owner ? <OwnerActions activity={activity} /> : null}
            </div>
        </>
    );
}

const kPreviewOptions: { value: ViewAs | 'you'; label: string }[] = [
    { value: 'you', label: 'You' },
    { value: 'follower', label: 'Followers' },
    { value: 'stranger', label: 'Everyone' },
];
const kPreviewWho: Record<ViewAs, string> = { follower: 'your followers see', stranger: "people who don't follow you see" };

/** The owner's "what others see": the page as the server shows it to a follower or to anyone else. */
function Preview({ id, viewAs, units }: { id: number; viewAs: ViewAs; units: Units }) {
    const { data: activity, problem } = useLoad((signal) => activities.getActivity(id, { signal, viewAs }), [id, viewAs]);
    return (
        <PreviewAs.Provider value={viewAs}>
            <Banner testId="preview-banner">{`Preview: what ${kPreviewWho[viewAs]}`}</Banner>
            {activity ? (
                <ActivityBody key={`${activity.id}-${viewAs}`} activity={activity} units={units} />
            ) : problem?.status === 404 ? (
                // The server says who cannot see it ("A stranger cannot see this activity").
                <p class="activity-preview__hidden" data-testid="preview-hidden">
                    {`${problem.detail ?? 'They cannot see this activity'}: its visibility keeps it from them.`}
                </p>
            ) : problem ? (
                <ProblemView problem={problem} />
            ) : (
                <Spinner label="Loading the preview" />
            )}
        </PreviewAs.Provider>
    );
}

export function ActivityDetail({ id }: { id: number }) {
    const { data: activity, problem, reload } = useLoad((signal) => activities.getActivity(id, { signal }), [id]);
    const [viewAs, setViewAs] = useState<ViewAs | 'you'>('you');
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
    const previewing = activity.is_owner && viewAs !== 'you' ? viewAs : null;
    return (
        <Screen title={sportLabel(activity.sport)} documentTitle={activity.name} backHref={href('activities')}>
            {activity.is_owner ? (
                <div class="activity-preview" data-testid="preview-switch">
                    <Segmented label="See this activity as" options={kPreviewOptions} value={viewAs} onValue={setViewAs} />
                </div>
            ) : null}
            {previewing ? null : <ActivitySocial activity={activity} />}
            {previewing ? <Preview key={previewing} id={activity.id} viewAs={previewing} units={units} /> : <ActivityBody key={activity.id} activity={activity} units={units} />}
        </Screen>
    );
}
