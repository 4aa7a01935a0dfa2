// Password change and account deletion.
import { useState } from 'preact/hooks';
import { accounts } from '../api';
import { assertValid, useSubmit } from '../hooks/submit';
import { href, navigate } from '../router/location';
import { endLocalSession, me } from '../state/session';
import { Button, ProblemView, Screen, TextField, confirmAction, showToast } from '../ui';
import { found, kPasswordMax, kPasswordMin, newPassword, required } from '../ui/checks';
import './Account.css';

function ChangePassword() {
    const [current, setCurrent] = useState('');
    const [next, setNext] = useState('');
    const form = useSubmit(async () => {
        assertValid(found({ current_password: required(current, 'Enter your current password.'), new_password: newPassword(next) }));
        await accounts.changePassword({ current_password: current, new_password: next });
        setCurrent('');
        setNext('');
        showToast('Password changed. Other devices were signed out.', 'success');
    });
    const errors = form.errors;

    return (
        <form class="form form-section" onSubmit={form.onSubmit} noValidate aria-label="Change password">
            <h2 class="form-section__title">Change password</h2>
            <ProblemView problem={form.problem} fields={['current_password', 'new_password']} />
            {/* Lets password managers tie the new password to this account. */}
            <input type="text" name="username" autoComplete="username" value={me.value?.email ?? ''} hidden readOnly />
            <TextField label="Current password" name="current_password" type="password" autoComplete="current-password" required value={current} onValue={setCurrent} error={errors.current_password} />
            <TextField label="New password" name="new_password" type="password" autoComplete="new-password" required minLength={kPasswordMin} maxLength={kPasswordMax} value={next} onValue={setNext} error={errors.new_password} hint="At least 10 characters. Avoid common passwords." />
            <Button type="submit" busy={form.busy}>
                Change password
            </Button>
        </form>
    );
}

function DeleteAccount() {
    const [password, setPassword] = useState('');
    const checked = () => found({ password: required(password, 'Enter your password to confirm.') });
    const form = useSubmit(async () => {
        assertValid(checked());
        await accounts.deleteMe(password);
        endLocalSession();
        showToast('Your account was deleted.');
        navigate(href('signup'), { replace: true });
    });
    const errors = form.errors;

    return (
        <form
            class="form form-section danger-zone"
            onSubmit={(event) => {
                event.preventDefault();
                const within = event.currentTarget;
                // A missing password is said at once, not after the confirm sheet.
                if (Object.keys(checked()).length > 0) {
                    void form.run(undefined, within);
                    return;
                }
                void confirmAction({
                    title: 'Delete your account?',
                    message: 'Your profile, workouts, messages and media are erased from this server. This cannot be undone.',
                    confirmLabel: 'Delete account',
                }).then((confirmed) => {
                    if (confirmed) {
                        void form.run(undefined, within);
                    }
                });
            }}
            noValidate
            aria-label="Delete account"
        >
            <h2 class="form-section__title">Delete account</h2>
            <p class="muted">Erases your profile, workouts, messages and media from this server. This cannot be undone.</p>
            <ProblemView problem={form.problem} fields={['password']} />
            <TextField label="Password" name="password" type="password" autoComplete="current-password" required value={password} onValue={setPassword} error={errors.password} />
            <Button type="submit" variant="danger" busy={form.busy}>
                Delete my account
            </Button>
        </form>
    );
}

export function Account() {
    return (
        <Screen backHref={href('you')}>
            <ChangePassword />
            <DeleteAccount />
        </Screen>
    );
}
