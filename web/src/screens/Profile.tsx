// Another user's profile: who they are, follow / requested / following, their followers and
// following lists (sheets), their feed (activities and posts) below, and mute, block and report in
// the overflow menu, each in a sheet. A block hides each from the other, so the screen leaves
// for the feed after it; a profile that answers 404 offers Unblock when it is the caller's block.
import { useState } from 'preact/hooks';
import { accounts, feed, social, type Problem, type PublicProfile } from '../api';
import { useLoad } from '../hooks/load';
import { useSubmit } from '../hooks/submit';
import { href, navigate } from '../router/location';
import { PeopleSheet } from '../social/parts';
import { ReportSheet } from '../social/ReportSheet';
import { me } from '../state/session';
import { Avatar, Button, EmptyState, ListGroup, ListRow, ProblemView, Screen, Sheet, Spinner, confirmAction, showToast } from '../ui';
import { FeedIcon } from '../ui/icons';
import { FeedList } from './Feed';

type Following = PublicProfile['relationship']['following'];

export function followLabel(following: Following): string {
    return following === 'accepted' ? 'Following' : following === 'pending' ? 'Requested' : 'Follow';
}

/** A follow / requested / following toggle (the people screen uses it; the profile has its own with counts). */
export function FollowButton({ userId, following, onChange, block = false }: {
    userId: number;
    following: Following;
    onChange: (state: Following, followerDelta: number) => void;
    block?: boolean;
}) {
    const submit = useSubmit(async (current: Following) => {
        if (current === 'none') {
            const state = await social.followUser(userId);
            onChange(state.state, state.state === 'accepted' ? 1 : 0);
        } else {
            await social.unfollowUser(userId);
            onChange('none', current === 'accepted' ? -1 : 0);
        }
    });
    return (
        <>
            {submit.problem ? <ProblemView problem={submit.problem} /> : null}
            <Button
                block={block}
                variant={following === 'none' ? 'primary' : 'secondary'}
                busy={submit.busy}
                onClick={() => void submit.run(following)}
                data-testid="follow-button"
            >
                {followLabel(following)}
            </Button>
        </>
    );
}

export function Profile({ id }: { id: number }) {
    const profile = useLoad((signal) => accounts.getUser(id, { signal }), [id]);
    const [menuOpen, setMenuOpen] = useState(false);
    const [reporting, setReporting] = useState(false);
    const [people, setPeople] = useState<'followers' | 'following' | null>(null);

    const following = useSubmit(async (current: Following) => {
        if (current === 'none') {
            const state = await social.followUser(id);
            profile.update((p) => ({ ...p, relationship: { ...p.relationship, following: state.state }, follower_count: p.follower_count + (state.state === 'accepted' ? 1 : 0) }));
        } else {
            await social.unfollowUser(id);
            profile.update((p) => ({ ...p, relationship: { ...p.relationship, following: 'none' }, follower_count: p.follower_count - (current === 'accepted' ? 1 : 0) }));
        }
    });

    const blocking = useSubmit(async (name: string) => {
        setMenuOpen(false);
        const confirmed = await confirmAction({
            title: `Block ${name}?`,
            message: 'You stop following each other, and neither of you sees the other\'s profile or activities. You can unblock later.',
            confirmLabel: 'Block',
        });
        if (!confirmed) {
            return;
        }
        await social.blockUser(id);
        showToast(`${name} is blocked`, 'success');
        navigate(href('feed'), { replace: true });
    });

    const muting = useSubmit(async ({ name, muted }: { name: string; muted: boolean }) => {
        setMenuOpen(false);
        const confirmed = await confirmAction(
            muted
                ? { title: `Unmute ${name}?`, message: 'Their activities and posts come back to your feed.', confirmLabel: 'Unmute', danger: false }
                : { title: `Mute ${name}?`, message: 'Their activities and posts leave your feed. They are not told, and you still follow each other.', confirmLabel: 'Mute' },
        );
        if (!confirmed) {
            return;
        }
        await (muted ? social.unmuteUser(id) : social.muteUser(id));
        profile.update((p) => ({ ...p, relationship: { ...p.relationship, muted: !muted } }));
        showToast(muted ? `${name} is unmuted` : `${name} is muted`, 'success');
    });

    const p = profile.data;
    if (p === null && profile.problem?.status === 404) {
        return <Unblock id={id} problem={profile.problem} onUnblocked={profile.reload} />;
    }
    const self = me.value?.id === id;
    return (
        <Screen backHref={href('feed')} {...(p ? { title: p.display_name } : {})}>
            <ProblemView problem={profile.problem ?? following.problem ?? blocking.problem ?? muting.problem} />
            {p === null && !profile.problem ? <Spinner label="Loading profile" /> : null}
            {p ? (
                <>
                    <div class="profile-head" data-testid="profile">
                        <Avatar name={p.display_name} />
                        <h2 class="profile-head__name">{p.display_name}</h2>
                        {p.username || p.city ? <p class="muted">{[p.username ? `@${p.username}` : null, p.city].filter(Boolean).join(' · ')}</p> : null}
                        {p.bio ? <p>{p.bio}</p> : null}
                        <p data-testid="follow-counts">
                            <button type="button" class="profile-count" onClick={() => setPeople('followers')} data-testid="followers-open">
                                {p.follower_count} {p.follower_count === 1 ? 'follower' : 'followers'}
                            </button>
                            {' · '}
                            <button type="button" class="profile-count" onClick={() => setPeople('following')} data-testid="following-open">
                                {p.following_count} following
                            </button>
                        </p>
                        {p.relationship.followed_by ? <p>Follows you</p> : null}
                        {p.relationship.muted ? <p data-testid="muted-note">Muted: not in your feed</p> : null}
                    </div>
                    <PeopleSheet
                        open={people !== null}
                        title={people === 'following' ? `${p.display_name} follows` : `Followers of ${p.display_name}`}
                        empty={people === 'following' ? 'Not following anybody yet.' : 'No followers yet.'}
                        onCancel={() => setPeople(null)}
                        load={(cursor, signal) => (people === 'following' ? social.listFollowing(id, cursor ?? undefined, { signal }) : social.listFollowers(id, cursor ?? undefined, { signal }))}
                        testId="people-sheet"
                    />
                    {self ? null : (
                        <>
                            <div class="button-row">
                                <Button
                                    variant={p.relationship.following === 'none' ? 'primary' : 'secondary'}
                                    busy={following.busy}
                                    onClick={() => void following.run(p.relationship.following)}
                                    data-testid="follow-button"
                                >
                                    {followLabel(p.relationship.following)}
                                </Button>
                                <Button variant="ghost" onClick={() => setMenuOpen(true)} aria-label="More actions" data-testid="profile-more">
                                    More…
                                </Button>
                            </div>
                            <Sheet open={menuOpen} title={p.display_name} onCancel={() => setMenuOpen(false)} testId="profile-menu">
                                <ListGroup>
                                    <ListRow
                                        title={p.relationship.muted ? 'Unmute' : 'Mute'}
                                        subtitle={p.relationship.muted ? undefined : 'Hide them from your feed'}
                                        onClick={() => void muting.run({ name: p.display_name, muted: p.relationship.muted })}
                                        testId="mute-user"
                                    />
                                    <ListRow
                                        title="Report"
                                        onClick={() => {
                                            setMenuOpen(false);
                                            setReporting(true);
                                        }}
                                        testId="report-user"
                                    />
                                    <ListRow title="Block" tone="danger" onClick={() => void blocking.run(p.display_name)} testId="block-user" />
                                </ListGroup>
                            </Sheet>
                            <ReportSheet open={reporting} kind="user" id={id} onClose={() => setReporting(false)} />
                        </>
                    )}
                    <h2 class="profile-section">Activity</h2>
                    <FeedList
                        key={id}
                        read={(cursor, signal) => feed.profileFeed(id, cursor ? { limit: 20, cursor } : { limit: 20 }, { signal })}
                        empty={
                            <EmptyState icon={<FeedIcon size={40} />} title="Nothing to show yet">
                                {p.display_name}'s activities and posts appear here when they share them with you.
                            </EmptyState>
                        }
                        testId="profile-feed"
                    />
                </>
            ) : null}
        </Screen>
    );
}

/** A profile that answers 404: missing, hidden, or blocked by the caller (then Unblock is offered). */
function Unblock({ id, problem, onUnblocked }: { id: number; problem: Problem; onUnblocked: () => void }) {
    const blocks = useLoad(async (signal) => {
        // The caller's blocks, newest first; a few pages are plenty to find a recent one.
        let cursor: string | undefined;
        for (let page = 0; page < 5; page++) {
            const list = await social.listMyBlocks(cursor, { signal });
            const found = list.users.find((user) => user.id === id);
            if (found || list.next_cursor === null) {
                return found ?? null;
            }
            cursor = list.next_cursor;
        }
        return null;
    }, [id]);
    const unblock = useSubmit(async (name: string) => {
        const confirmed = await confirmAction({ title: `Unblock ${name}?`, message: 'You can see each other again. Follows the block removed do not come back.', confirmLabel: 'Unblock', danger: false });
        if (!confirmed) {
            return;
        }
        await social.unblockUser(id);
        showToast(`${name} is unblocked`, 'success');
        onUnblocked();
    });
    const blocked = blocks.data;
    return (
        <Screen backHref={href('feed')} {...(blocked ? { title: blocked.display_name } : {})}>
            {blocked ? (
                <div class="profile-head" data-testid="profile-blocked">
                    <Avatar name={blocked.display_name} />
                    <p>You blocked {blocked.display_name}. Neither of you sees the other.</p>
                    <ProblemView problem={unblock.problem} />
                    <Button block variant="secondary" busy={unblock.busy} onClick={() => void unblock.run(blocked.display_name)} data-testid="unblock-user">
                        Unblock
                    </Button>
                </div>
            ) : blocks.data === null && !blocks.problem && blocks.loading ? (
                <Spinner label="Loading profile" />
            ) : (
                <ProblemView problem={problem} />
            )}
        </Screen>
    );
}
