// The line an activity page shows another viewer when privacy withholds part of the route from
// them (a privacy zone crossed on the way, a hidden start or end, a guarded map): the server says so
// in `route_partly_hidden`, since what is left out cannot be told from what arrives.
import type { ActivityDetail } from '../api';

export function RouteHiddenNote({ activity }: { activity: Pick<ActivityDetail, 'is_owner' | 'route_partly_hidden'> }) {
    if (activity.is_owner || !activity.route_partly_hidden) {
        return null;
    }
    return (
        <p class="route-hidden-note" role="note" data-testid="route-hidden-note">
            Part of this route is hidden
        </p>
    );
}
