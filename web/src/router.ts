// A tiny hash router: the server only ever serves the shell at "/", and the service worker only
// needs to know one navigation URL, so routes live after the "#".
import { signal } from '@preact/signals';

/** Routes without parameters. */
export type StaticRoute =
    | 'login'
    | 'signup'
    | 'feed'
    | 'record'
    | 'chats'
    | 'insights'
    | 'you'
    | 'you/edit'
    | 'you/sessions'
    | 'you/account'
    | 'activities'
    | 'activities/new'
    | 'upload';

export type Route = StaticRoute | `activity/${number}` | `activity/${number}/edit`;

const kRoutes: readonly StaticRoute[] = [
    'login',
    'signup',
    'feed',
    'record',
    'chats',
    'insights',
    'you',
    'you/edit',
    'you/sessions',
    'you/account',
    'activities',
    'activities/new',
    'upload',
];

// Ids are positive integers without leading zeros, so every id has exactly one route.
const kActivityRoute = /^activity\/([1-9]\d{0,17})(\/edit)?$/;

export function parseRoute(hash: string): Route | null {
    const path = hash.replace(/^#\/?/, '').replace(/\/$/, '');
    if ((kRoutes as readonly string[]).includes(path)) {
        return path as Route;
    }
    return kActivityRoute.test(path) ? (path as Route) : null;
}

/** The activity a route shows, if it is one of the `activity/<id>` routes. */
export function activityOf(route: Route | null): { id: number; edit: boolean } | null {
    const match = route ? kActivityRoute.exec(route) : null;
    if (!match?.[1]) {
        return null;
    }
    return { id: Number(match[1]), edit: match[2] !== undefined };
}

export function activityRoute(id: number, { edit = false } = {}): Route {
    return edit ? `activity/${id}/edit` : `activity/${id}`;
}

export function isPublicRoute(route: Route | null): boolean {
    return route === 'login' || route === 'signup';
}

export function hrefFor(route: Route): string {
    return `#/${route}`;
}

const currentHash = () => (typeof location === 'undefined' ? '' : location.hash);

/** The current route, or null for an unknown hash (the app picks a default). */
export const route = signal<Route | null>(parseRoute(currentHash()));

if (typeof window !== 'undefined') {
    window.addEventListener('hashchange', () => {
        route.value = parseRoute(location.hash);
    });
}

export function navigate(to: Route, { replace = false } = {}): void {
    const hash = hrefFor(to);
    if (replace) {
        history.replaceState(history.state, '', hash);
    } else if (location.hash !== hash) {
        history.pushState(history.state, '', hash);
    }
    route.value = to;
}
