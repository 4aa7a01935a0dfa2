// The signed-in user's activities, newest first, a page at a time; the row and the stats line
// are also the feed's (Feed.tsx).
import { activities, type ActivitySummary } from '../api';
import { decodePolyline } from '../geo';
import { usePagedList } from '../hooks/paged-list';
import { href } from '../router/location';
import { sportLabel } from '../sports';
import { me } from '../state/session';
import { Button, EmptyState, LinkButton, ProblemView, Screen, Spinner } from '../ui';
import { FeedIcon, PlusIcon, UploadIcon } from '../ui/icons';
import { RouteThumb } from '../ui/RouteMap';
import { SportIcon } from '../ui/SportIcon';
import { formatElevation } from '../units';
import { currentUnits, hiddenFromViewer, paceOrSpeed, sportDistance } from './activity-view';
import { formatDurationShort, formatStart } from './format';
import './Activities.css';

const kPageSize = 20;

/** Distance, moving time, pace or speed (by sport) and elevation gain, as list rows and feed cards show them. */
export function ActivityStats({ activity }: { activity: ActivitySummary }) {
    const units = currentUnits();
    const figure = paceOrSpeed(activity, units);
    if (hiddenFromViewer(activity, me.value?.id)) {
        // Zeros would read as a failed recording; say what the owner chose instead.
        return <span class="activity-row__stats muted">Route and figures hidden: recorded near a private place</span>;
    }
    return (
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
    );
}

export function ActivityRow({ activity }: { activity: ActivitySummary }) {
    const points = activity.summary_polyline ? decodePolyline(activity.summary_polyline) : [];
    return (
        <li>
            <a class="activity-row" href={href('activity/:id', { id: activity.id })} data-testid={`activity-${activity.id}`}>
                <RouteThumb points={points} breaks={activity.summary_polyline_breaks} size={64} />
                <span class="activity-row__text">
                    <span class="activity-row__name">{activity.name}</span>
                    <span class="activity-row__meta">
                        <SportIcon sport={activity.sport} size={16} decorative />
                        <span>{sportLabel(activity.sport)}</span>
                        <span aria-hidden="true">·</span>
                        <time dateTime={activity.start_time ?? activity.start_date}>{formatStart(activity.start_time, activity.start_date, me.value?.time_zone)}</time>
                    </span>
                    <ActivityStats activity={activity} />
                </span>
            </a>
        </li>
    );
}

function ActivityList() {
    const list = usePagedList(
        async (cursor, signal) => {
            const page = await activities.listMyActivities(cursor ? { limit: kPageSize, cursor } : { limit: kPageSize }, { signal });
            return { items: page.activities, next: page.next_cursor };
        },
        (activity) => activity.id,
        [],
    );

    if (list.items === null) {
        return list.problem ? (
            <>
                <ProblemView problem={list.problem} />
                <Button variant="secondary" onClick={list.reload}>
                    Try again
                </Button>
            </>
        ) : (
            <Spinner label="Loading activities" />
        );
    }
    if (list.items.length === 0) {
        return (
            <EmptyState
                icon={<FeedIcon size={40} />}
                title="No activities yet"
                action={
                    <div class="button-row">
                        <LinkButton href={href('record')} variant="primary">
                            Record a workout
                        </LinkButton>
                        <LinkButton href={href('upload')}>Upload a file</LinkButton>
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
                {list.items.map((activity) => (
                    <ActivityRow key={activity.id} activity={activity} />
                ))}
            </ul>
            <ProblemView problem={list.problem} />
            {list.hasMore ? (
                // Loads by itself when scrolled into view; the button is there for keyboards and retries.
                <div ref={list.endRef}>
                    <Button variant="secondary" block busy={list.loading} onClick={list.more}>
                        Load more
                    </Button>
                </div>
            ) : null}
        </>
    );
}

export function Actions() {
    return (
        <div class="topbar__buttons">
            <a class="icon-button" href={href('upload')} aria-label="Upload files" title="Upload files">
                <UploadIcon size={22} />
            </a>
            <a class="icon-button" href={href('activities/new')} aria-label="Add a manual activity" title="Add a manual activity">
                <PlusIcon size={22} />
            </a>
        </div>
    );
}

export function Activities() {
    return (
        <Screen backHref={href('you')} action={<Actions />}>
            <ActivityList />
        </Screen>
    );
}
