import { describe, expect, it } from 'vitest';
import { href, hrefOfPath } from '../../src/router/location';
import { compileRoutes, fillPattern, kId, matchPath, normalizePath, resolveRoute, route, type RouteDef } from '../../src/router/match';
import { kHomes, kRoutes } from '../../src/routes';

const routes = compileRoutes(kRoutes);
const pathOf = (hash: string) => matchPath(routes, hash)?.route.path ?? null;
const Nothing = () => null;

describe('the route table', () => {
    it('matches fixed routes, with or without "#/" and a trailing slash', () => {
        expect(pathOf('#/feed')).toBe('feed');
        expect(pathOf('#/you/edit')).toBe('you/edit');
        expect(pathOf('#/activities/new')).toBe('activities/new');
        expect(pathOf('#/upload/')).toBe('upload');
        expect(pathOf('#feed')).toBe('feed');
        expect(pathOf('feed')).toBe('feed');
    });

    it('matches parameterised routes and parses their ids', () => {
        expect(matchPath(routes, '#/activity/42')).toMatchObject({ route: { path: 'activity/:id' }, params: { id: 42 }, path: 'activity/42' });
        expect(matchPath(routes, '#/activity/7/edit')).toMatchObject({ route: { path: 'activity/:id/edit' }, params: { id: 7 } });
        expect(matchPath(routes, '#/activity/123456789')?.params).toEqual({ id: 123456789 });
    });

    it('finds nothing for unknown paths and ids that are not ids', () => {
        for (const bad of ['', '#/', '#/nope', '#/activity', '#/activity/', '#/activity/0', '#/activity/042', '#/activity/-1', '#/activity/4x', '#/activity/4.5', '#/activity/%E0%A4%A', '#/activity/42/delete', '#/feed/extra', '#/Feed']) {
            expect(matchPath(routes, bad), bad).toBeNull();
        }
    });

    it('gives every row a title, and a tab only to signed-in screens', () => {
        for (const row of kRoutes as readonly RouteDef[]) {
            expect(row.title, row.path).not.toBe('');
            if (row.access !== 'signed-in') {
                expect(row.tab, row.path).toBeNull();
            }
        }
        expect(matchPath(routes, 'activity/3')?.route.tab).toBe('you');
        expect(matchPath(routes, 'record')?.route.tab).toBe('record');
        expect(matchPath(routes, 'login')?.route.access).toBe('signed-out');
        expect(matchPath(routes, 'styleguide')?.route.access).toBe('any');
    });

    it('builds links from the patterns that lead back to the same route', () => {
        expect(href('feed')).toBe('#/feed');
        expect(href('activity/:id', { id: 9 })).toBe('#/activity/9');
        expect(href('activity/:id/edit', { id: 9 })).toBe('#/activity/9/edit');
        for (const row of kRoutes as readonly RouteDef[]) {
            const link = fillPattern(row.path, { id: 5 });
            expect(pathOf(link), row.path).toBe(row.path);
        }
        expect(hrefOfPath('/feed/')).toBe('#/feed');
    });
});

describe('resolveRoute', () => {
    const resolve = (path: string, session: 'starting' | 'signed-in' | 'signed-out') => resolveRoute(routes, path, session, kHomes);

    it('waits while the session resumes, keeping the address (a reload on a deep link)', () => {
        expect(resolve('activity/42', 'starting')).toEqual({ kind: 'wait' });
        expect(resolve('nope', 'starting')).toEqual({ kind: 'wait' });
    });

    it('sends signed-out users to log-in from any signed-in route or unknown path', () => {
        for (const path of ['feed', 'activity/42', 'you/sessions', 'nope', '']) {
            const resolution = resolve(path, 'signed-out');
            expect(resolution, path).toMatchObject({ kind: 'redirect', to: 'login', match: { route: { path: 'login' } } });
        }
        expect(resolve('signup', 'signed-out')).toMatchObject({ kind: 'show', match: { route: { path: 'signup' } } });
        expect(resolve('login', 'signed-out')).toMatchObject({ kind: 'show', match: { route: { path: 'login' } } });
    });

    it('sends signed-in users to the feed from log-in, sign-up and unknown paths', () => {
        for (const path of ['login', 'signup', 'nope', '', 'activity/0']) {
            expect(resolve(path, 'signed-in'), path).toMatchObject({ kind: 'redirect', to: 'feed', match: { route: { path: 'feed' } } });
        }
        expect(resolve('activity/7/edit', 'signed-in')).toMatchObject({ kind: 'show', match: { params: { id: 7 } } });
    });

    it('shows routes open to anybody either way', () => {
        expect(resolve('styleguide', 'signed-in')).toMatchObject({ kind: 'show' });
        expect(resolve('styleguide', 'signed-out')).toMatchObject({ kind: 'show' });
    });
});

describe('compileRoutes', () => {
    it('prefers literal segments over parameters whatever the order of the table', () => {
        const table = compileRoutes([
            route('things/:id', { screen: Nothing, params: { id: kId }, title: 'Thing' }),
            route('things/new', { screen: Nothing, title: 'New thing' }),
            route('things/:id/edit', { screen: Nothing, params: { id: kId }, title: 'Edit' }),
        ]);
        expect(matchPath(table, 'things/new')?.route.title).toBe('New thing');
        expect(matchPath(table, 'things/3')?.route.title).toBe('Thing');
        expect(matchPath(table, 'things/3/edit')?.route.title).toBe('Edit');
    });

    it('refuses malformed and overlapping patterns and parameters without a parser', () => {
        const row = (path: string, params: Record<string, typeof kId> = {}): RouteDef => ({ path, screen: Nothing, params, title: 'x', access: 'signed-in', tab: null });
        expect(() => compileRoutes([row('/feed')])).toThrow(/malformed/);
        expect(() => compileRoutes([row('a//b')])).toThrow(/malformed/);
        expect(() => compileRoutes([row('a/')])).toThrow(/malformed/);
        expect(() => compileRoutes([row('a/:')])).toThrow(/malformed/);
        expect(() => compileRoutes([row('a/:x', { x: kId }), row('a/:y', { y: kId })])).toThrow(/overlaps/);
        expect(() => compileRoutes([row('a/:x')])).toThrow(/no parser for :x/);
    });

    it('decodes parameters and encodes them in links', () => {
        const table = compileRoutes([route('people/:name', { screen: Nothing, params: { name: (raw) => raw }, title: 'Person' })]);
        expect(matchPath(table, 'people/Ada%20L')?.params).toEqual({ name: 'Ada L' });
        expect(fillPattern('people/:name', { name: 'Ada L/x' })).toBe('people/Ada%20L%2Fx');
        expect(() => fillPattern('people/:name', {})).toThrow(/missing parameter :name/);
        expect(normalizePath('#//people/a//')).toBe('people/a');
    });
});
