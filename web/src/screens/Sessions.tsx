// Devices signed in to the account, with revoke.
import { useEffect, useState } from 'preact/hooks';
import { api, type Problem, type Session } from '../api/client';
import { hrefFor, navigate } from '../router';
import { endLocalSession } from '../state/session';
import { Button, ListGroup, ListRow, ProblemView, Screen, Spinner, showToast, toProblem } from '../ui';
import { DeviceIcon } from '../ui/icons';
import { describeUserAgent, timeAgo } from './format';

export function Sessions() {
    const [sessions, setSessions] = useState<Session[] | null>(null);
    const [problem, setProblem] = useState<Problem | null>(null);
    const [pending, setPending] = useState<number | null>(null);

    async function load() {
        setProblem(null);
        try {
            setSessions((await api.listSessions()).sessions);
        } catch (error) {
            setProblem(toProblem(error));
        }
    }

    useEffect(() => {
        void load();
    }, []);

    async function revoke(session: Session) {
        if (session.current && !confirm('Sign out of this device?')) {
            return;
        }
        setPending(session.id);
        try {
            await api.revokeSession(session.id);
            if (session.current) {
                endLocalSession();
                navigate('login', { replace: true });
                return;
            }
            setSessions((list) => list?.filter((s) => s.id !== session.id) ?? null);
            showToast('Session signed out', 'success');
        } catch (error) {
            setProblem(toProblem(error));
        } finally {
            setPending(null);
        }
    }

    const others = sessions?.filter((s) => !s.current) ?? [];

    async function revokeOthers() {
        for (const session of others) {
            await revoke(session);
        }
    }

    return (
        <Screen title="Sessions" backHref={hrefFor('you')}>
            <ProblemView problem={problem} />
            {sessions === null && !problem ? <Spinner label="Loading sessions" /> : null}
            {sessions ? (
                <ListGroup heading={`${sessions.length} active ${sessions.length === 1 ? 'session' : 'sessions'}`}>
                    {sessions.map((session) => (
                        <ListRow
                            key={session.id}
                            testId={`session-${session.id}`}
                            leading={<DeviceIcon />}
                            title={
                                <>
                                    {describeUserAgent(session.user_agent)} {session.current ? <span class="badge">This device</span> : null}
                                </>
                            }
                            subtitle={`Active ${timeAgo(session.last_used_at)} · signed in ${timeAgo(session.created_at)}`}
                            trailing={
                                <Button variant="ghost" busy={pending === session.id} onClick={() => void revoke(session)}>
                                    {session.current ? 'Sign out' : 'Revoke'}
                                </Button>
                            }
                        />
                    ))}
                </ListGroup>
            ) : null}
            {others.length > 1 ? (
                <Button variant="secondary" block onClick={() => void revokeOthers()}>
                    Sign out all other sessions
                </Button>
            ) : null}
        </Screen>
    );
}
