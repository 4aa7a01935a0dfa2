// The comments of an activity or a post, in a sheet: oldest first with "Load more", replies one
// level under their comment, a like on each, edit and delete of one's own (delete also for the
// owner of what they are on), Report on others', and the composer at the bottom (a reply names whom it answers).
// A rate limit reads "Try again in N minutes" (Retry-After).
import { useMemo, useRef, useState } from 'preact/hooks';
import { feed, type Comment } from '../api';
import { usePagedList } from '../hooks/paged-list';
import { assertValid, useSubmit } from '../hooks/submit';
import { timeAgo } from '../screens/format';
import { me } from '../state/session';
import { Button, ProblemView, Sheet, Spinner, TextAreaField, confirmAction, showToast } from '../ui';
import { HeartIcon } from '../ui/icons';
import { withRetryHint } from './limits';
import { threadComments } from './thread';
import { PersonLink, RichText, ToggleButton, useToggle } from './parts';
import { ReportSheet } from './ReportSheet';
import { usePeople } from './people';

export type CommentTarget = { kind: 'activity' | 'post'; id: number; ownerId: number };

const kMaxText = 5000;

interface CommentsSheetProps {
    open: boolean;
    target: CommentTarget;
    onCancel: () => void;
    /** The count moved (a comment added or deleted), for the card behind. */
    onCount?: (delta: number) => void;
}

export function CommentsSheet({ open, target, onCancel, onCount }: CommentsSheetProps) {
    return (
        <Sheet open={open} title="Comments" onCancel={onCancel} testId="comments-sheet" initialFocus="textarea">
            {open ? <Comments target={target} {...(onCount ? { onCount } : {})} /> : null}
            <Button variant="ghost" block onClick={onCancel}>
                Close
            </Button>
        </Sheet>
    );
}

function Comments({ target, onCount }: { target: CommentTarget; onCount?: (delta: number) => void }) {
    const list = usePagedList(
        async (cursor, signal) => {
            const query = cursor ? { cursor } : {};
            const page = target.kind === 'activity' ? await feed.listActivityComments(target.id, query, { signal }) : await feed.listPostComments(target.id, query, { signal });
            return { items: page.comments, next: page.next_cursor };
        },
        (comment: Comment) => comment.id,
        [target.kind, target.id],
    );
    // What happened here since the pages were read: new comments, edits and deletions.
    const [added, setAdded] = useState<Comment[]>([]);
    const [edited, setEdited] = useState<Map<number, Comment>>(new Map());
    const [removed, setRemoved] = useState<Set<number>>(new Set());
    const [replyTo, setReplyTo] = useState<Comment | null>(null);
    const [text, setText] = useState('');
    const form = useRef<HTMLFormElement>(null);

    const shown = useMemo(() => {
        const loaded = list.items ?? [];
        const known = new Set(loaded.map((c) => c.id));
        const all = [...loaded, ...added.filter((c) => !known.has(c.id))];
        return all.filter((c) => !removed.has(c.id) && !(c.reply_to !== null && removed.has(c.reply_to))).map((c) => edited.get(c.id) ?? c);
    }, [list.items, added, edited, removed]);
    usePeople(shown.map((c) => c.author_id));

    const send = useSubmit(
        async () => {
            const body = text.trim();
            assertValid(body === '' ? { text: 'Write a comment first.' } : body.length > kMaxText ? { text: `Keep it to ${kMaxText} characters.` } : {});
            const input = replyTo ? { text: body, reply_to: replyTo.id } : { text: body };
            const comment = target.kind === 'activity' ? await feed.commentOnActivity(target.id, input) : await feed.commentOnPost(target.id, input);
            setAdded((list) => [...list, comment]);
            setText('');
            setReplyTo(null);
            onCount?.(1);
        },
        { problemOf: withRetryHint },
    );

    const remove = async (comment: Comment) => {
        const confirmed = await confirmAction({ title: 'Delete this comment?', message: 'It goes for everyone, with its replies.', confirmLabel: 'Delete comment' });
        if (!confirmed) {
            return;
        }
        try {
            await feed.deleteComment(comment.id);
            const replies = shown.filter((c) => c.reply_to === comment.id).length;
            setRemoved((set) => new Set(set).add(comment.id));
            onCount?.(-1 - replies);
        } catch (error) {
            showToast(withRetryHint(error).detail ?? 'The comment was not deleted', 'error');
        }
    };

    const myId = me.value?.id;
    return (
        <div class="comments">
            {list.items === null ? (
                list.problem ? (
                    <ProblemView problem={list.problem} />
                ) : (
                    <Spinner label="Loading comments" />
                )
            ) : (
                <>
                    {shown.length === 0 ? <p class="social-empty">No comments yet. Say something nice.</p> : null}
                    <ul class="comments__list" aria-label="Comments" data-testid="comment-list">
                        {threadComments(shown).map(({ comment, reply }) => (
                            <CommentRow
                                key={comment.id}
                                comment={comment}
                                reply={reply}
                                mine={comment.author_id === myId}
                                canDelete={comment.author_id === myId || target.ownerId === myId}
                                onReply={() => {
                                    setReplyTo(comment);
                                    form.current?.querySelector('textarea')?.focus();
                                }}
                                onEdited={(c) => setEdited((map) => new Map(map).set(c.id, c))}
                                onDelete={() => void remove(comment)}
                            />
                        ))}
                    </ul>
                    <ProblemView problem={list.problem} />
                    {list.hasMore ? (
                        <Button variant="secondary" block busy={list.loading} onClick={list.more} data-testid="comments-more">
                            Load more comments
                        </Button>
                    ) : null}
                </>
            )}
            <form ref={form} class="comments__composer" noValidate onSubmit={send.onSubmit} data-testid="comment-form">
                {replyTo ? (
                    <p class="comments__replying">
                        Replying to <PersonLink id={replyTo.author_id} />{' '}
                        <Button variant="ghost" onClick={() => setReplyTo(null)}>
                            Cancel reply
                        </Button>
                    </p>
                ) : null}
                <TextAreaField label={replyTo ? 'Your reply' : 'Add a comment'} name="text" value={text} onValue={setText} maxLength={kMaxText} rows={2} error={send.errors.text} required />
                <ProblemView problem={send.problem} fields={['text']} />
                <Button type="submit" busy={send.busy} data-testid="comment-send">
                    {replyTo ? 'Reply' : 'Comment'}
                </Button>
            </form>
        </div>
    );
}

interface CommentRowProps {
    comment: Comment;
    reply: boolean;
    mine: boolean;
    canDelete: boolean;
    onReply: () => void;
    onEdited: (comment: Comment) => void;
    onDelete: () => void;
}

function CommentRow({ comment, reply, mine, canDelete, onReply, onEdited, onDelete }: CommentRowProps) {
    const [like, tapLike] = useToggle({ count: comment.like_count, mine: comment.liked_by_me }, async (want) => {
        const tally = want ? await feed.giveCommentLike(comment.id) : await feed.takeCommentLike(comment.id);
        return { count: tally.like_count, mine: tally.liked_by_me };
    });
    const [editing, setEditing] = useState<string | null>(null);
    const [reporting, setReporting] = useState(false);
    const save = useSubmit(
        async () => {
            const body = (editing ?? '').trim();
            assertValid(body === '' ? { text: 'A comment cannot be empty; delete it instead.' } : {});
            onEdited(await feed.patchComment(comment.id, { text: body }));
            setEditing(null);
        },
        { problemOf: withRetryHint },
    );
    return (
        <li class={reply ? 'comment comment--reply' : 'comment'} data-testid={`comment-${comment.id}`}>
            <div class="comment__head">
                <PersonLink id={comment.author_id} />
                <time class="comment__time" dateTime={comment.created_at}>
                    {timeAgo(comment.created_at)}
                </time>
                {comment.updated_at !== comment.created_at ? <span class="comment__time">(edited)</span> : null}
            </div>
            {editing === null ? (
                <RichText text={comment.text} mentions={comment.mentions} />
            ) : (
                <form noValidate onSubmit={save.onSubmit} class="comment__edit">
                    <TextAreaField label="Edit comment" name="text" value={editing} onValue={setEditing} maxLength={kMaxText} rows={2} error={save.errors.text} required />
                    <ProblemView problem={save.problem} fields={['text']} />
                    <div class="button-row">
                        <Button type="submit" busy={save.busy}>
                            Save
                        </Button>
                        <Button variant="ghost" onClick={() => setEditing(null)}>
                            Cancel
                        </Button>
                    </div>
                </form>
            )}
            <div class="comment__actions">
                <ToggleButton state={like} onTap={tapLike} label={like.mine ? 'Unlike comment' : 'Like comment'} icon={<HeartIcon size={18} />} testId="comment-like" />
                <span class="comment__count" aria-label={`${like.count} likes`}>
                    {like.count}
                </span>
                {reply ? null : (
                    <Button variant="ghost" onClick={onReply}>
                        Reply
                    </Button>
                )}
                {mine && editing === null ? (
                    <Button variant="ghost" onClick={() => setEditing(comment.text)}>
                        Edit
                    </Button>
                ) : null}
                {canDelete ? (
                    <Button variant="ghost" onClick={onDelete}>
                        Delete
                    </Button>
                ) : null}
                {mine ? null : (
                    <Button variant="ghost" onClick={() => setReporting(true)} data-testid="comment-report">
                        Report
                    </Button>
                )}
            </div>
            {mine ? null : <ReportSheet open={reporting} kind="comment" id={comment.id} onClose={() => setReporting(false)} />}
        </li>
    );
}
