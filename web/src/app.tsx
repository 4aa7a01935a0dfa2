// Top level: picks the screen from the session state and the route.
import { useEffect } from 'preact/hooks';
import { hrefFor, isPublicRoute, navigate, route, type Route } from './router';
import { authStatus } from './state/session';
import { Spinner, Toaster } from './ui';
import { ChatsIcon, FeedIcon, InsightsIcon, OfflineIcon, RecordIcon, YouIcon } from './ui/icons';
import { Account } from './screens/Account';
import { Login, Signup } from './screens/Auth';
import { EditProfile } from './screens/EditProfile';
import { Sessions } from './screens/Sessions';
import { Chats, Feed, Insights, Record } from './screens/Tabs';
import { You } from './screens/You';

const kTabs = [
    { route: 'feed', label: 'Feed', Icon: FeedIcon },
    { route: 'record', label: 'Record', Icon: RecordIcon },
    { route: 'chats', label: 'Chats', Icon: ChatsIcon },
    { route: 'insights', label: 'Insights', Icon: InsightsIcon },
    { route: 'you', label: 'You', Icon: YouIcon },
] as const;

function tabOf(current: Route): string {
    return current.split('/')[0] ?? current;
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
