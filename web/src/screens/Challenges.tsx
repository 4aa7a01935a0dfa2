// Club challenges (ADR 0026): the Challenges section of a club page (progress bars, join / leave, a
// leaderboard sheet, and a create form for admins) and "My challenges" reached from the You screen.
import { useState } from 'preact/hooks';
import { groups, type Challenge, type Club, type Sport } from '../api';
import { useLoad } from '../hooks/load';
import { assertValid, useIdempotencyKeys, useSubmit } from '../hooks/submit';
import { href } from '../router/location';
import { me } from '../state/session';
import { Badge, Button, ListGroup, ListRow, ProblemView, Screen, SelectField, Sheet, Spinner, Table, TextField, showToast } from '../ui';
import { kChoosableSports, sportLabel } from '../sports';
import { distanceUnit, formatDistance, splitLengthM, type Units } from '../units';
import { formatDurationShort, newIdempotencyKey } from './format';
import './Challenges.css';

type ChallengeType = Challenge['type'];
type Effort = NonNullable<Challenge['effort']>;

const kTypes: { value: ChallengeType; label: string }[] = [
    { value: 'total_distance', label: 'Total distance' },
    { value: 'total_time', label: 'Total time' },
    { value: 'longest_activity', label: 'Longest single activity' },
    { value: 'fastest_effort', label: 'Fastest effort over a distance' },
];
const kEfforts: { value: Effort; label: string }[] = [
    { value: '1k', label: '1 km' },
    { value: '5k', label: '5 km' },
    { value: '10k', label: '10 km' },
    { value: 'half', label: 'Half marathon' },
    { value: 'marathon', label: 'Marathon' },
];

/** A challenge's figure in its unit: metres as a distance, seconds as a duration. */
export function formatChallengeValue(type: ChallengeType, value: number | null, units: Units): string {
    if (value === null) {
        return '—';
    }
    return type === 'total_time' || type === 'fastest_effort' ? formatDurationShort(value) : formatDistance(value, units);
}

/** How far along the goal is, 0..1 (fastest_effort: reached or not). */
export function challengeFraction(challenge: Pick<Challenge, 'type' | 'goal_value' | 'progress'>): number {
    const { progress, goal_value: goal, type } = challenge;
    if (progress === null || goal <= 0) {
        return 0;
    }
    if (type === 'fastest_effort') {
        return progress <= goal ? 1 : Math.min(1, goal / progress);
    }
    return Math.min(1, progress / goal);
}

function describe(c: Challenge, units: Units): string {
    const what = kTypes.find((t) => t.value === c.type)?.label ?? c.type;
    const effort = c.effort ? ` · ${kEfforts.find((e) => e.value === c.effort)?.label ?? c.effort}` : '';
    const sport = c.sport ? ` · ${sportLabel(c.sport as Sport)}` : '';
    const goal = c.type === 'fastest_effort' ? `under ${formatChallengeValue(c.type, c.goal_value, units)}` : formatChallengeValue(c.type, c.goal_value, units);
    const until = new Date(c.ends_at).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
    return `${what}${effort}${sport} · goal ${goal}${c.mode === 'club' ? ' together' : ''} · until ${until}`;
}

function ChallengeProgress({ challenge, units }: { challenge: Challenge; units: Units }) {
    const fraction = challengeFraction(challenge);
    const label = `${challenge.title}: ${formatChallengeValue(challenge.type, challenge.progress, units)} of ${formatChallengeValue(challenge.type, challenge.goal_value, units)}`;
    return (
        <div class="challenge-progress">
            <progress max={100} value={Math.round(fraction * 100)} aria-label={label} />
            <span class="muted">
                {formatChallengeValue(challenge.type, challenge.progress, units)} / {formatChallengeValue(challenge.type, challenge.goal_value, units)}
            </span>
        </div>
    );
}

function LeaderboardSheet({ challenge, onClose }: { challenge: Challenge; onClose: () => void }) {
    const units = me.value?.units ?? 'metric';
    const board = useLoad(async (signal) => groups.getChallengeLeaderboard(challenge.id, undefined, { signal }), [challenge.id]);
    return (
        <Sheet open title={`${challenge.title} · leaderboard`} onCancel={onClose} testId="challenge-leaderboard">
            <ProblemView problem={board.problem} />
            {board.data === null && !board.problem ? <Spinner label="Loading the leaderboard" /> : null}
            {board.data && board.data.entries.length === 0 ? <p class="muted">Nobody has joined yet.</p> : null}
            {board.data && board.data.entries.length > 0 ? (
                <Table
                    caption="Challenge leaderboard"
                    testId="challenge-board"
                    head={
                        <tr>
                            <th scope="col">#</th>
                            <th scope="col">Athlete</th>
                            <th scope="col">Progress</th>
                        </tr>
                    }
                >
                    {board.data.entries.map((entry) => (
                        <tr key={entry.user_id}>
                            <td>{entry.rank}</td>
                            <td>
                                {entry.display_name} {entry.completed_at ? <Badge>Done</Badge> : null}
                            </td>
                            <td>{formatChallengeValue(challenge.type, entry.progress ?? null, units)}</td>
                        </tr>
                    ))}
                </Table>
            ) : null}
            <Button variant="secondary" onClick={onClose}>
                Close
            </Button>
        </Sheet>
    );
}

function NewChallenge({ club, onMade }: { club: Club; onMade: (c: Challenge) => void }) {
    const units = me.value?.units ?? 'metric';
    const [title, setTitle] = useState('');
    const [type, setType] = useState<ChallengeType>('total_distance');
    const [effort, setEffort] = useState<Effort>('5k');
    const [sport, setSport] = useState<string>('');
    const [goal, setGoal] = useState('');
    const [mode, setMode] = useState<'individual' | 'club'>('individual');
    const [startsAt, setStartsAt] = useState('');
    const [endsAt, setEndsAt] = useState('');
    const keyFor = useIdempotencyKeys(newIdempotencyKey);
    const goalUnit = type === 'total_time' ? 'hours' : type === 'fastest_effort' ? 'minutes' : distanceUnit(units);
    const creating = useSubmit(async () => {
        const value = Number(goal.replace(',', '.'));
        const start = Date.parse(startsAt);
        const end = Date.parse(endsAt);
        assertValid({
            ...(title.trim() ? {} : { title: 'Give the challenge a title.' }),
            ...(goal.trim() && Number.isFinite(value) && value > 0 ? {} : { goal_value: `Enter the goal in ${goalUnit}.` }),
            ...(Number.isNaN(start) ? { starts_at: 'Pick when it starts.' } : {}),
            ...(Number.isNaN(end) ? { ends_at: 'Pick when it ends.' } : !Number.isNaN(start) && end <= start ? { ends_at: 'It must end after it starts.' } : {}),
        });
        const goalValue = type === 'total_time' ? value * 3600 : type === 'fastest_effort' ? value * 60 : value * splitLengthM(units);
        const body = {
            title: title.trim(),
            type,
            goal_value: goalValue,
            mode: type === 'total_distance' || type === 'total_time' ? mode : 'individual',
            starts_at: new Date(start).toISOString(),
            ends_at: new Date(end).toISOString(),
            ...(sport ? { sport: sport as Sport } : {}),
            ...(type === 'fastest_effort' ? { effort } : {}),
        } as const;
        const made = await groups.createClubChallenge(club.id, body, keyFor(body));
        setTitle('');
        setGoal('');
        showToast('Challenge created', 'success');
        onMade(made);
    });
    const errors = creating.errors;
    return (
        <form class="form form-section" onSubmit={creating.onSubmit} noValidate aria-label="New challenge">
            <h3 class="form-section__title">New challenge</h3>
            <ProblemView problem={creating.problem} fields={['title', 'type', 'effort', 'sport', 'goal_value', 'mode', 'starts_at', 'ends_at']} />
            <TextField label="Title" name="title" value={title} onValue={setTitle} error={errors.title} maxLength={200} />
            <SelectField label="Type" name="type" value={type} onValue={(v) => setType(v as ChallengeType)} error={errors.type} options={kTypes} />
            {type === 'fastest_effort' ? <SelectField label="Distance" name="effort" value={effort} onValue={(v) => setEffort(v as Effort)} error={errors.effort} options={kEfforts} /> : null}
            <TextField label={`Goal (${goalUnit})`} name="goal_value" inputMode="decimal" value={goal} onValue={setGoal} error={errors.goal_value} hint={type === 'fastest_effort' ? 'The time to beat' : undefined} />
            <SelectField
                label="Sport"
                name="sport"
                value={sport}
                onValue={setSport}
                error={errors.sport}
                options={[{ value: '', label: 'Any sport' }, ...kChoosableSports.map((s) => ({ value: s, label: sportLabel(s) }))]}
            />
            {type === 'total_distance' || type === 'total_time' ? (
                <SelectField
                    label="Goal for"
                    name="mode"
                    value={mode}
                    onValue={(v) => setMode(v as 'individual' | 'club')}
                    error={errors.mode}
                    options={[
                        { value: 'individual', label: 'Each participant' },
                        { value: 'club', label: 'The club together' },
                    ]}
                />
            ) : null}
            <TextField label="Starts" name="starts_at" type="datetime-local" value={startsAt} onValue={setStartsAt} error={errors.starts_at} />
            <TextField label="Ends" name="ends_at" type="datetime-local" value={endsAt} onValue={setEndsAt} error={errors.ends_at} />
            <Button type="submit" variant="secondary" busy={creating.busy}>
                Create challenge
            </Button>
        </form>
    );
}

/** The club page's section: everyone signed in sees the challenges; members join; admins create. */
export function ClubChallenges({ club, member, runs }: { club: Club; member: boolean; runs: boolean }) {
    const units = me.value?.units ?? 'metric';
    const list = useLoad(async (signal) => (await groups.listClubChallenges(club.id, { signal })).challenges, [club.id, member]);
    const [board, setBoard] = useState<Challenge | null>(null);
    const toggling = useSubmit(async (challenge: Challenge) => {
        if (challenge.joined) {
            await groups.leaveChallenge(challenge.id);
            showToast('You left the challenge');
            list.reload();
        } else {
            const joined = await groups.joinChallenge(challenge.id);
            list.update((all) => all.map((c) => (c.id === joined.id ? joined : c)));
            showToast('You joined the challenge', 'success');
        }
    });
    return (
        <section aria-label="Challenges" class="club-section">
            <h2 class="form-section__title">Challenges</h2>
            <ProblemView problem={list.problem ?? toggling.problem} />
            {list.data?.length === 0 ? <p class="muted">No challenge yet.</p> : null}
            <ul class="challenges">
                {list.data?.map((c) => (
                    <li key={c.id} class="challenge" data-testid={`challenge-${c.id}`}>
                        <div class="challenge__head">
                            <strong>{c.title}</strong>
                            {c.completed_at ? <Badge>Completed</Badge> : null}
                        </div>
                        <p class="muted">
                            {describe(c, units)} · {c.participant_count} {c.participant_count === 1 ? 'participant' : 'participants'}
                        </p>
                        {c.joined || c.mode === 'club' ? <ChallengeProgress challenge={c} units={units} /> : null}
                        {member ? (
                            <div class="challenge__actions">
                                <Button variant={c.joined ? 'secondary' : 'primary'} onClick={() => void toggling.run(c)} data-testid={`${c.joined ? 'leave' : 'join'}-challenge-${c.id}`}>
                                    {c.joined ? 'Leave' : 'Join'}
                                </Button>
                                <Button variant="secondary" onClick={() => setBoard(c)} data-testid={`board-${c.id}`}>
                                    Leaderboard
                                </Button>
                            </div>
                        ) : null}
                    </li>
                ))}
            </ul>
            {board ? <LeaderboardSheet challenge={board} onClose={() => setBoard(null)} /> : null}
            {runs ? <NewChallenge club={club} onMade={(made) => list.update((all) => [made, ...all])} /> : null}
        </section>
    );
}

export function MyChallenges() {
    const units = me.value?.units ?? 'metric';
    const mine = useLoad(async (signal) => (await groups.listMyChallenges({ signal })).challenges, []);
    return (
        <Screen backHref={href('you')}>
            <ProblemView problem={mine.problem} />
            {mine.data === null && !mine.problem ? <Spinner label="Loading your challenges" /> : null}
            {mine.data?.length === 0 ? <p class="muted">You have joined no challenge yet. Clubs run them.</p> : null}
            {mine.data?.length ? (
                <ListGroup heading="Your challenges">
                    {mine.data.map((c) => (
                        <ListRow
                            key={c.id}
                            title={c.title}
                            subtitle={`${formatChallengeValue(c.type, c.progress, units)} of ${formatChallengeValue(c.type, c.goal_value, units)}${c.completed_at ? ' · completed' : ''}`}
                            href={href('club/:id', { id: c.club_id })}
                            testId={`my-challenge-${c.id}`}
                            trailing={<progress max={100} value={Math.round(challengeFraction(c) * 100)} aria-label={`${c.title} progress`} />}
                        />
                    ))}
                </ListGroup>
            ) : null}
        </Screen>
    );
}
