// Devices signed in to the account, with revoke.
import { useState } from 'preact/hooks';
import { accounts, type Session } from '../api';
import { useLoad } from '../hooks/load';
import { useSubmit } from '../hooks/submit';
import { href, navigate } from '../router/location';
import { endLocalSession } from '../state/session';
import { Badge, Button, ListGroup, ListRow, ProblemView, Screen, Spinner, confirmAction, showToast } from '../ui';
import { DeviceIcon } from '../ui/icons';
import { describeUserAgent, timeAgo } from './format';

export function Sessions() {
    const list = useLoad(async (signal) => (await accounts.listSessions({ signal })).sessions, []);
    const [pending, setPending] = useState<number | null>(null);

    const revoking = useSubmit(async (targets: Session[]) => {
        const current = targets.some((session) => session.current);
        const question = current
            ? { title: 'Sign out of this device?', message: 'You will need your password to sign in here again.', confirmLabel: 'Sign out' }
            : targets.length > 1
              ? { title: `Sign out ${targets.length} other sessions?`, message: 'Every other device signed in to your account is signed out and needs the password again.', confirmLabel: 'Sign out everywhere else' }
              : null;
        if (question && !(await confirmAction(question))) {
            return;
        }
        for (const session of targets) {
            setPending(session.id);
            try {
                await accounts.revokeSession(session.id);
            } finally {
                setPending(null);
            }
            if (session.current) {
                endLocalSession();
                navigate(href('login'), { replace: true });
                return;
            }
            list.update((sessions) => sessions.filter((s) => s.id !== session.id));
            showToast('Session signed out', 'success');
        }
    });

    const sessions = list.data;
    const others = sessions?.filter((s) => !s.current) ?? [];
    return (
        <Screen backHref={href('you')}>
            <ProblemView problem={list.problem ?? revoking.problem} />
            {sessions === null && !list.problem ? <Spinner label="Loading sessions" /> : null}
            {sessions ? (
                <ListGroup heading={`${sessions.length} active ${sessions.length === 1 ? 'session' : 'sessions'}`}>
                    {sessions.map((session) => (
                        <ListRow
                            key={session.id}
                            testId={`session-${session.id}`}
                            leading={<DeviceIcon />}
                            title={
                                <>
                                    {describeUserAgent(session.user_agent)} {session.current ? <Badge>This device</Badge> : null}
                                </>
                            }
                            subtitle={`Active ${timeAgo(session.last_used_at)} · signed in ${timeAgo(session.created_at)}`}
                            trailing={
                                <Button variant="ghost" busy={pending === session.id} onClick={() => void revoking.run([session])}>
                                    {session.current ? 'Sign out' : 'Revoke'}
                                </Button>
                            }
                        />
                    ))}
                </ListGroup>
            ) : null}
            {others.length > 1 ? (
                <Button variant="secondary" block onClick={() => void revoking.run(others)}>
                    Sign out all other sessions
                </Button>
            ) : null}
        </Screen>
    );
}
