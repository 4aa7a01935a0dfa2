// A tiny hash router: the server only ever serves the shell at "/", and the service worker only
// needs to know one navigation URL, so routes live after the "#".
import { signal } from '@preact/signals';

export type Route =
    | 'login'
    | 'signup'
    | 'feed'
    | 'record'
    | 'chats'
    | 'insights'
    | 'you'
    | 'you/edit'
    | 'you/sessions'
    | 'you/account';

const kRoutes: readonly Route[] = ['login', 'signup', 'feed', 'record', 'chats', 'insights', 'you', 'you/edit', 'you/sessions', 'you/account'];

export function parseRoute(hash: string): Route | null {
    const path = hash.replace(/^#\/?/, '').replace(/\/$/, '');
    return (kRoutes as readonly string[]).includes(path) ? (path as Route) : null;
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
