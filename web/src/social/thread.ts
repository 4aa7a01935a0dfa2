// Comments as the sheet lists them: one level of replies under their comment. Pure, for the tests.
import type { Comment } from '../api/feed';

/** Top-level comments in order, each followed by its replies; a reply whose comment is not loaded stands alone. */
export function threadComments<C extends Pick<Comment, 'id' | 'reply_to'>>(comments: readonly C[]): { comment: C; reply: boolean }[] {
    const ids = new Set(comments.map((c) => c.id));
    const replies = new Map<number, C[]>();
    for (const c of comments) {
        if (c.reply_to !== null && ids.has(c.reply_to)) {
            replies.set(c.reply_to, [...(replies.get(c.reply_to) ?? []), c]);
        }
    }
    const out: { comment: C; reply: boolean }[] = [];
    for (const c of comments) {
        if (c.reply_to !== null && ids.has(c.reply_to)) {
            continue;
        }
        out.push({ comment: c, reply: false });
        for (const r of replies.get(c.id) ?? []) {
            out.push({ comment: r, reply: true });
        }
    }
    return out;
}
