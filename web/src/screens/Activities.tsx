// The signed-in user's activities, newest first, a page at a time. Also the feed's content until
// the social feed exists.
import { useEffect, useState } from 'preact/hooks';
import { api, type ActivitySummary, type Problem } from '../api/client';
import { decodePolyline } from '../geo';
import { activityRoute, hrefFor } from '../router';
import { sportLabel } from '../sports';
import { me } from '../state/session';
import { Button, EmptyState, LinkButton, ProblemView, Screen, Spinner, toProblem } from '../ui';
import { FeedIcon, PlusIcon, UploadIcon } from '../ui/icons';
import { RouteThumb } from '../ui/RouteMap';
import { SportIcon } from '../ui/SportIcon';
import { formatElevation } from '../units';
import { currentUnits, paceOrSpeed, sportDistance } from './activity-view';
import { formatDurationShort, formatStart } from './format';

const kPageSize = 20;

export function ActivityRow({ activity }: { activity: ActivitySummary }) {
    const units = currentUnits();
    const figure = paceOrSpeed(activity, units);
    const points = activity.summary_polyline ? decodePolyline(activity.summary_polyline) : [];
    return (
        <li>
            <a class="activity-row" href={hrefFor(activityRoute(activity.id))} data-testid={`activity-${activity.id}`}>
                <RouteThumb points={points} size={64} />
                <span class="activity-row__text">
                    <span class="activity-row__name">{activity.name}</span>
                    <span class="activity-row__meta">
                        <SportIcon sport={activity.sport} size={16} decorative />
                        <span>{sportLabel(activity.sport)}</span>
                        <span aria-hidden="true">·</span>
                        <time dateTime={activity.start_time ?? activity.start_date}>{formatStart(activity.start_time, activity.start_date, me.value?.time_zone)}</time>
                    </span>
                    <span class="activity-row__stats">
                        <span>
                            <span class="visually-hidden">Distance </span>
                            {sportDistance(activity.sport, activity.distance_m, units)}
                        </span>
                        <span>
                            <span class="visually-hidden">Moving time </span>
                            {formatDurationShort(activity.moving_s || activity.elapsed_s)}
                        </span>
                        <span>
                            <span class="visually-hidden">{figure.label} </span>
                            {figure.value}
                        </span>
                        <span>
                            <span class="visually-hidden">Elevation gain </span>
                            {formatElevation(activity.elevation_gain_m, units)}
                        </span>
                    </span>
                </span>
            </a>
        </li>
    );
}

function ActivityList() {
    const [items, setItems] = useState<ActivitySummary[] | null>(null);
    const [cursor, setCursor] = useState<string | null>(null);
    const [problem, setProblem] = useState<Problem | null>(null);
    const [busy, setBusy] = useState(false);

    async function load(next: string | null) {
        setBusy(true);
        setProblem(null);
        try {
            const page = await api.listMyActivities(next ? { limit: kPageSize, cursor: next } : { limit: kPageSize });
            setItems((current) => (next && current ? [...current, ...page.activities.filter((a) => !current.some((c) => c.id === a.id))] : page.activities));
            setCursor(page.next_cursor);
        } catch (error) {
            setProblem(toProblem(error));
        } finally {
            setBusy(false);
        }
    }

    useEffect(() => {
        void load(null);
    }, []);

    if (items === null) {
        return problem ? (
            <>
                <ProblemView problem={problem} />
                <Button variant="secondary" onClick={() => void load(null)}>
                    Try again
                </Button>
            </>
        ) : (
            <Spinner label="Loading activities" />
        );
    }
    if (items.length === 0) {
        return (
            <EmptyState
                icon={<FeedIcon size={40} />}
                title="No activities yet"
                action={
                    <div class="button-row">
                        <LinkButton href={hrefFor('record')} variant="primary">
                            Record a workout
                        </LinkButton>
                        <LinkButton href={hrefFor('upload')}>Upload a file</LinkButton>
                    </div>
                }
            >
                Record a workout, upload files from your watch (GPX, TCX, FIT), or log one by hand.
            </EmptyState>
        );
    }
    return (
        <>
            <ul class="activity-list" aria-label="Activities" data-testid="activity-list">
                {items.map((activity) => (
                    <ActivityRow key={activity.id} activity={activity} />
                ))}
            </ul>
            <ProblemView problem={problem} />
            {cursor ? (
                <Button variant="secondary" block busy={busy} onClick={() => void load(cursor)}>
                    Load more
                </Button>
            ) : null}
        </>
    );
}

function Actions() {
    return (
        <div class="topbar__buttons">
            <a class="icon-button" href={hrefFor('upload')} aria-label="Upload files" title="Upload files">
                <UploadIcon size={22} />
            </a>
            <a class="icon-button" href={hrefFor('activities/new')} aria-label="Add a manual activity" title="Add a manual activity">
                <PlusIcon size={22} />
            </a>
        </div>
    );
}

/** The feed tab: for now the user's own activities. */
export function Feed() {
    return (
        <Screen title="Feed" action={<Actions />}>
            <ActivityList />
        </Screen>
    );
}

export function Activities() {
    return (
        <Screen title="Your activities" backHref={hrefFor('you')} action={<Actions />}>
            <ActivityList />
        </Screen>
    );
}
