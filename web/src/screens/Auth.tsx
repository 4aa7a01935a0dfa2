// Sign-up and log-in screens.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, type Problem } from '../api';
import { assertValid, useIdempotencyKeys, useSubmit } from '../hooks/submit';
import { href, navigate } from '../router/location';
import { logIn, signUp } from '../state/session';
import { Button, ProblemView, TextField, showToast, toProblem } from '../ui';
import { newIdempotencyKey } from './format';
import { email as emailProblem, found, kPasswordMax, kPasswordMin, newPassword, required } from '../ui/checks';
import './Auth.css';

function AuthLayout({ title, tagline, children }: { title: string; tagline: string; children: ComponentChildren }) {
    return (
        <main class="auth">
            <div class="auth__brand">
                <img class="auth__logo" src="/icons/icon-192.png" alt="" width={72} height={72} />
                <h1 class="auth__title">{title}</h1>
                <p class="auth__tagline">{tagline}</p>
            </div>
            {children}
        </main>
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
    const form = useSubmit(
        async () => {
            assertValid(found({ email: emailProblem(email), password: required(password, 'Enter your password.') }));
            await logIn({ email: email.trim(), password });
            navigate(href('feed'), { replace: true });
        },
        { problemOf: withRetryHint },
    );
    const errors = form.errors;

    return (
        <AuthLayout title="Strava+1" tagline="Welcome back. Log in to keep moving.">
            <form class="form" onSubmit={form.onSubmit} noValidate aria-label="Log in">
                <ProblemView problem={form.problem} fields={['email', 'password']} />
                <TextField label="Email" name="email" type="email" autoComplete="email" inputMode="email" autoCapitalize="none" spellcheck={false} required value={email} onValue={setEmail} error={errors.email} />
                <TextField label="Password" name="password" type="password" autoComplete="current-password" required value={password} onValue={setPassword} error={errors.password} />
                <Button type="submit" block busy={form.busy}>
                    Log in
                </Button>
            </form>
            <p class="auth__switch">
                New here? <a href={href('signup')}>Create an account</a>
            </p>
        </AuthLayout>
    );
}

export function Signup() {
    const [email, setEmail] = useState('');
    const [displayName, setDisplayName] = useState('');
    const [password, setPassword] = useState('');
    const keyFor = useIdempotencyKeys(newIdempotencyKey);
    const form = useSubmit(
        async () => {
            assertValid(found({ display_name: required(displayName, 'Tell us your name.'), email: emailProblem(email), password: newPassword(password) }));
            const body = { email: email.trim(), password, display_name: displayName.trim() };
            const user = await signUp(body, keyFor(body));
            showToast(`Welcome, ${user.display_name}!`, 'success');
            navigate(href('feed'), { replace: true });
        },
        { problemOf: withRetryHint },
    );
    const errors = form.errors;

    return (
        <AuthLayout title="Join Strava+1" tagline="Track workouts, share them with friends, and see your progress.">
            <form class="form" onSubmit={form.onSubmit} noValidate aria-label="Sign up">
                <ProblemView problem={form.problem} fields={['email', 'password', 'display_name']} />
                <TextField label="Name" name="display_name" autoComplete="name" maxLength={80} required value={displayName} onValue={setDisplayName} error={errors.display_name} hint="How others see you. You can change it later." />
                <TextField label="Email" name="email" type="email" autoComplete="email" inputMode="email" autoCapitalize="none" spellcheck={false} required value={email} onValue={setEmail} error={errors.email} />
                <TextField label="Password" name="password" type="password" autoComplete="new-password" required minLength={kPasswordMin} maxLength={kPasswordMax} value={password} onValue={setPassword} error={errors.password} hint="At least 10 characters. Avoid common passwords." />
                <Button type="submit" block busy={form.busy}>
                    Create account
                </Button>
            </form>
            <p class="auth__switch">
                Already have an account? <a href={href('login')}>Log in</a>
            </p>
        </AuthLayout>
    );
}
