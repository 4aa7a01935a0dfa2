// Route patterns and matching, with no DOM and no knowledge of the app's table (src/routes.tsx):
// a pattern is a path of literal segments and `:name` parameters ("activity/:id/edit"); each
// parameter has a parser that turns its text into a value or refuses it, so "activity/042" is
// simply not a route. No hand-written regular expressions.
import type { ComponentType } from 'preact';

/** Who may open a route: signed-in users, signed-out users (log in, sign up), or anybody. */
export type Access = 'signed-in' | 'signed-out' | 'any';
export type Tab = 'feed' | 'record' | 'chats' | 'notifications' | 'insights' | 'you';

type SegmentParam<S extends string> = S extends `:${infer Name}` ? Name : never;
/** The parameter names of a pattern: "activity/:id/edit" → "id". */
export type ParamNames<P extends string> = P extends `${infer Head}/${infer Rest}` ? SegmentParam<Head> | ParamNames<Rest> : SegmentParam<P>;

/** Turns a parameter's (decoded) text into its value, or null when the text is not one. */
export type Parser<T> = (raw: string) => T | null;
type ParsersFor<P extends string> = { [K in ParamNames<P>]: Parser<unknown> };
/** What a screen receives: each parameter parsed. */
export type PropsOf<X> = { [K in keyof X]: X[K] extends Parser<infer T> ? T : never };

export interface RouteDef<P extends string = string> {
    path: P;
    // `any`: route() has checked this screen's props against the parameters; the table mixes them.
    screen: ComponentType<any>;
    params: Readonly<Record<string, Parser<unknown>>>;
    /** The document title, and the heading of a Screen that names none. */
    title: string;
    access: Access;
    /** The tab shown as current; null for screens outside the tab bar. */
    tab: Tab | null;
}

type RouteOptions<P extends string, X> = {
    screen: ComponentType<PropsOf<X>>;
    title: string;
    /** Default 'signed-in'. */
    access?: Access;
    tab?: Tab;
} & ([ParamNames<P>] extends [never] ? { params?: undefined } : { params: X });

/** One row of the route table; the screen's props are checked against the parameters' parsers. */
export function route<P extends string, X extends ParsersFor<P> = ParsersFor<P>>(path: P, options: RouteOptions<P, X>): RouteDef<P> {
    return { path, screen: options.screen, params: (options.params ?? {}) as Record<string, Parser<unknown>>, title: options.title, access: options.access ?? 'signed-in', tab: options.tab ?? null };
}

/** A positive integer id without leading zeros (so every id has exactly one path). */
export const kId: Parser<number> = (raw) => (/^[1-9]\d{0,17}$/.test(raw) ? Number(raw) : null);

type Segment = { literal: string } | { param: string; parse: Parser<unknown> };

export interface CompiledRoute {
    def: RouteDef;
    segments: Segment[];
}

export interface Match {
    route: RouteDef;
    params: Record<string, unknown>;
    /** The normalised path that matched ("activity/42"). */
    path: string;
}

/** "#/activity/42/" → "activity/42": no "#", no leading or trailing slash. */
export function normalizePath(hashOrPath: string): string {
    return hashOrPath.replace(/^#/, '').replace(/^\/+/, '').replace(/\/+$/, '');
}

/**
 * Checks and orders a table. Throws on a malformed or duplicate pattern or a parameter without a
 * parser (programming errors, caught by the unit test over the real table). Literal segments win
 * over parameters wherever two patterns overlap ("activities/new" before "activities/:id"), so the
 * order of the table does not matter.
 */
export function compileRoutes(defs: readonly RouteDef[]): CompiledRoute[] {
    const seen = new Set<string>();
    const compiled = defs.map((def) => {
        if (def.path !== normalizePath(def.path) || def.path.split('/').some((part) => part === '' || part === ':')) {
            throw new Error(`route pattern "${def.path}" is malformed`);
        }
        const shape = def.path.replace(/:[^/]+/g, ':');
        if (seen.has(shape)) {
            throw new Error(`route pattern "${def.path}" overlaps another one exactly`);
        }
        seen.add(shape);
        const segments = def.path.split('/').map((part): Segment => {
            if (!part.startsWith(':')) {
                return { literal: part };
            }
            const name = part.slice(1);
            const parse = def.params[name];
            if (!parse) {
                throw new Error(`route "${def.path}" has no parser for :${name}`);
            }
            return { param: name, parse };
        });
        return { def, segments };
    });
    const rank = (route: CompiledRoute) => route.segments.map((segment) => ('literal' in segment ? '0' : '1')).join('');
    return compiled.sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
}

function decode(text: string): string | null {
    try {
        return decodeURIComponent(text);
    } catch {
        return null;
    }
}

/** The route a path (or hash) opens, with its parsed parameters; null when none does. */
export function matchPath(routes: readonly CompiledRoute[], hashOrPath: string): Match | null {
    const path = normalizePath(hashOrPath);
    const parts = path === '' ? [] : path.split('/');
    for (const route of routes) {
        if (route.segments.length !== parts.length) {
            continue;
        }
        const params: Record<string, unknown> = {};
        const matched = route.segments.every((segment, index) => {
            const part = parts[index]!;
            if ('literal' in segment) {
                return segment.literal === part;
            }
            const text = decode(part);
            const value = text === null || text === '' ? null : segment.parse(text);
            params[segment.param] = value;
            return value !== null;
        });
        if (matched) {
            return { route: route.def, params, path };
        }
    }
    return null;
}

/** "activity/:id" with { id: 42 } → "activity/42" (values URI-encoded). */
export function fillPattern(pattern: string, params: Readonly<Record<string, string | number>> = {}): string {
    return pattern
        .split('/')
        .map((part) => {
            if (!part.startsWith(':')) {
                return part;
            }
            const value = params[part.slice(1)];
            if (value === undefined) {
                throw new Error(`missing parameter ${part} for ${pattern}`);
            }
            return encodeURIComponent(String(value));
        })
        .join('/');
}

export type SessionState = 'starting' | 'signed-in' | 'signed-out';

export type Resolution =
    /** The session is still being resumed: show nothing yet and keep the address as it is. */
    | { kind: 'wait' }
    | { kind: 'show'; match: Match }
    /** Show `match` (the route at `to`) and replace the address with `to`. */
    | { kind: 'redirect'; to: string; match: Match };

export interface Homes {
    /** Where signed-in users land (an unknown path, or log-in while signed in). */
    signedIn: string;
    /** Where signed-out users land (an unknown path, or any signed-in route). */
    signedOut: string;
}

/** What the app shows for a path in a session state: the access rules of the table, in one place. */
export function resolveRoute(routes: readonly CompiledRoute[], hashOrPath: string, session: SessionState, homes: Homes): Resolution {
    if (session === 'starting') {
        return { kind: 'wait' };
    }
    const signedIn = session === 'signed-in';
    const match = matchPath(routes, hashOrPath);
    const allowed = match !== null && (match.route.access === 'any' || (match.route.access === 'signed-in') === signedIn);
    if (allowed) {
        return { kind: 'show', match };
    }
    const to = signedIn ? homes.signedIn : homes.signedOut;
    const home = matchPath(routes, to);
    if (!home) {
        throw new Error(`home route "${to}" is not in the table`);
    }
    return { kind: 'redirect', to, match: home };
}
