// The address bar: routes live after the "#" (the server only ever serves the shell at "/", and
// the service worker only needs to know one navigation URL). Links are built from the patterns of
// the route table, so a link to a route that does not exist, or without its parameters, does not
// compile.
import { signal } from '@preact/signals';
import type { kRoutes } from '../routes';
import { fillPattern, normalizePath, type ParamNames } from './match';

/** Every pattern of the route table. */
export type AppPath = (typeof kRoutes)[number]['path'];

/** An address inside the app ("#/activity/42"), only made by href(). */
export type Href = string & { readonly __href: unique symbol };

type ParamArgs<P extends string> = [ParamNames<P>] extends [never] ? [] : [params: Record<ParamNames<P>, string | number>];

/** The address of a route: href('feed'), href('activity/:id', { id: 42 }). */
export function href<P extends AppPath>(path: P, ...params: ParamArgs<P>): Href {
    return `#/${fillPattern(path, params[0])}` as Href;
}

const currentHash = () => (typeof location === 'undefined' ? '' : location.hash);

/** The current path ("activity/42"; "" for none); the app resolves it against the table. */
export const currentPath = signal<string>(normalizePath(currentHash()));

if (typeof window !== 'undefined') {
    window.addEventListener('hashchange', () => {
        currentPath.value = normalizePath(location.hash);
    });
}

export function navigate(to: Href, { replace = false } = {}): void {
    if (replace) {
        history.replaceState(history.state, '', to);
    } else if (location.hash !== to) {
        history.pushState(history.state, '', to);
    }
    currentPath.value = normalizePath(to);
}

/** The Href of a path that came out of the route table (a redirect's target). */
export function hrefOfPath(path: string): Href {
    return `#/${normalizePath(path)}` as Href;
}
