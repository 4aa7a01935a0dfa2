// Top level: picks the screen from the session state and the route.
import { useEffect } from 'preact/hooks';
import { activityOf, hrefFor, isPublicRoute, navigate, route, type Route } from './router';
import { authStatus } from './state/session';
import { Spinner, Toaster } from './ui';
import { ChatsIcon, FeedIcon, InsightsIcon, OfflineIcon, RecordIcon, YouIcon } from './ui/icons';
import { restoreRecordings } from './record/session';
import { Account } from './screens/Account';
import { Activities, Feed } from './screens/Activities';
import { ActivityDetail } from './screens/ActivityDetail';
import { EditActivity, NewActivity } from './screens/ActivityEdit';
import { Login, Signup } from './screens/Auth';
import { EditProfile } from './screens/EditProfile';
import { Record } from './screens/Record';
import { Sessions } from './screens/Sessions';
import { Chats, Insights } from './screens/Tabs';
import { Upload } from './screens/Upload';
import { You } from './screens/You';

const kTabs = [
    { route: 'feed', label: 'Feed', Icon: FeedIcon },
    { route: 'record', label: 'Record', Icon: RecordIcon },
    { route: 'chats', label: 'Chats', Icon: ChatsIcon },
    { route: 'insights', label: 'Insights', Icon: InsightsIcon },
    { route: 'you', label: 'You', Icon: YouIcon },
] as const;

// Workout screens open from "You" (and from the feed, which shows them for now).
const kTabOfSection: Record<string, string> = { activities: 'you', activity: 'you', upload: 'you' };

function tabOf(current: Route): string {
    const section = current.split('/')[0] ?? current;
    return kTabOfSection[section] ?? section;
}

function TabBar({ current }: { current: Route }) {
    return (
        <nav class="tabbar" aria-label="Main">
            <div class="tabbar__inner">
                {kTabs.map(({ route: tab, label, Icon }) => (
                    <a key={tab} class="tab" href={hrefFor(tab)} aria-current={tabOf(current) === tab ? 'page' : undefined}>
                        <Icon size={24} />
                        <span>{label}</span>
                    </a>
                ))}
            </div>
        </nav>
    );
}

function SignedInScreen({ current }: { current: Route }) {
    const activity = activityOf(current);
    if (activity) {
        // Keyed by id so going from one activity to another starts the screen afresh.
        return activity.edit ? <EditActivity key={activity.id} id={activity.id} /> : <ActivityDetail key={activity.id} id={activity.id} />;
    }
    switch (current) {
        case 'record':
            return <Record />;
        case 'chats':
            return <Chats />;
        case 'insights':
            return <Insights />;
        case 'you':
            return <You />;
        case 'you/edit':
            return <EditProfile />;
        case 'you/sessions':
            return <Sessions />;
        case 'you/account':
            return <Account />;
        case 'activities':
            return <Activities />;
        case 'activities/new':
            return <NewActivity />;
        case 'upload':
            return <Upload />;
        default:
            return <Feed />;
    }
}

export function App() {
    const status = authStatus.value;
    const requested = route.value;
    const signedIn = status === 'signed-in' || status === 'offline';
    const current: Route = signedIn ? (requested && !isPublicRoute(requested) ? requested : 'feed') : requested === 'signup' ? 'signup' : 'login';

    // Keep the address bar in step with what is shown (e.g. after a sign-out or a stale link).
    useEffect(() => {
        if (status !== 'starting' && requested !== current) {
            navigate(current, { replace: true });
        }
    }, [status, requested, current]);

    // A recording interrupted by a reload comes back, and finished ones still on the phone upload.
    useEffect(() => {
        if (status === 'signed-in') {
            void restoreRecordings();
        }
    }, [status]);

    if (status === 'starting') {
        return <Spinner label="Starting" />;
    }
    if (!signedIn) {
        return (
            <>
                {current === 'signup' ? <Signup /> : <Login />}
                <Toaster />
            </>
        );
    }
    return (
        <div class="app app--tabs" data-status={status}>
            {status === 'offline' ? (
                <div class="banner" role="status" data-testid="offline-banner">
                    <OfflineIcon size={18} /> You're offline. Changes need a connection.
                </div>
            ) : null}
            <SignedInScreen current={current} />
            <TabBar current={current} />
            <Toaster />
        </div>
    );
}
