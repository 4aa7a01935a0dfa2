// Password change and account deletion.
import { useState } from 'preact/hooks';
import { api, type Problem } from '../api/client';
import { hrefFor, navigate } from '../router';
import { endLocalSession, me } from '../state/session';
import { Button, ProblemView, Screen, TextField, fieldErrors, showToast, toProblem } from '../ui';

function ChangePassword() {
    const [current, setCurrent] = useState('');
    const [next, setNext] = useState('');
    const [problem, setProblem] = useState<Problem | null>(null);
    const [busy, setBusy] = useState(false);
    const errors = fieldErrors(problem);

    async function submit(event: Event) {
        event.preventDefault();
        setBusy(true);
        setProblem(null);
        try {
            await api.changePassword({ current_password: current, new_password: next });
            setCurrent('');
            setNext('');
            showToast('Password changed. Other devices were signed out.', 'success');
        } catch (error) {
            setProblem(toProblem(error));
        } finally {
            setBusy(false);
        }
    }

    return (
        <form class="form form-section" onSubmit={submit} noValidate aria-label="Change password">
            <h2 class="form-section__title">Change password</h2>
            <ProblemView problem={problem} fields={['current_password', 'new_password']} />
            {/* Lets password managers tie the new password to this account. */}
            <input type="text" name="username" autoComplete="username" value={me.value?.email ?? ''} hidden readOnly />
            <TextField label="Current password" name="current_password" type="password" autoComplete="current-password" value={current} onValue={setCurrent} error={errors.current_password} />
            <TextField label="New password" name="new_password" type="password" autoComplete="new-password" value={next} onValue={setNext} error={errors.new_password} hint="At least 10 characters. Avoid common passwords." />
            <Button type="submit" busy={busy}>
                Change password
            </Button>
        </form>
    );
}

function DeleteAccount() {
    const [password, setPassword] = useState('');
    const [problem, setProblem] = useState<Problem | null>(null);
    const [busy, setBusy] = useState(false);
    const errors = fieldErrors(problem);

    async function submit(event: Event) {
        event.preventDefault();
        if (!confirm('Delete your account and all its data? This cannot be undone.')) {
            return;
        }
        setBusy(true);
        setProblem(null);
        try {
            await api.deleteMe(password);
            endLocalSession();
            showToast('Your account was deleted.');
            navigate('signup', { replace: true });
        } catch (error) {
            setProblem(toProblem(error));
            setBusy(false);
        }
    }

    return (
        <form class="form form-section danger-zone" onSubmit={submit} noValidate aria-label="Delete account">
            <h2 class="form-section__title">Delete account</h2>
            <p class="muted">Erases your profile, workouts, messages and media from this server. This cannot be undone.</p>
            <ProblemView problem={problem} fields={['password']} />
            <TextField label="Password" name="password" type="password" autoComplete="current-password" value={password} onValue={setPassword} error={errors.password} />
            <Button type="submit" variant="danger" busy={busy}>
                Delete my account
            </Button>
        </form>
    );
}

export function Account() {
    return (
        <Screen title="Password & account" backHref={hrefFor('you')}>
            <ChangePassword />
            <DeleteAccount />
        </Screen>
    );
}
