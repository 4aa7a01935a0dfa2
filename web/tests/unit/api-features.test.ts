// The per-feature API modules against the contract: every method is named after an operationId of
// docs/api/openapi.yaml and sends exactly that operation's method and path. The table of sample
// arguments is typed by the modules, so a new method without a row here does not compile.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { accountsApi } from '../../src/api/accounts';
import { activitiesApi } from '../../src/api/activities';
import { createCore, kRefreshTokenKey } from '../../src/api/core';
import { feedApi } from '../../src/api/feed';
import { socialApi } from '../../src/api/social';
import { memoryStore, tokens } from './fake-fetch';

const here = dirname(fileURLToPath(import.meta.url));
const doc = parse(readFileSync(join(here, '../../../docs/api/openapi.yaml'), 'utf8')) as { paths: Record<string, Record<string, { operationId?: string }>> };

/** operationId → "METHOD /path/{template}". */
const kOperations = new Map<string, string>();
for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
        const id = item[method]?.operationId;
        if (id) {
            kOperations.set(id, `${method.toUpperCase()} ${path}`);
        }
    }
}

function setup() {
    const sent: string[] = [];
    const answer = () => new Response(JSON.stringify(tokens(1)), { status: 200, headers: { 'Content-Type': 'application/json' } });
    const record = (method: string, url: string) => {
        if (!url.startsWith('/v1/auth/refresh')) {
            sent.push(`${method} ${url.split('?')[0]}`);
        }
        return answer();
    };
    const core = createCore({
        fetch: (async (input: RequestInfo | URL, init?: RequestInit) => record(init?.method ?? 'GET', String(input))) as typeof fetch,
        sendBytes: async (request) => record(request.method, request.url),
        storage: memoryStore({ [kRefreshTokenKey]: 'refresh-0' }),
        now: () => 1_000_000,
    });
    return { sent, api: { ...accountsApi(core), ...activitiesApi(core), ...feedApi(core), ...socialApi(core) } };
}

type Api = ReturnType<typeof setup>['api'];

const kArgs: { [K in keyof Api]: Parameters<Api[K]> } = {
    signup: [{ email: 'a@example.test', password: 'long-enough-pw', display_name: 'A' }, 'key-1'],
    login: [{ email: 'a@example.test', password: 'pw' }],
    logout: [],
    changePassword: [{ current_password: 'old', new_password: 'new-long-enough' }],
    listSessions: [],
    revokeSession: [3],
    getMe: [],
    updateMe: [{ display_name: 'B' }],
    deleteMe: ['pw'],
    getUser: [4],
    getUserStats: [4],
    listPrivacyZones: [],
    createPrivacyZone: [{ lat: 45.2, lng: 5.79, radius_m: 400 }],
    updatePrivacyZone: [7, { radius_m: 600 }],
    deletePrivacyZone: [7],
    createUpload: [new Blob(['<gpx/>']), { query: { data_type: 'gpx' } }],
    getUpload: [5],
    listMyActivities: [{ limit: 20 }],
    createActivity: [{ sport: 'run', start_time: '2026-01-01T07:00:00Z', elapsed_s: 1800 }, 'key-2'],
    getActivity: [6],
    updateActivity: [6, { name: 'Renamed' }],
    deleteActivity: [6],
    getActivityStreams: [6, { resolution: 'low' }],
    getActivityLaps: [6],
    getActivitySplits: [6],
    getActivityLengths: [6],
    getActivityZones: [6],
    getActivityCurves: [6],
    getActivityBestEfforts: [6],
    exportActivityGpx: [6],
    getActivityOriginal: [6],
    homeFeed: [{ limit: 20 }],
    profileFeed: [4, { cursor: 'c1' }],
    clubFeed: [6, { limit: 10 }],
    createClubPost: [6, { text: 'hello club' }],
    createPost: [{ text: 'Hello @bea' }],
    getPost: [8],
    patchPost: [8, { text: 'Edited' }],
    deletePost: [8],
    listUserPosts: [4],
    commentOnActivity: [6, { text: 'Nice' }],
    listActivityComments: [6],
    commentOnPost: [8, { text: 'Nice', reply_to: 9 }],
    listPostComments: [8, { cursor: 'c2' }],
    patchComment: [9, { text: 'Edited' }],
    deleteComment: [9],
    giveKudos: [6],
    takeKudos: [6],
    listKudos: [6],
    givePostLike: [8],
    takePostLike: [8],
    listPostLike: [8],
    giveCommentLike: [9],
    takeCommentLike: [9],
    followUser: [4],
    unfollowUser: [4],
    blockUser: [4],
    unblockUser: [4],
    muteUser: [4],
    unmuteUser: [4],
    listFollowers: [4, undefined],
    listFollowing: [4, 'c3'],
    listMyBlocks: [undefined],
    listFollowRequests: [undefined],
    acceptFollowRequest: [4],
    declineFollowRequest: [4],
    searchUsers: ['ana', undefined],
    listSuggestions: [],
    dismissSuggestion: [4],
    createReport: [{ kind: 'post', id: 8, reason: 'spam' }],
};

function pathMatches(template: string, path: string): boolean {
    const parts = template.split('/');
    const actual = path.split('/');
    return parts.length === actual.length && parts.every((part, i) => (/^\{[a-z_]+\}$/.test(part) ? actual[i] !== '' : part === actual[i]));
}

describe('feature API modules', () => {
    it.each(Object.keys(kArgs) as (keyof Api)[])('%s sends its operation', async (name) => {
        const { sent, api } = setup();
        const operation = kOperations.get(name);
        expect(operation, `${name} is not an operationId of openapi.yaml`).toBeDefined();
        await (api[name] as (...args: unknown[]) => Promise<unknown>)(...kArgs[name]);
        expect(sent).toHaveLength(1);
        const [method, template] = operation!.split(' ') as [string, string];
        const [sentMethod, sentPath] = sent[0]!.split(' ') as [string, string];
        expect(sentMethod).toBe(method);
        expect(pathMatches(template, sentPath), `${sentPath} is not ${template}`).toBe(true);
    });

    it('has a row for every method (the table is exhaustive)', () => {
        expect(Object.keys(kArgs).sort()).toEqual(Object.keys(setup().api).sort());
    });
});
