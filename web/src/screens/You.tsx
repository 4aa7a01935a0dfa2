// The "You" tab: the profile at a glance and the way into settings.
import { href, navigate } from '../router/location';
import { authStatus, logOut, me, startSession } from '../state/session';
import { Avatar, Button, EmptyState, ListGroup, ListRow, Screen } from '../ui';
import { OfflineIcon } from '../ui/icons';
import { formatHeight, formatWeight } from '../units';
import './You.css';

function regionName(code: string | null): string | null {
    if (!code) {
        return null;
    }
    try {
        return new Intl.DisplayNames(undefined, { type: 'region' }).of(code) ?? code;
    } catch {
        return code;
    }
}

export function You() {
    const user = me.value;
    if (!user) {
        return (
            <Screen title="You">
                <EmptyState
                    icon={<OfflineIcon size={40} />}
                    title={authStatus.value === 'offline' ? "You're offline" : 'Loading your profile'}
                    action={<Button onClick={() => void startSession()}>Try again</Button>}
                >
                    Your profile loads once the server can be reached.
                </EmptyState>
            </Screen>
        );
    }
    const place = [user.city, regionName(user.country)].filter(Boolean).join(', ');

    async function signOut() {
        await logOut();
        navigate(href('login'), { replace: true });
    }

    return (
        <Screen title="You">
            <section class="profile-card" aria-label="Profile">
                <Avatar name={user.display_name} size={84} />
                <h2 class="profile-card__name" data-testid="profile-name">
                    {user.display_name}
                </h2>
                <p class="profile-card__meta">
                    {user.username ? `@${user.username}` : user.email}
                    {place ? ` · ${place}` : ''}
                </p>
                {user.bio ? <p class="profile-card__bio">{user.bio}</p> : null}
                <div class="stats">
                    <div>
                        <span class="stat__value" data-testid="profile-weight">
                            {formatWeight(user.weight_kg, user.units)}
                        </span>
                        <span class="stat__label">Weight</span>
                    </div>
                    <div>
                        <span class="stat__value" data-testid="profile-height">
                            {formatHeight(user.height_cm, user.units)}
                        </span>
                        <span class="stat__label">Height</span>
                    </div>
                    <div>
                        <span class="stat__value">{user.ftp_w === null ? '—' : `${user.ftp_w} W`}</span>
                        <span class="stat__label">FTP</span>
                    </div>
                </div>
            </section>

            <ListGroup heading="Workouts">
                <ListRow title="Activities" subtitle="Everything you recorded, uploaded or logged" href={href('activities')} testId="activities" />
                <ListRow title="Upload files" subtitle="GPX, TCX or FIT from a watch or another app" href={href('upload')} testId="upload" />
                <ListRow title="Log a manual activity" subtitle="A workout without GPS" href={href('activities/new')} />
            </ListGroup>

            <ListGroup heading="Settings">
                <ListRow title="Edit profile" subtitle="Name, body, units, privacy" href={href('you/edit')} testId="edit-profile" />
                <ListRow title="Sessions" subtitle="Devices signed in to your account" href={href('you/sessions')} testId="sessions" />
                <ListRow title="Password & account" subtitle="Change password, delete account" href={href('you/account')} />
            </ListGroup>

            <ListGroup heading="About">
                <ListRow title="API documentation" href="/docs" />
            </ListGroup>

            <ListGroup>
                <ListRow title="Sign out" tone="danger" onClick={() => void signOut()} testId="sign-out" />
            </ListGroup>
        </Screen>
    );
}

