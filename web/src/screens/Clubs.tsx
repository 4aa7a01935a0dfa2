// Clubs: the caller's clubs and a search, a form to create one, and a club's page (its card, join or
// leave, then for members: the club's posts with a composer, upcoming events with RSVP, the week's
// leaderboard, the members).
import { useState } from 'preact/hooks';
import { feed, groups, type Club, type ClubEvent, type FeedItem, type Sport } from '../api';
import { useLoad } from '../hooks/load';
import { assertValid, useIdempotencyKeys, useSubmit } from '../hooks/submit';
import { href, navigate } from '../router/location';
import { me } from '../state/session';
import { Badge, Button, LinkButton, ListGroup, ListRow, ProblemView, Screen, SelectField, Spinner, Table, TextAreaField, TextField, showToast } from '../ui';
import { kChoosableSports, sportLabel } from '../sports';
import { formatDistance } from '../units';
import { formatDurationShort, newIdempotencyKey } from './format';
import { ClubChallenges } from './Challenges';
import { Composer, FeedList } from './Feed';
import './Clubs.css';

function clubSubtitle(club: Club): string {
    const members = `${club.member_count} ${club.member_count === 1 ? 'member' : 'members'}`;
    return [sportLabel(club.sport), club.city, club.privacy === 'private' ? 'Private' : null, members].filter(Boolean).join(' · ');
}

function ClubRows({ clubs, heading, testId }: { clubs: readonly Club[]; heading: string; testId: string }) {
    return (
        <ListGroup heading={heading}>
            {clubs.map((club) => (
                <ListRow key={club.id} title={club.name} subtitle={clubSubtitle(club)} href={href('club/:id', { id: club.id })} testId={`${testId}-${club.id}`} />
            ))}
        </ListGroup>
    );
}

export function Clubs() {
    const mine = useLoad(async (signal) => (await groups.listClubs({ mine: true, limit: 100 }, { signal })).clubs, []);
    const [query, setQuery] = useState('');
    const [searched, setSearched] = useState<readonly Club[] | null>(null);
    const search = useSubmit(async () => {
        setSearched(query.trim() ? (await groups.listClubs({ q: query.trim(), limit: 30 })).clubs : null);
    });
    return (
        <Screen backHref={href('you')} action={<LinkButton href={href('clubs/new')}>New club</LinkButton>}>
            <ProblemView problem={mine.problem ?? search.problem} />
            <form class="form clubs-search" role="search" onSubmit={search.onSubmit} noValidate>
                <TextField label="Find a club" name="q" value={query} onValue={setQuery} hint="The start of its name" />
                <Button type="submit" variant="secondary" busy={search.busy}>
                    Search
                </Button>
            </form>
            {searched ? (searched.length ? <ClubRows clubs={searched} heading="Found" testId="found-club" /> : <p class="muted">No club starts with that name.</p>) : null}
            {mine.data === null && !mine.problem ? <Spinner label="Loading your clubs" /> : null}
            {mine.data ? (mine.data.length ? <ClubRows clubs={mine.data} heading="Your clubs" testId="my-club" /> : <p class="muted">You are in no club yet.</p>) : null}
        </Screen>
    );
}

export function NewClub() {
    const [name, setName] = useState('');
    const [description, setDescription] = useState('');
    const [sport, setSport] = useState<Sport>('run');
    const [city, setCity] = useState('');
    const [privacy, setPrivacy] = useState<'public' | 'private'>('public');
    const keyFor = useIdempotencyKeys(newIdempotencyKey);
    const form = useSubmit(async () => {
        assertValid(name.trim() ? {} : { name: 'Give the club a name.' });
        const body = { name: name.trim(), description, sport, city, privacy };
        const club = await groups.createClub(body, keyFor(body));
        showToast('Club created', 'success');
        navigate(href('club/:id', { id: club.id }), { replace: true });
    });
    const errors = form.errors;
    return (
        <Screen backHref={href('clubs')}>
            <form class="form" onSubmit={form.onSubmit} noValidate aria-label="New club">
                <ProblemView problem={form.problem} fields={['name', 'description', 'sport', 'city', 'privacy']} />
                <TextField label="Name" name="name" value={name} onValue={setName} error={errors.name} maxLength={100} />
                <TextAreaField label="Description" name="description" value={description} onValue={setDescription} error={errors.description} maxLength={2000} />
                <SelectField label="Sport" name="sport" value={sport} onValue={(v) => setSport(v as Sport)} error={errors.sport} options={kChoosableSports.map((s) => ({ value: s, label: sportLabel(s) }))} />
                <TextField label="City" name="city" value={city} onValue={setCity} error={errors.city} maxLength={100} />
                <SelectField
                    label="Who may join"
                    name="privacy"
                    value={privacy}
                    onValue={(v) => setPrivacy(v as 'public' | 'private')}
                    error={errors.privacy}
                    options={[
                        { value: 'public', label: 'Anyone (public)' },
                        { value: 'private', label: 'Those an admin accepts (private)' },
                    ]}
                />
                <Button type="submit" busy={form.busy}>
                    Create club
                </Button>
            </form>
        </Screen>
    );
}

function when(event: ClubEvent): string {
    const start = new Date(event.starts_at);
    return start.toLocaleString(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function Events({ club, runs }: { club: Club; runs: boolean }) {
    const events = useLoad(async (signal) => (await groups.listClubEvents(club.id, { signal })).events, [club.id]);
    const [title, setTitle] = useState('');
    const [startsAt, setStartsAt] = useState('');
    const [place, setPlace] = useState('');
    const keyFor = useIdempotencyKeys(newIdempotencyKey);
    const creating = useSubmit(async () => {
        const start = Date.parse(startsAt);
        assertValid({ ...(title.trim() ? {} : { title: 'Give the event a title.' }), ...(Number.isNaN(start) ? { starts_at: 'Pick when it starts.' } : {}) });
        const body = { title: title.trim(), starts_at: new Date(start).toISOString(), ends_at: new Date(start + 3_600_000).toISOString(), place };
        const made = await groups.createClubEvent(club.id, body, keyFor(body));
        events.update((list) => [...list, made].sort((a, b) => a.starts_at.localeCompare(b.starts_at)));
        setTitle('');
        setPlace('');
        showToast('Event created', 'success');
    });
    const answering = useSubmit(async ({ event, answer }: { event: ClubEvent; answer: 'going' | 'maybe' | null }) => {
        if (answer) {
            const saved = await groups.rsvpClubEvent(club.id, event.id, answer);
            events.update((list) => list.map((e) => (e.id === saved.id ? saved : e)));
        } else {
            await groups.unrsvpClubEvent(club.id, event.id);
            const going = event.going_count - (event.my_rsvp === 'going' ? 1 : 0);
            const maybe = event.maybe_count - (event.my_rsvp === 'maybe' ? 1 : 0);
            events.update((list) => list.map((e) => (e.id === event.id ? { ...e, my_rsvp: null, going_count: going, maybe_count: maybe } : e)));
        }
    });
    return (
        <section aria-label="Events" class="club-section">
            <h2 class="form-section__title">Upcoming events</h2>
            <ProblemView problem={events.problem ?? answering.problem} />
            {events.data?.length === 0 ? <p class="muted">No event planned.</p> : null}
            <ul class="club-events">
                {events.data?.map((event) => (
                    <li key={event.id} class="club-event" data-testid={`event-${event.id}`}>
                        <div>
                            <strong>{event.title}</strong>
                            <p class="muted">
                                {when(event)}
                                {event.place ? ` · ${event.place}` : ''} · {event.going_count} going
                                {event.maybe_count ? `, ${event.maybe_count} maybe` : ''}
                            </p>
                        </div>
                        <div class="club-event__answers">
                            {(['going', 'maybe'] as const).map((answer) => (
                                <Button
                                    key={answer}
                                    variant={event.my_rsvp === answer ? 'primary' : 'secondary'}
                                    aria-pressed={event.my_rsvp === answer}
                                    onClick={() => void answering.run({ event, answer: event.my_rsvp === answer ? null : answer })}
                                    data-testid={`rsvp-${answer}-${event.id}`}
                                >
                                    {answer === 'going' ? 'Going' : 'Maybe'}
                                </Button>
                            ))}
                        </div>
                    </li>
                ))}
            </ul>
            {runs ? (
                <form class="form form-section" onSubmit={creating.onSubmit} noValidate aria-label="New event">
                    <h3 class="form-section__title">New event</h3>
                    <ProblemView problem={creating.problem} fields={['title', 'starts_at', 'ends_at', 'place']} />
                    <TextField label="Title" name="title" value={title} onValue={setTitle} error={creating.errors.title} maxLength={200} />
                    <TextField label="Starts" name="starts_at" type="datetime-local" value={startsAt} onValue={setStartsAt} error={creating.errors.starts_at} hint="It lasts an hour" />
                    <TextField label="Place" name="place" value={place} onValue={setPlace} error={creating.errors.place} maxLength={200} />
                    <Button type="submit" variant="secondary" busy={creating.busy}>
                        Create event
                    </Button>
                </form>
            ) : null}
        </section>
    );
}

function Leaderboard({ club }: { club: Club }) {
    const units = me.value?.units ?? 'metric';
    const board = useLoad(async (signal) => groups.getClubLeaderboard(club.id, { sport: club.sport }, { signal }), [club.id]);
    return (
        <section aria-label="Leaderboard" class="club-section">
            <h2 class="form-section__title">This week · {sportLabel(club.sport)}</h2>
            <ProblemView problem={board.problem} />
            {board.data && board.data.entries.length === 0 ? <p class="muted">Nobody has logged one yet this week.</p> : null}
            {board.data && board.data.entries.length > 0 ? (
                <Table
                    caption="Leaderboard"
                    testId="leaderboard"
                    head={
                        <tr>
                            <th scope="col">#</th>
                            <th scope="col">Athlete</th>
                            <th scope="col">Distance</th>
                            <th scope="col">Time</th>
                            <th scope="col">Elevation</th>
                        </tr>
                    }
                >
                    {board.data.entries.map((entry) => (
                        <tr key={entry.user_id}>
                            <td>{entry.rank}</td>
                            <td>{entry.display_name}</td>
                            <td>{formatDistance(entry.distance_m, units)}</td>
                            <td>{formatDurationShort(entry.moving_s)}</td>
                            <td>{Math.round(entry.elevation_gain_m)} m</td>
                        </tr>
                    ))}
                </Table>
            ) : null}
        </section>
    );
}

/** The club's posts, newest first, and a composer: members write, the owner and admins also delete. */
function Posts({ club, runs }: { club: Club; runs: boolean }) {
    const [composing, setComposing] = useState(false);
    const [added, setAdded] = useState<FeedItem[]>([]);
    const self = me.value;
    return (
        <section aria-label="Posts" class="club-section" data-testid="club-posts">
            <div class="club-section__head">
                <h2 class="form-section__title">Posts</h2>
                <Button variant="secondary" onClick={() => setComposing(true)} data-testid="club-compose">
                    Write a post
                </Button>
            </div>
            <FeedList
                testId="club-feed"
                manage={runs}
                read={(cursor, signal) => feed.clubFeed(club.id, cursor ? { limit: 10, cursor } : { limit: 10 }, { signal })}
                empty={<p class="muted">No posts yet. Say hello to the club.</p>}
                added={added}
            />
            <Composer
                open={composing}
                club={club}
                onCancel={() => setComposing(false)}
                onPosted={(post) => {
                    setComposing(false);
                    showToast('Posted to the club', 'success');
                    if (self) {
                        setAdded((list) => [{ kind: 'post', at: post.created_at, author: { id: self.id, username: self.username, display_name: self.display_name }, post }, ...list]);
                    }
                }}
            />
        </section>
    );
}

function Members({ club }: { club: Club }) {
    const members = useLoad(async (signal) => (await groups.listClubMembers(club.id, { signal })).members, [club.id]);
    return (
        <section aria-label="Members" class="club-section">
            <ProblemView problem={members.problem} />
            {members.data ? (
                <ListGroup heading={`Members (${club.member_count})`}>
                    {members.data.map((m) => (
                        <ListRow key={m.user_id} title={m.display_name} trailing={m.role === 'member' ? null : <Badge>{m.role === 'owner' ? 'Owner' : 'Admin'}</Badge>} />
                    ))}
                </ListGroup>
            ) : null}
        </section>
    );
}

export function ClubPage({ id }: { id: number }) {
    const club = useLoad(async (signal) => groups.getClub(id, { signal }), [id]);
    const joining = useSubmit(async () => {
        const membership = await groups.joinClub(id);
        showToast(membership.state === 'active' ? 'You joined the club' : 'Request sent to the club admins', 'success');
        club.reload();
    });
    const leaving = useSubmit(async () => {
        await groups.leaveClub(id);
        showToast('You left the club');
        club.reload();
    });
    const data = club.data;
    const state = data?.membership?.state ?? null;
    const active = state === 'active';
    const runs = active && data?.membership?.role !== 'member';
    return (
        <Screen backHref={href('clubs')} title={data?.name ?? 'Club'} documentTitle={data?.name}>
            <ProblemView problem={club.problem ?? joining.problem ?? leaving.problem} />
            {data === null && !club.problem ? <Spinner label="Loading the club" /> : null}
            {data ? (
                <>
                    <section class="club-card" data-testid="club-card">
                        <p class="muted">{clubSubtitle(data)}</p>
                        {data.description ? <p>{data.description}</p> : null}
                        {active ? (
                            data.membership?.role === 'owner' ? (
                                <Badge>Owner</Badge>
                            ) : (
                                <Button variant="secondary" busy={leaving.busy} onClick={() => void leaving.run()} data-testid="leave-club">
                                    Leave
                                </Button>
                            )
                        ) : state === 'requested' ? (
                            <Badge>Request sent</Badge>
                        ) : (
                            <Button busy={joining.busy} onClick={() => void joining.run()} data-testid="join-club">
                                {state === 'invited' ? 'Accept invitation' : data.privacy === 'private' ? 'Ask to join' : 'Join'}
                            </Button>
                        )}
                    </section>
                    {active ? (
                        <>
                            <Posts club={data} runs={runs} />
                            <Events club={data} runs={runs} />
                            <ClubChallenges club={data} member runs={runs} />
                            <Leaderboard club={data} />
                            <Members club={data} />
                        </>
                    ) : (
                        <>
                            <ClubChallenges club={data} member={false} runs={false} />
                            <p class="muted">Members see the club's posts, events, leaderboard and members, and join its challenges.</p>
                        </>
                    )}
                </>
            ) : null}
        </Screen>
    );
}
