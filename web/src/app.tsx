// Top level: resolves the address against the route table for the session's state, and frames the
// screen (tab bar, offline banner, toasts). Which routes exist lives in routes.tsx, the rules in
// router/match.ts.
import { useEffect, useLayoutEffect } from 'preact/hooks';
import { restoreRecordings } from './record/session';
import { currentPath, href, hrefOfPath, navigate } from './router/location';
import { compileRoutes, resolveRoute, type SessionState } from './router/match';
import { kHomes, kRoutes } from './routes';
import { tabBarHidden } from './state/frame';
import { authStatus } from './state/session';
import { unreadCount, watchUnread } from './state/unread';
import { Banner, ConfirmHost, ScreenTitle, Spinner, TabBar, Toaster, type TabItem } from './ui';
import { BellIcon, ChatsIcon, FeedIcon, InsightsIcon, OfflineIcon, RecordIcon, YouIcon } from './ui/icons';

const kCompiled = compileRoutes(kRoutes);

const kTabs: readonly TabItem[] = [
    { id: 'feed', label: 'Feed', href: href('feed'), Icon: FeedIcon },
    { id: 'record', label: 'Record', href: href('record'), Icon: RecordIcon },
    { id: 'chats', label: 'Chats', href: href('chats'), Icon: ChatsIcon },
    { id: 'notifications', label: 'Alerts', href: href('notifications'), Icon: BellIcon },
    { id: 'insights', label: 'Insights', href: href('insights'), Icon: InsightsIcon },
    { id: 'you', label: 'You', href: href('you'), Icon: YouIcon },
];

export function App() {
    const status = authStatus.value;
    // Offline with a stored session is signed in: the app shows what it can.
    const session: SessionState = status === 'starting' ? 'starting' : status === 'signed-out' ? 'signed-out' : 'signed-in';
    const resolution = resolveRoute(kCompiled, currentPath.value, session, kHomes);
    const redirect = resolution.kind === 'redirect' ? resolution.to : null;
    const match = resolution.kind === 'wait' ? null : resolution.match;

    // Keep the address bar in step with what is shown (e.g. after a sign-out or a stale link).
    useEffect(() => {
        if (redirect !== null) {
            navigate(hrefOfPath(redirect), { replace: true });
        }
    }, [redirect]);

    const title = match?.route.title;
    // A layout effect: it runs before the screen's own effects, so a Screen that names a more
    // precise title (an activity's name) has the last word.
    useLayoutEffect(() => {
        document.title = title ? `${title} · Strava+1` : 'Strava+1';
    }, [title]);

    // A recording interrupted by a reload comes back, and finished ones still on the phone upload.
    useEffect(() => {
        if (status === 'signed-in') {
            void restoreRecordings();
        }
    }, [status]);

    // A new screen opens at its top, not at the scroll position of the one before (a long feed).
    const shownPath = match?.path;
    useLayoutEffect(() => {
        window.scrollTo(0, 0);
    }, [shownPath]);

    // The unread badge: polled while signed in.
    useEffect(() => (session === 'signed-in' ? watchUnread() : undefined), [session]);
    if (!match) {
        return <Spinner label="Starting" />;
    }
    const Screen = match.route.screen;
    // Keyed by path so going from one activity to another starts the screen afresh.
    const screen = (
        <ScreenTitle.Provider value={match.route.title}>
            <Screen key={match.path} {...match.params} />
        </ScreenTitle.Provider>
    );
    if (session === 'signed-out') {
        return (
            <div class="app">
                {screen}
                <ConfirmHost />
                <Toaster />
            </div>
        );
    }
    const tabs = !tabBarHidden.value;
    return (
        <div class={tabs ? 'app app--tabs' : 'app'} data-status={status}>
            {status === 'offline' ? (
                <Banner icon={<OfflineIcon size={18} />} testId="offline-banner">
                    You're offline. Changes need a connection.
                </Banner>
            ) : null}
            {screen}
            {tabs ? <TabBar items={kTabs.map((t) => (t.id === 'notifications' ? { ...t, badge: unreadCount.value } : t))} current={match.route.tab} /> : null}
            <ConfirmHost />
            <Toaster />
        </div>
    );
}
