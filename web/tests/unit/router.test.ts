import { describe, expect, it } from 'vitest';
import { activityOf, activityRoute, hrefFor, parseRoute } from '../../src/router';

describe('router', () => {
    it('parses fixed routes and activity routes with ids', () => {
        expect(parseRoute('#/feed')).toBe('feed');
        expect(parseRoute('#/activities/new')).toBe('activities/new');
        expect(parseRoute('#/upload/')).toBe('upload');
        expect(parseRoute('#/activity/42')).toBe('activity/42');
        expect(parseRoute('#/activity/42/edit')).toBe('activity/42/edit');
        for (const bad of ['#/activity/', '#/activity/0', '#/activity/042', '#/activity/-1', '#/activity/4x', '#/activity/42/delete', '#/nope']) {
            expect(parseRoute(bad), bad).toBeNull();
        }
    });

    it('reads the id back and builds the links', () => {
        expect(activityOf('activity/42')).toEqual({ id: 42, edit: false });
        expect(activityOf('activity/7/edit')).toEqual({ id: 7, edit: true });
        expect(activityOf('feed')).toBeNull();
        expect(hrefFor(activityRoute(9, { edit: true }))).toBe('#/activity/9/edit');
        expect(parseRoute(hrefFor(activityRoute(123456789)))).toBe('activity/123456789');
    });
});
