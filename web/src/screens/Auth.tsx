// Sign-up and log-in screens.
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ApiError, type Problem } from '../api/client';
import { hrefFor, navigate } from '../router';
import { logIn, signUp } from '../state/session';
import { Button, ProblemView, TextField, fieldErrors, showToast, toProblem } from '../ui';
import { newIdempotencyKey } from './format';

function AuthLayout({ title, tagline, children }: { title: string; tagline: string; children: ComponentChildren }) {
    return (
        <div class="app">
            <main class="auth">
                <div class="auth__brand">
                    <img class="auth__logo" src="/icons/icon-192.png" alt="" width={72} height={72} />
                    <h1 class="auth__title">{title}</h1>
                    <p class="auth__tagline">{tagline}</p>
                </div>
                {children}
            </main>
        </div>
    );
}

/** Adds the wait from Retry-After to a rate-limit problem. */
function withRetryHint(error: unknown): Problem {
    const problem = toProblem(error);
    if (error instanceof ApiError && error.retryAfterS !== null) {
        const wait = `Try again in ${error.retryAfterS} s.`;
        return { ...problem, detail: problem.detail ? `${problem.detail} ${wait}` : wait };
    }
    return problem;
}

export function Login() {
    const [email, setEmail] = useState('');
    const [password, setPassword] = useState('');
    const [problem, setProblem] = useState<Problem | null>(null);
    const [busy, setBusy] = useState(false);
    const errors = fieldErrors(problem);

    async function submit(event: Event) {
        event.preventDefault();
        setBusy(true);
        setProblem(null);
        try {
            await logIn({ email: email.trim(), password });
            navigate('feed', { replace: true });
        } catch (error) {
            setProblem(withRetryHint(error));
        } finally {
            setBusy(false);
        }
    }

    return (
        <AuthLayout title="Strava+1" tagline="Welcome back. Log in to keep moving.">
            <form class="form" onSubmit={submit} noValidate aria-label="Log in">
                <ProblemView problem={problem} fields={['email', 'password']} />
                <TextField label="Email" name="email" type="email" autoComplete="email" inputMode="email" autoCapitalize="none" spellcheck={false} value={email} onValue={setEmail} error={errors.email} />
                <TextField label="Password" name="password" type="password" autoComplete="current-password" value={password} onValue={setPassword} error={errors.password} />
                <Button type="submit" block busy={busy}>
                    Log in
                </Button>
            </form>
            <p class="auth__switch">
                New here? <a href={hrefFor('signup')}>Create an account</a>
            </p>
        </AuthLayout>
    );
}

export function Signup() {
    const [email, setEmail] = useState('');
    const [displayName, setDisplayName] = useState('');
    const [password, setPassword] = useState('');
    const [problem, setProblem] = useState<Problem | null>(null);
    const [busy, setBusy] = useState(false);
    // One key per distinct body: a retry of the same request replays, an edited one is new.
    const attempt = useRef<{ body: string; key: string } | null>(null);
    const errors = fieldErrors(problem);

    async function submit(event: Event) {
        event.preventDefault();
        const body = { email: email.trim(), password, display_name: displayName.trim() };
        const serialized = JSON.stringify(body);
        if (attempt.current?.body !== serialized) {
            attempt.current = { body: serialized, key: newIdempotencyKey() };
        }
        setBusy(true);
        setProblem(null);
        try {
            const user = await signUp(body, attempt.current.key);
            showToast(`Welcome, ${user.display_name}!`, 'success');
            navigate('feed', { replace: true });
        } catch (error) {
            setProblem(withRetryHint(error));
        } finally {
            setBusy(false);
        }
    }

    return (
        <AuthLayout title="Join Strava+1" tagline="Track workouts, share them with friends, and see your progress.">
            <form class="form" onSubmit={submit} noValidate aria-label="Sign up">
                <ProblemView problem={problem} fields={['email', 'password', 'display_name']} />
                <TextField label="Name" name="display_name" autoComplete="name" maxLength={80} value={displayName} onValue={setDisplayName} error={errors.display_name} hint="How others see you. You can change it later." />
                <TextField label="Email" name="email" type="email" autoComplete="email" inputMode="email" autoCapitalize="none" spellcheck={false} value={email} onValue={setEmail} error={errors.email} />
                <TextField label="Password" name="password" type="password" autoComplete="new-password" value={password} onValue={setPassword} error={errors.password} hint="At least 10 characters. Avoid common passwords." />
                <Button type="submit" block busy={busy}>
                    Create account
                </Button>
            </form>
            <p class="auth__switch">
                Already have an account? <a href={hrefFor('login')}>Log in</a>
            </p>
        </AuthLayout>
    );
}
