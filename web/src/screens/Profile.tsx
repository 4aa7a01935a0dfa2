// Another user's profile: who they are, follow / requested / following, and block in the overflow
// menu (a block hides each from the other, so the screen leaves for the feed after it).
import { useState } from 'preact/hooks';
import { accounts, social, type PublicProfile } from '../api';
import { useLoad } from '../hooks/load';
import { useSubmit } from '../hooks/submit';
import { href, navigate } from '../router/location';
import { Avatar, Button, ListGroup, ListRow, ProblemView, Screen, Sheet, Spinner, confirmAction, showToast } from '../ui';

type Following = PublicProfile['relationship']['following'];

export function followLabel(following: Following): string {
    return following === 'accepted' ? 'Following' : following === 'pending' ? 'Requested' : 'Follow';
}

/**
 * Follow / Requested / Following for one user: follows (or asks to) or unfollows, then reports the
 * new state and the change in the user's accepted followers. Used by the profile and people search.
 */
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

    const p = profile.data;
    return (
        <Screen backHref={href('feed')} {...(p ? { title: p.display_name } : {})}>
            <ProblemView problem={profile.problem ?? blocking.problem} />
            {p === null && !profile.problem ? <Spinner label="Loading profile" /> : null}
            {p ? (
                <>
                    <div class="profile-head" data-testid="profile">
                        <Avatar name={p.display_name} />
                        <p>{p.username ? `@${p.username}` : null}</p>
                        <p data-testid="follow-counts">
                            {p.follower_count} {p.follower_count === 1 ? 'follower' : 'followers'} · {p.following_count} following
                        </p>
                        {p.relationship.followed_by ? <p>Follows you</p> : null}
                    </div>
                    <FollowButton
                        block
                        userId={id}
                        following={p.relationship.following}
                        onChange={(state, delta) =>
                            profile.update((q) => ({ ...q, relationship: { ...q.relationship, following: state }, follower_count: q.follower_count + delta }))
                        }
                    />
                    <Button variant="ghost" block onClick={() => setMenuOpen(true)} aria-label="More actions" data-testid="profile-more">
                        More…
                    </Button>
                    <Sheet open={menuOpen} title={p.display_name} onCancel={() => setMenuOpen(false)} testId="profile-menu">
                        <ListGroup>
                            <ListRow title="Block" tone="danger" onClick={() => void blocking.run(p.display_name)} testId="block-user" />
                        </ListGroup>
                    </Sheet>
                </>
            ) : null}
        </Screen>
    );
}
