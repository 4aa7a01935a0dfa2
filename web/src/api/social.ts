// The social feature (OpenAPI tag Users, the follow routes): following, follow requests, blocks and
// mutes, followers and following lists. Method names are the operationIds.
import type { Core, Schemas } from './core';
import type { ReadOptions } from './accounts';

export type FollowState = Schemas['FollowState'];
export type UserList = Schemas['UserList'];
export type Relationship = Schemas['Relationship'];
export type PersonHit = Schemas['PersonHit'];
export type Suggestion = Schemas['Suggestion'];
export type ReportInput = Schemas['ReportInput'];
export type Report = Schemas['Report'];

const user = (userId: number) => ({ user_id: userId });

export function socialApi(core: Core) {
    return {
        followUser: (userId: number) => core.call('post', '/v1/users/{user_id}/follow', { path: user(userId) }),
        unfollowUser: (userId: number) => core.call('delete', '/v1/users/{user_id}/follow', { path: user(userId) }),
        blockUser: (userId: number) => core.call('post', '/v1/users/{user_id}/block', { path: user(userId) }),
        unblockUser: (userId: number) => core.call('delete', '/v1/users/{user_id}/block', { path: user(userId) }),
        muteUser: (userId: number) => core.call('post', '/v1/users/{user_id}/mute', { path: user(userId) }),
        unmuteUser: (userId: number) => core.call('delete', '/v1/users/{user_id}/mute', { path: user(userId) }),
        listFollowers: (userId: number, cursor: string | undefined, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/users/{user_id}/followers', { path: user(userId), query: cursor ? { cursor } : {}, signal }),
        listFollowing: (userId: number, cursor: string | undefined, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/users/{user_id}/following', { path: user(userId), query: cursor ? { cursor } : {}, signal }),
        listMyBlocks: (cursor: string | undefined, { signal }: ReadOptions = {}) => core.call('get', '/v1/me/blocks', { query: cursor ? { cursor } : {}, signal }),
        listFollowRequests: (cursor: string | undefined, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/me/follow-requests', { query: cursor ? { cursor } : {}, signal }),
        acceptFollowRequest: (userId: number) => core.call('post', '/v1/me/follow-requests/{user_id}/accept', { path: user(userId) }),
        declineFollowRequest: (userId: number) => core.call('post', '/v1/me/follow-requests/{user_id}/decline', { path: user(userId) }),
        searchUsers: (q: string, cursor: string | undefined, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/users/search', { query: cursor ? { q, cursor } : { q }, signal }),
        listSuggestions: ({ signal }: ReadOptions = {}) => core.call('get', '/v1/me/suggestions', { query: {}, signal }),
        dismissSuggestion: (userId: number) => core.call('post', '/v1/me/suggestions/{user_id}/dismiss', { path: user(userId) }),
        createReport: (body: ReportInput) => core.call('post', '/v1/reports', { body }),
    };
}

export type SocialApi = ReturnType<typeof socialApi>;
