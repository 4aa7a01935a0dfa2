// The signed-in user's notifications: who did what, when, and a tap to what it is about.
import { notifications as api, type Notification } from '../api';
import { useLoad } from '../hooks/load';
import { useSubmit } from '../hooks/submit';
import { href } from '../router/location';
import { useEffect } from 'preact/hooks';
import { refreshUnread, unreadCount } from '../state/unread';
import { Avatar, Button, EmptyState, ListGroup, ListRow, ProblemView, Screen, Spinner } from '../ui';
import { FeedIcon } from '../ui/icons';
import { timeAgo } from './format';

/** Where tapping a notification leads: the activity, the profile, the club; posts open in the feed. */
export function notificationHref(n: Notification): string {
    switch (n.object.kind) {
        case 'activity':
            return href('activity/:id', { id: n.object.id });
        case 'user':
            return href('user/:id', { id: n.object.id });
        case 'club':
            return href('club/:id', { id: n.object.id });
        default:
            return n.actors[0] ? href('user/:id', { id: n.actors[0].id }) : href('feed');
    }
}

export function Notifications() {
    const list = useLoad(async (signal) => (await api.listNotifications(undefined, { signal })).notifications, []);
    // The badge polls every minute; the screen that lists them brings it up to date at once.
    useEffect(() => void refreshUnread(), []);
    const readAll = useSubmit(async () => {
        await api.markAllNotificationsRead();
        list.update((items) => items.map((n) => ({ ...n, read: true })));
        unreadCount.value = 0;
    });
    const open = (n: Notification) => {
        if (!n.read) {
            unreadCount.value = Math.max(0, unreadCount.value - 1);
            void api.markNotificationRead(n.id).catch(() => undefined);
        }
    };
    const items = list.data;
    const unread = items ? items.filter((n) => !n.read).length : 0;
    return (
        <Screen>
            <ProblemView problem={list.problem ?? readAll.problem} />
            {items === null && !list.problem ? <Spinner label="Loading notifications" /> : null}
            {items && items.length === 0 ? (
                <EmptyState icon={<FeedIcon size={40} />} title="No notifications yet">
                    Follows, kudos, comments and club news show up here.
                </EmptyState>
            ) : null}
            {items && items.length > 0 ? (
                <>
                    <Button variant="ghost" disabled={unread === 0} busy={readAll.busy} onClick={() => void readAll.run()}>
                        Mark all read
                    </Button>
                    <ListGroup heading={unread > 0 ? `${unread} unread` : 'All read'}>
                        {items.map((n) => (
                            <ListRow
                                key={n.id}
                                testId={`notification-${n.id}`}
                                href={notificationHref(n)}
                                onClick={() => open(n)}
                                leading={<Avatar name={n.actors[0]?.name ?? 'Strava+1'} size={40} />}
                                title={n.read ? n.text : <strong>{n.text}</strong>}
                                subtitle={timeAgo(n.updated_at)}
                            />
                        ))}
                    </ListGroup>
                </>
            ) : null}
        </Screen>
    );
}
