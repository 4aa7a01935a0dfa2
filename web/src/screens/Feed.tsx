// The Feed tab: the signed-in user's home feed (their own activities and posts and those of the
// people they follow), newest first, loaded a page at a time as the end scrolls into view. Pull
// down at the top on a touch screen, or the refresh button, reads it again. Activity cards carry
// kudos (optimistic) and the comment count; post cards their text with linked mentions, the
// attached activity and likes; someone else's card has Report. The pencil opens the post composer.
import { useRef, useState } from 'preact/hooks';
import { activities, feed, type ActivitySummary, type FeedItem, type Post } from '../api';
import { decodePolyline } from '../geo';
import { useLoad } from '../hooks/load';
import { usePagedList } from '../hooks/paged-list';
import { assertValid, useSubmit } from '../hooks/submit';
import { href } from '../router/location';
import { CommentsSheet, type CommentTarget } from '../social/CommentsSheet';
import { withRetryHint } from '../social/limits';
import { CountButton, PeopleSheet, RichText, ToggleButton, useToggle } from '../social/parts';
import { rememberPeople } from '../social/people';
import { ReportSheet } from '../social/ReportSheet';
import { sportLabel } from '../sports';
import { me } from '../state/session';
import { Avatar, Button, EmptyState, LinkButton, ProblemView, Screen, SelectField, Sheet, Spinner, TextAreaField, confirmAction, showToast, type SelectOption } from '../ui';
import { CommentIcon, EditIcon, FeedIcon, HeartIcon, KudosIcon, RefreshIcon, UploadIcon } from '../ui/icons';
import { RouteThumb } from '../ui/RouteMap';
import { SportIcon } from '../ui/SportIcon';
import { ActivityStats } from './Activities';
import { timeAgo } from './format';
import { kVisibilityOptions } from './options';
import './Feed.css';

const kPageSize = 20;
const kMaxPost = 5000;
/** How far a pull at the top must go to refresh. */
const kPullPx = 72;

export const feedKey = (item: FeedItem): string => (item.kind === 'post' ? `post-${item.post?.id}` : `activity-${item.activity?.id}`);

type Author = FeedItem['author'];

function profileHref(id: number): string {
    return id === me.value?.id ? href('you') : href('user/:id', { id });
}

function Byline({ author, at, extra }: { author: Author; at: string | null; extra?: preact.ComponentChildren }) {
    return (
        <header class="feed-card__head">
            <Avatar name={author.display_name} size={40} />
            <span class="feed-card__who">
                <a class="feed-card__author" href={profileHref(author.id)} data-testid="feed-author">
                    {author.display_name}
                </a>
                <span class="feed-card__meta">
                    {at ? <time dateTime={at}>{timeAgo(at)}</time> : null}
                    {extra}
                </span>
            </span>
        </header>
    );
}

/** The comments sheet and the people sheet a card opens, with the comment count they can move. */
function useCardSheets(initialComments: number) {
    const [comments, setComments] = useState(initialComments);
    const [open, setOpen] = useState<'comments' | 'people' | 'report' | null>(null);
    return { comments, setComments, open, setOpen };
}

/** Report, at the end of a card's actions (someone else's card only). */
function ReportButton({ onOpen }: { onOpen: () => void }) {
    return (
        <span class="feed-card__own">
            <Button variant="ghost" onClick={onOpen} data-testid="report-button">
                Report
            </Button>
        </span>
    );
}

export function ActivityCard({ item, activity }: { item: FeedItem; activity: ActivitySummary }) {
    const points = activity.summary_polyline ? decodePolyline(activity.summary_polyline) : [];
    const sheets = useCardSheets(item.comment_count ?? 0);
    const [kudos, tapKudos] = useToggle({ count: item.kudos_count ?? 0, mine: item.kudoed_by_me ?? false }, async (want) => {
        const tally = want ? await feed.giveKudos(activity.id) : await feed.takeKudos(activity.id);
        return { count: tally.kudos_count, mine: tally.kudoed_by_me };
    });
    const target: CommentTarget = { kind: 'activity', id: activity.id, ownerId: item.author.id };
    return (
        <article class="feed-card" aria-label={`${item.author.display_name}: ${activity.name}`} data-testid={`feed-activity-${activity.id}`}>
            <Byline
                author={item.author}
                at={item.at}
                extra={
                    <>
                        <span aria-hidden="true">·</span>
                        <SportIcon sport={activity.sport} size={16} decorative />
                        <span>{sportLabel(activity.sport)}</span>
                    </>
                }
            />
            <a class="feed-card__body" href={href('activity/:id', { id: activity.id })}>
                <span class="feed-card__text">
                    <span class="feed-card__name">{activity.name}</span>
                    <ActivityStats activity={activity} />
                </span>
                <RouteThumb points={points} breaks={activity.summary_polyline_breaks} size={88} />
            </a>
            <footer class="feed-card__actions">
                <ToggleButton state={kudos} onTap={tapKudos} label={kudos.mine ? 'Take back kudos' : 'Give kudos'} icon={<KudosIcon size={22} />} testId="kudos-button" />
                <CountButton count={kudos.count} label={kudos.count === 1 ? 'kudo: see who' : 'kudos: see who'} onOpen={() => sheets.setOpen('people')} testId="kudos-count" />
                <CountButton
                    count={sheets.comments}
                    label={sheets.comments === 1 ? 'comment: open' : 'comments: open'}
                    icon={<CommentIcon size={22} />}
                    onOpen={() => sheets.setOpen('comments')}
                    testId="comments-button"
                />
                {item.author.id === me.value?.id ? null : <ReportButton onOpen={() => sheets.setOpen('report')} />}
            </footer>
            {item.author.id === me.value?.id ? null : <ReportSheet open={sheets.open === 'report'} kind="activity" id={activity.id} onClose={() => sheets.setOpen(null)} />}
            <CommentsSheet open={sheets.open === 'comments'} target={target} onCancel={() => sheets.setOpen(null)} onCount={(d) => sheets.setComments((n) => Math.max(0, n + d))} />
            <PeopleSheet
                open={sheets.open === 'people'}
                title="Kudos"
                empty="No kudos yet."
                onCancel={() => sheets.setOpen(null)}
                load={(cursor, signal) => feed.listKudos(activity.id, cursor ? { cursor } : {}, { signal })}
                testId="kudos-sheet"
            />
        </article>
    );
}

/** The activity a post carries, as a small card (read on its own: the post has only its id). */
function AttachedActivity({ id }: { id: number }) {
    const { data } = useLoad((signal) => activities.getActivity(id, { signal }), [id]);
    if (!data) {
        return null;
    }
    const points = data.summary_polyline ? decodePolyline(data.summary_polyline) : [];
    return (
        <a class="feed-card__attached" href={href('activity/:id', { id })} data-testid="post-activity">
            <RouteThumb points={points} breaks={data.summary_polyline_breaks} size={56} />
            <span class="feed-card__text">
                <span class="feed-card__name">
                    <SportIcon sport={data.sport} size={16} decorative /> {data.name}
                </span>
                <ActivityStats activity={data} />
            </span>
        </a>
    );
}

/** `manage`: the viewer runs the club the post is in, and may delete it as its author may. */
export function PostCard({ item, post, manage = false }: { item: FeedItem; post: Post; manage?: boolean }) {
    const sheets = useCardSheets(post.comment_count);
    const [like, tapLike] = useToggle({ count: post.like_count, mine: post.liked_by_me }, async (want) => {
        const tally = want ? await feed.givePostLike(post.id) : await feed.takePostLike(post.id);
        return { count: tally.like_count, mine: tally.liked_by_me };
    });
    const target: CommentTarget = { kind: 'post', id: post.id, ownerId: post.author_id };
    const [gone, setGone] = useState(false);
    const remove = useSubmit(async () => {
        const confirmed = await confirmAction({ title: 'Delete this post?', message: 'It goes for everyone, with its comments and likes.', confirmLabel: 'Delete post' });
        if (confirmed) {
            await feed.deletePost(post.id);
            setGone(true);
            showToast('Post deleted', 'success');
        }
    });
    if (gone) {
        return null;
    }
    return (
        <article class="feed-card" aria-label={`Post by ${item.author.display_name}`} data-testid={`feed-post-${post.id}`}>
            <Byline
                author={item.author}
                at={item.at ?? post.created_at}
                extra={
                    post.club ? (
                        <>
                            {' · in '}
                            <a href={href('club/:id', { id: post.club.id })} data-testid="post-club">
                                {post.club.name}
                            </a>
                        </>
                    ) : null
                }
            />
            <RichText text={post.text} mentions={post.mentions} class="rich-text feed-card__post" />
            {post.activity_id !== null ? <AttachedActivity id={post.activity_id} /> : null}
            <footer class="feed-card__actions">
                <ToggleButton state={like} onTap={tapLike} label={like.mine ? 'Unlike post' : 'Like post'} icon={<HeartIcon size={22} />} testId="like-button" />
                <CountButton count={like.count} label={like.count === 1 ? 'like: see who' : 'likes: see who'} onOpen={() => sheets.setOpen('people')} testId="like-count" />
                <CountButton
                    count={sheets.comments}
                    label={sheets.comments === 1 ? 'comment: open' : 'comments: open'}
                    icon={<CommentIcon size={22} />}
                    onOpen={() => sheets.setOpen('comments')}
                    testId="comments-button"
                />
                {post.author_id === me.value?.id || (manage && post.club) ? (
                    <span class="feed-card__own">
                        <Button variant="ghost" busy={remove.busy} onClick={() => void remove.run()} data-testid="post-delete">
                            Delete
                        </Button>
                    </span>
                ) : (
                    <ReportButton onOpen={() => sheets.setOpen('report')} />
                )}
            </footer>
            <ProblemView problem={remove.problem} />
            {post.author_id === me.value?.id ? null : <ReportSheet open={sheets.open === 'report'} kind="post" id={post.id} onClose={() => sheets.setOpen(null)} />}
            <CommentsSheet open={sheets.open === 'comments'} target={target} onCancel={() => sheets.setOpen(null)} onCount={(d) => sheets.setComments((n) => Math.max(0, n + d))} />
            <PeopleSheet
                open={sheets.open === 'people'}
                title="Likes"
                empty="No likes yet."
                onCancel={() => sheets.setOpen(null)}
                load={(cursor, signal) => feed.listPostLike(post.id, cursor ? { cursor } : {}, { signal })}
                testId="likes-sheet"
            />
        </article>
    );
}

export function FeedCard({ item, manage = false }: { item: FeedItem; manage?: boolean }) {
    if (item.kind === 'post' && item.post) {
        return <PostCard item={item} post={item.post} manage={manage} />;
    }
    if (item.activity) {
        return <ActivityCard item={item} activity={item.activity} />;
    }
    return null;
}

/** A feed read a page at a time (home or a profile's), with the posts written here put on top. */
export function FeedList({ read, empty, added = [], testId = 'feed-list', reloadRef, manage = false }: {
    /** The viewer runs the club whose feed this is (may delete its posts). */
    manage?: boolean;
    /** Set to the list's reload, for a refresh control outside the list. */
    reloadRef?: { current: (() => void) | null };
    read: (cursor: string | null, signal: AbortSignal) => Promise<{ items: FeedItem[]; next_cursor: string | null }>;
    empty: preact.ComponentChildren;
    added?: readonly FeedItem[];
    testId?: string;
}) {
    const list = usePagedList(
        async (cursor, signal) => {
            const page = await read(cursor, signal);
            rememberPeople(page.items.map((item) => item.author));
            return { items: page.items, next: page.next_cursor };
        },
        feedKey,
        [],
    );
    const pull = usePullToRefresh(list.reload);
    if (reloadRef) {
        reloadRef.current = list.reload;
    }

    if (list.items === null) {
        return list.problem ? (
            <>
                <ProblemView problem={list.problem} />
                <Button variant="secondary" onClick={list.reload}>
                    Try again
                </Button>
            </>
        ) : (
            <Spinner label="Loading the feed" />
        );
    }
    const loaded = new Set(list.items.map(feedKey));
    const items = [...added.filter((item) => !loaded.has(feedKey(item))), ...list.items];
    if (items.length === 0) {
        return <>{empty}</>;
    }
    return (
        <div class="feed" {...pull.handlers}>
            <div class="feed__pull" aria-hidden="true" style={{ height: `${pull.distance}px` }}>
                {pull.distance > 0 ? (pull.distance >= kPullPx ? 'Release to refresh' : 'Pull to refresh') : null}
            </div>
            {list.loading && list.items.length > 0 ? <p class="visually-hidden" role="status">Loading</p> : null}
            <ul class="feed__list" aria-label="Feed" data-testid={testId}>
                {items.map((item) => (
                    <li key={feedKey(item)}>
                        <FeedCard item={item} manage={manage} />
                    </li>
                ))}
            </ul>
            <ProblemView problem={list.problem} />
            {list.hasMore ? (
                <div ref={list.endRef}>
                    <Button variant="secondary" block busy={list.loading} onClick={list.more}>
                        Load more
                    </Button>
                </div>
            ) : null}
        </div>
    );
}

/** Pull down while at the top of the page (touch): past kPullPx, letting go reloads. */
function usePullToRefresh(reload: () => void) {
    const start = useRef<number | null>(null);
    const [distance, setDistance] = useState(0);
    return {
        distance,
        handlers: {
            onTouchStart: (event: TouchEvent) => {
                start.current = window.scrollY <= 0 && event.touches.length === 1 ? event.touches[0]!.clientY : null;
            },
            onTouchMove: (event: TouchEvent) => {
                if (start.current === null) {
                    return;
                }
                const pulled = event.touches[0]!.clientY - start.current;
                // Resistance: the indicator grows slower than the finger, and stops growing.
                setDistance(pulled > 0 ? Math.min(kPullPx * 1.5, pulled / 2) : 0);
            },
            onTouchEnd: () => {
                if (start.current !== null && distance >= kPullPx) {
                    reload();
                }
                start.current = null;
                setDistance(0);
            },
        },
    };
}

function NewcomerEmpty() {
    return (
        <EmptyState
            icon={<FeedIcon size={40} />}
            title="Your feed is empty"
            action={
                <div class="button-row">
                    <LinkButton href={href('upload')} variant="primary">
                        Upload your first activity
                    </LinkButton>
                    <LinkButton href={href('people')}>Find people</LinkButton>
                </div>
            }
        >
            Follow people to see their activities and posts here (Follow on their profile), and record or upload your own.
        </EmptyState>
    );
}

/** The post composer; with `club`, a post in that club, read by its members (no audience to choose). */
export function Composer({ open, onCancel, onPosted, club }: { open: boolean; onCancel: () => void; onPosted: (post: Post) => void; club?: { id: number; name: string } }) {
    return (
        <Sheet open={open} title={club ? `Post in ${club.name}` : 'New post'} onCancel={onCancel} testId="post-composer">
            {open ? <ComposerForm onCancel={onCancel} onPosted={onPosted} club={club} /> : null}
        </Sheet>
    );
}

function ComposerForm({ onCancel, onPosted, club }: { onCancel: () => void; onPosted: (post: Post) => void; club?: { id: number; name: string } | undefined }) {
    const [text, setText] = useState('');
    const [activityId, setActivityId] = useState('');
    const [visibility, setVisibility] = useState<string>(me.value?.default_visibility ?? 'everyone');
    const mine = useLoad((signal) => activities.listMyActivities({ limit: 20 }, { signal }), []);
    const options: SelectOption[] = [{ value: '', label: 'No activity' }, ...(mine.data?.activities ?? []).map((a) => ({ value: String(a.id), label: `${a.name} (${sportLabel(a.sport)})` }))];
    const send = useSubmit(
        async () => {
            const body = text.trim();
            assertValid(body === '' ? { text: 'Write something first.' } : body.length > kMaxPost ? { text: `Keep it to ${kMaxPost} characters.` } : {});
            const attached = activityId ? { activity_id: Number(activityId) } : {};
            const post = club
                ? await feed.createClubPost(club.id, { text: body, ...attached })
                : await feed.createPost({ text: body, visibility: visibility as Post['visibility'], ...attached });
            onPosted(post);
        },
        { problemOf: withRetryHint },
    );
    return (
        <form noValidate onSubmit={send.onSubmit} data-testid="post-form">
            <TextAreaField label="What's new?" name="text" value={text} onValue={setText} maxLength={kMaxPost} rows={5} error={send.errors.text} required />
            <SelectField label="Attach an activity" name="activity_id" value={activityId} onValue={setActivityId} options={options} error={send.errors.activity_id} />
            {club ? (
                <p class="muted">The club's members see it, in the club and in their feeds.</p>
            ) : (
                <SelectField label="Who can see it" name="visibility" value={visibility} onValue={setVisibility} options={kVisibilityOptions} error={send.errors.visibility} />
            )}
            <ProblemView problem={send.problem} fields={['text', 'activity_id', 'visibility']} />
            <div class="button-row">
                <Button type="submit" busy={send.busy} data-testid="post-send">
                    Post
                </Button>
                <Button variant="ghost" onClick={onCancel}>
                    Cancel
                </Button>
            </div>
        </form>
    );
}

export function Feed() {
    const [composing, setComposing] = useState(false);
    const [added, setAdded] = useState<FeedItem[]>([]);
    const reload = useRef<(() => void) | null>(null);
    const actions = (
        <div class="topbar__buttons">
            <button type="button" class="icon-button feed-tool" aria-label="Refresh the feed" title="Refresh the feed" onClick={() => reload.current?.()} data-testid="feed-refresh">
                <RefreshIcon size={22} />
            </button>
            <a class="icon-button" href={href('upload')} aria-label="Upload files" title="Upload files">
                <UploadIcon size={22} />
            </a>
            <button type="button" class="icon-button feed-tool" aria-label="Write a post" title="Write a post" onClick={() => setComposing(true)} data-testid="compose-post">
                <EditIcon size={22} />
            </button>
        </div>
    );
    const self = me.value;
    return (
        <Screen action={actions}>
            <FeedList reloadRef={reload} read={(cursor, signal) => feed.homeFeed(cursor ? { limit: kPageSize, cursor } : { limit: kPageSize }, { signal })} empty={<NewcomerEmpty />} added={added} />
            <Composer
                open={composing}
                onCancel={() => setComposing(false)}
                onPosted={(post) => {
                    setComposing(false);
                    showToast('Posted', 'success');
                    if (self) {
                        setAdded((list) => [{ kind: 'post', at: post.created_at, author: { id: self.id, username: self.username, display_name: self.display_name }, post }, ...list]);
                    }
                }}
            />
        </Screen>
    );
}
