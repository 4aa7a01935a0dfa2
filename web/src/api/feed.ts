// The feed and the conversation around it (OpenAPI tags Feed, Social): the home and profile feeds,
// posts, comments (one level of replies), kudos and likes. Method names are the operationIds.
import type { ReadOptions } from './accounts';
import type { Core, Schemas } from './core';

export type FeedPage = Schemas['FeedPage'];
export type Post = Schemas['Post'];
export type PostInput = Schemas['PostInput'];
export type Comment = Schemas['Comment'];
export type CommentInput = Schemas['CommentInput'];
export type KudosTally = Schemas['KudosTally'];
export type LikeTally = Schemas['LikeTally'];

/**
 * One feed item. The server is growing post items and per-item counts (issue 10); until the
 * generated schema has them they are optional here, and screens read them with `?? 0`.
 */
export type FeedItem = Omit<Schemas['FeedItem'], 'kind' | 'activity'> & {
    kind: 'activity' | 'post';
    activity?: Schemas['ActivitySummary'];
    post?: Post;
    kudos_count?: number;
    comment_count?: number;
    kudoed_by_me?: boolean;
};

/** A page read: the cursor of the previous answer, if any. */
export interface PageQuery {
    limit?: number;
    cursor?: string | undefined;
}

const page = ({ limit, cursor }: PageQuery) => ({ ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) });

export function feedApi(core: Core) {
    const user = (userId: number) => ({ user_id: userId });
    const activity = (activityId: number) => ({ activity_id: activityId });
    const post = (postId: number) => ({ post_id: postId });
    const comment = (commentId: number) => ({ comment_id: commentId });
    return {
        homeFeed: async (query: PageQuery = {}, { signal }: ReadOptions = {}) =>
            (await core.call('get', '/v1/feed', { query: page(query), signal })) as { items: FeedItem[]; next_cursor: string | null },
        profileFeed: async (userId: number, query: PageQuery = {}, { signal }: ReadOptions = {}) =>
            (await core.call('get', '/v1/users/{user_id}/feed', { path: user(userId), query: page(query), signal })) as { items: FeedItem[]; next_cursor: string | null },
        clubFeed: async (clubId: number, query: PageQuery = {}, { signal }: ReadOptions = {}) =>
            (await core.call('get', '/v1/clubs/{club_id}/feed', { path: { club_id: clubId }, query: page(query), signal })) as { items: FeedItem[]; next_cursor: string | null },
        createPost: (body: PostInput) => core.call('post', '/v1/posts', { body }),
        createClubPost: (clubId: number, body: PostInput) => core.call('post', '/v1/clubs/{club_id}/posts', { path: { club_id: clubId }, body }),
        getPost: (postId: number, { signal }: ReadOptions = {}) => core.call('get', '/v1/posts/{post_id}', { path: post(postId), signal }),
        patchPost: (postId: number, body: PostInput) => core.call('patch', '/v1/posts/{post_id}', { path: post(postId), body }),
        deletePost: (postId: number) => core.call('delete', '/v1/posts/{post_id}', { path: post(postId) }),
        listUserPosts: (userId: number, query: PageQuery = {}, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/users/{user_id}/posts', { path: user(userId), query: page(query), signal }),
        commentOnActivity: (activityId: number, body: CommentInput) => core.call('post', '/v1/activities/{activity_id}/comments', { path: activity(activityId), body }),
        listActivityComments: (activityId: number, query: PageQuery = {}, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/activities/{activity_id}/comments', { path: activity(activityId), query: page(query), signal }),
        commentOnPost: (postId: number, body: CommentInput) => core.call('post', '/v1/posts/{post_id}/comments', { path: post(postId), body }),
        listPostComments: (postId: number, query: PageQuery = {}, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/posts/{post_id}/comments', { path: post(postId), query: page(query), signal }),
        patchComment: (commentId: number, body: CommentInput) => core.call('patch', '/v1/comments/{comment_id}', { path: comment(commentId), body }),
        deleteComment: (commentId: number) => core.call('delete', '/v1/comments/{comment_id}', { path: comment(commentId) }),
        giveKudos: (activityId: number) => core.call('put', '/v1/activities/{activity_id}/kudos', { path: activity(activityId) }),
        takeKudos: (activityId: number) => core.call('delete', '/v1/activities/{activity_id}/kudos', { path: activity(activityId) }),
        listKudos: (activityId: number, query: PageQuery = {}, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/activities/{activity_id}/kudos', { path: activity(activityId), query: page(query), signal }),
        givePostLike: (postId: number) => core.call('put', '/v1/posts/{post_id}/likes', { path: post(postId) }),
        takePostLike: (postId: number) => core.call('delete', '/v1/posts/{post_id}/likes', { path: post(postId) }),
        listPostLike: (postId: number, query: PageQuery = {}, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/posts/{post_id}/likes', { path: post(postId), query: page(query), signal }),
        giveCommentLike: (commentId: number) => core.call('put', '/v1/comments/{comment_id}/likes', { path: comment(commentId) }),
        takeCommentLike: (commentId: number) => core.call('delete', '/v1/comments/{comment_id}/likes', { path: comment(commentId) }),
    };
}

export type FeedApi = ReturnType<typeof feedApi>;
