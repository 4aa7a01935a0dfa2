// Follow requests waiting for the signed-in user (when their profile approves followers).
import { useState } from 'preact/hooks';
import { social, type UserList } from '../api';
import { useLoad } from '../hooks/load';
import { useSubmit } from '../hooks/submit';
import { href } from '../router/location';
import { Avatar, Button, EmptyState, ListGroup, ListRow, ProblemView, Screen, Spinner, showToast } from '../ui';
import { YouIcon } from '../ui/icons';

type Requester = UserList['users'][number];

export function FollowRequests() {
    const list = useLoad(async (signal) => (await social.listFollowRequests(undefined, { signal })).users, []);
    const [pending, setPending] = useState<number | null>(null);

    const answering = useSubmit(async ({ user, accept }: { user: Requester; accept: boolean }) => {
        setPending(user.id);
        try {
            await (accept ? social.acceptFollowRequest(user.id) : social.declineFollowRequest(user.id));
        } finally {
            setPending(null);
        }
        list.update((users) => users.filter((u) => u.id !== user.id));
        showToast(accept ? `${user.display_name} now follows you` : 'Request declined', 'success');
    });

    const users = list.data;
    return (
        <Screen backHref={href('you')}>
            <ProblemView problem={list.problem ?? answering.problem} />
            {users === null && !list.problem ? <Spinner label="Loading follow requests" /> : null}
            {users && users.length === 0 ? <EmptyState icon={<YouIcon size={40} />} title="No follow requests">When your profile approves followers, requests wait here.</EmptyState> : null}
            {users && users.length > 0 ? (
                <ListGroup heading={`${users.length} ${users.length === 1 ? 'request' : 'requests'}`}>
                    {users.map((user) => (
                        <ListRow
                            key={user.id}
                            testId={`request-${user.id}`}
                            leading={<Avatar name={user.display_name} size={40} />}
                            title={user.display_name}
                            {...(user.username ? { subtitle: `@${user.username}` } : {})}
                            trailing={
                                <>
                                    <Button variant="primary" busy={pending === user.id} onClick={() => void answering.run({ user, accept: true })}>
                                        Accept
                                    </Button>
                                    <Button variant="ghost" disabled={pending === user.id} onClick={() => void answering.run({ user, accept: false })}>
                                        Decline
                                    </Button>
                                </>
                            }
                        />
                    ))}
                </ListGroup>
            ) : null}
        </Screen>
    );
}
