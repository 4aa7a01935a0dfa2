// The "You" tab: the profile at a glance and the way into settings.
import { useState } from 'preact/hooks';
import { accounts, activities, type ActivitySummary, type Me } from '../api';
import { useLoad } from '../hooks/load';
import { href, navigate } from '../router/location';
import { authStatus, logOut, me, startSession } from '../state/session';
import { Avatar, Button, EmptyState, ListGroup, ListRow, ProblemView, Screen, Segmented } from '../ui';
import { OfflineIcon } from '../ui/icons';
import { formatDistance, formatHeight, formatWeight, splitLengthM } from '../units';
import { formatDurationShort } from './format';
import { firstDayOfWeeks, localDay, sumTotals, weeklyTotals, type Totals, type Week } from './training';
import './You.css';

function regionName(code: string | null): string | null {
    if (!code) {
        return null;
    }
    try {
        return new Intl.DisplayNames(undefined, { type: 'region' }).of(code) ?? code;
    } catch {
        return code;
    }
}

const kWeeks = 12;
/** Pages of 100 read for the chart at most: 1,000 activities in 12 weeks is plenty. */
const kMaxPages = 10;

async function loadTraining(user: Me, signal: AbortSignal) {
    const today = localDay(new Date());
    const first = firstDayOfWeeks(today, kWeeks)!;
    // The stats endpoint has no weekly series: the chart and "this week" come from the activities
    // of the last 12 weeks (a day early, as `after` is an instant and start_date the athlete's day).
    const after = new Date(Date.parse(`${first}T00:00:00Z`) - 86_400_000).toISOString();
    const [stats, recent] = await Promise.all([
        accounts.getUserStats(user.id, { signal }),
        (async () => {
            const all: ActivitySummary[] = [];
            let cursor: string | undefined;
            for (let page = 0; page < kMaxPages; page++) {
                const list = await activities.listMyActivities({ after, limit: 100, ...(cursor ? { cursor } : {}) }, { signal });
                all.push(...list.activities);
                if (!list.next_cursor) {
                    break;
                }
                cursor = list.next_cursor;
            }
            return all;
        })(),
    ]);
    const weeks = weeklyTotals(recent, today, kWeeks);
    return { ytd: sumTotals(stats.ytd), all: sumTotals(stats.all), weeks };
}

function TotalsCard({ label, totals, units, testId }: { label: string; totals: Totals; units: Me['units']; testId: string }) {
    return (
        <div class="totals__card" data-testid={testId}>
            <h3 class="totals__label">{label}</h3>
            <p class="totals__distance">{formatDistance(totals.distance_m, units)}</p>
            <p class="totals__meta">
                {/* An empty period says so, not "0m 00s". */}
                {totals.count === 0 ? 'No activities' : `${formatDurationShort(totals.moving_s)} · ${totals.count} ${totals.count === 1 ? 'activity' : 'activities'}`}
            </p>
        </div>
    );
}

type Measure = 'distance' | 'time';

function weekLabel(start: string): string {
    return new Date(`${start}T12:00:00Z`).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** Bars of the last 12 weeks, this week on the right. */
function WeekChart({ weeks, units }: { weeks: readonly Week[]; units: Me['units'] }) {
    const [measure, setMeasure] = useState<Measure>('distance');
    const value = (w: Week) => (measure === 'distance' ? w.distance_m / splitLengthM(units) : w.moving_s / 3600);
    const max = Math.max(...weeks.map(value), 0);
    const best = weeks.find((w) => value(w) === max);
    const format = (w: Week) => (measure === 'distance' ? formatDistance(w.distance_m, units) : formatDurationShort(w.moving_s));
    const summary = `${measure === 'distance' ? 'Distance' : 'Moving time'} per week, last ${weeks.length} weeks: ${weeks.map((w) => `${weekLabel(w.start)} ${format(w)}`).join(', ')}`;
    const width = 600;
    const height = 140;
    const gap = 8;
    const bar = (width - gap * (weeks.length - 1)) / weeks.length;
    return (
        <figure class="weeks" data-testid="week-chart">
            <figcaption class="weeks__head">
                <span>Last {weeks.length} weeks</span>
                <Segmented
                    label="Measure"
                    value={measure}
                    onValue={setMeasure}
                    options={[
                        { value: 'distance', label: 'Distance' },
                        { value: 'time', label: 'Time' },
                    ]}
                />
            </figcaption>
            <svg class="weeks__svg" viewBox={`0 0 ${width} ${height + 2}`} role="img" aria-label={summary}>
                {weeks.map((w, i) => {
                    const h = max > 0 ? Math.max(value(w) > 0 ? 3 : 0, (value(w) / max) * height) : 0;
                    const x = i * (bar + gap);
                    return (
                        <g key={w.start} data-week={w.start} data-value={value(w).toFixed(3)}>
                            <rect class={i === weeks.length - 1 ? 'weeks__bar weeks__bar--now' : 'weeks__bar'} x={x} y={height - h} width={bar} height={h} rx={3} />
                            <line class="weeks__base" x1={x} x2={x + bar} y1={height + 0.5} y2={height + 0.5} />
                        </g>
                    );
                })}
            </svg>
            {/* Labels in HTML, so they keep their size whatever the chart's width. */}
            <div class="weeks__ticks" aria-hidden="true">
                {weeks.map((w, i) => (
                    <span key={w.start}>{i === weeks.length - 1 ? 'This week' : i % 4 === 3 ? weekLabel(w.start) : ''}</span>
                ))}
            </div>
            <p class="weeks__max">
                Best week: {best && max > 0 ? format(best) : 'none yet'}
            </p>
        </figure>
    );
}

function Training({ user }: { user: Me }) {
    const load = useLoad((signal) => loadTraining(user, signal), [user.id]);
    if (load.problem && !load.data) {
        return (
            <section class="training" aria-label="Training">
                <ProblemView problem={load.problem} />
                <Button variant="secondary" onClick={load.reload}>
                    Try again
                </Button>
            </section>
        );
    }
    if (!load.data) {
        return (
            <section class="totals" aria-label="Training" aria-busy="true">
                <p class="totals__loading">Loading your totals…</p>
            </section>
        );
    }
    const { weeks, ytd, all } = load.data;
    return (
        <section class="training" aria-labelledby="training-heading">
            <h2 id="training-heading" class="training__heading">
                Training
            </h2>
            <div class="totals">
                <TotalsCard label="This week" totals={weeks[weeks.length - 1]!} units={user.units} testId="totals-week" />
                <TotalsCard label="Year to date" totals={ytd} units={user.units} testId="totals-ytd" />
                <TotalsCard label="All time" totals={all} units={user.units} testId="totals-all" />
            </div>
            <WeekChart weeks={weeks} units={user.units} />
        </section>
    );
}

export function You() {
    const user = me.value;
    if (!user) {
        return (
            <Screen title="You">
                <EmptyState
                    icon={<OfflineIcon size={40} />}
                    title={authStatus.value === 'offline' ? "You're offline" : 'Loading your profile'}
                    action={<Button onClick={() => void startSession()}>Try again</Button>}
                >
                    Your profile loads once the server can be reached.
                </EmptyState>
            </Screen>
        );
    }
    const place = [user.city, regionName(user.country)].filter(Boolean).join(', ');

    async function signOut() {
        await logOut();
        navigate(href('login'), { replace: true });
    }

    return (
        <Screen title="You" layout="columns">
            <section class="profile-card" aria-label="Profile">
                <Avatar name={user.display_name} size={84} />
                <h2 class="profile-card__name" data-testid="profile-name">
                    {user.display_name}
                </h2>
                <p class="profile-card__meta">
                    {user.username ? `@${user.username}` : user.email}
                    {place ? ` · ${place}` : ''}
                </p>
                {user.bio ? <p class="profile-card__bio">{user.bio}</p> : null}
                <div class="stats">
                    <div>
                        <span class="stat__value" data-testid="profile-weight">
                            {formatWeight(user.weight_kg, user.units)}
                        </span>
                        <span class="stat__label">Weight</span>
                    </div>
                    <div>
                        <span class="stat__value" data-testid="profile-height">
                            {formatHeight(user.height_cm, user.units)}
                        </span>
                        <span class="stat__label">Height</span>
                    </div>
                    <div>
                        <span class="stat__value">{user.ftp_w === null ? '—' : `${user.ftp_w} W`}</span>
                        <span class="stat__label">FTP</span>
                    </div>
                </div>
            </section>

            <Training user={user} />

            <ListGroup heading="Workouts">
                <ListRow title="Activities" subtitle="Everything you recorded, uploaded or logged" href={href('activities')} testId="activities" />
                <ListRow title="Upload files" subtitle="GPX, TCX or FIT from a watch or another app" href={href('upload')} testId="upload" />
                <ListRow title="Log a manual activity" subtitle="A workout without GPS" href={href('activities/new')} />
            </ListGroup>

            <ListGroup heading="Community">
                <ListRow title="Clubs" subtitle="Your clubs, their events and leaderboards" href={href('clubs')} testId="clubs" />
                <ListRow title="My challenges" subtitle="The club challenges you joined and your progress" href={href('you/challenges')} testId="my-challenges" />
            </ListGroup>

            <ListGroup heading="Settings">
                <ListRow title="Edit profile" subtitle="Name, body, units, privacy" href={href('you/edit')} testId="edit-profile" />
                <ListRow title="Privacy zones" subtitle="Places your routes never show to others" href={href('you/privacy-zones')} testId="privacy-zones" />
                <ListRow title="Sessions" subtitle="Devices signed in to your account" href={href('you/sessions')} testId="sessions" />
                <ListRow title="Find people" subtitle="Search by name or username, see suggestions" href={href('people')} testId="find-people" />
                <ListRow title="Follow requests" subtitle="People asking to follow you" href={href('you/follow-requests')} testId="follow-requests" />
                <ListRow title="Password & account" subtitle="Change password, delete account" href={href('you/account')} />
            </ListGroup>

            <ListGroup heading="About">
                <ListRow title="API documentation" href="/docs" />
            </ListGroup>

            <ListGroup>
                <ListRow title="Sign out" tone="danger" onClick={() => void signOut()} testId="sign-out" />
            </ListGroup>
        </Screen>
    );
}

