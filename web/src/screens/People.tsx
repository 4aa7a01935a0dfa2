// People search (by name or username, typo tolerant) and, while the field is empty, follow
// suggestions with their reasons and a dismiss button. Follow buttons are the profile's.
import { useEffect, useState } from 'preact/hooks';
import { social, type PersonHit, type Suggestion } from '../api';
import { useLoad } from '../hooks/load';
import { useSubmit } from '../hooks/submit';
import { href } from '../router/location';
import { Avatar, Button, EmptyState, ListGroup, ListRow, ProblemView, Screen, Spinner, TextField } from '../ui';
import { YouIcon } from '../ui/icons';
import { FollowButton } from './Profile';

/** How long typing must pause before a search is sent. */
const kDebounceMs = 250;

type Person = PersonHit | Suggestion;

function subtitle(person: Person): string {
    const parts = [person.username ? `@${person.username}` : null, 'reason' in person ? person.reason : person.city];
    return parts.filter(Boolean).join(' · ');
}

function PersonRow({ person, onChange, trailingExtra }: { person: Person; onChange: (p: Person) => void; trailingExtra?: preact.ComponentChildren }) {
    return (
        <ListRow
            testId={`person-${person.id}`}
            leading={<Avatar name={person.display_name} size={40} />}
            title={<a href={href('user/:id', { id: person.id })}>{person.display_name}</a>}
            subtitle={subtitle(person) || undefined}
            trailing={
                <>
                    <FollowButton
                        userId={person.id}
                        following={person.relationship.following}
                        onChange={(state, delta) =>
                            onChange({ ...person, relationship: { ...person.relationship, following: state }, follower_count: person.follower_count + delta })
                        }
                    />
                    {trailingExtra}
                </>
            }
        />
    );
}

export function People() {
    const [text, setText] = useState('');
    const [query, setQuery] = useState('');
    useEffect(() => {
        const timer = setTimeout(() => setQuery(text.trim()), kDebounceMs);
        return () => clearTimeout(timer);
    }, [text]);

    const results = useLoad(async (signal) => (query ? (await social.searchUsers(query, undefined, { signal })).users : null), [query]);
    const suggestions = useLoad(async (signal) => (await social.listSuggestions({ signal })).users, []);
    const dismissing = useSubmit(async (id: number) => {
        await social.dismissSuggestion(id);
        suggestions.update((list) => list.filter((s) => s.id !== id));
    });

    const hits = results.data;
    const suggested = suggestions.data;
    return (
        <Screen backHref={href('you')}>
            <form role="search" onSubmit={(e) => { e.preventDefault(); setQuery(text.trim()); }}>
                <TextField label="Search people" name="q" type="search" value={text} onValue={setText} maxLength={100} autoComplete="off" data-testid="people-search" />
            </form>
            <ProblemView problem={results.problem ?? suggestions.problem ?? dismissing.problem} />
            {query ? (
                hits === null && !results.problem ? (
                    <Spinner label="Searching" />
                ) : hits && hits.length === 0 ? (
                    <EmptyState icon={<YouIcon size={40} />} title="Nobody found">Try another spelling, or a username.</EmptyState>
                ) : hits ? (
                    <ListGroup heading="People">
                        {hits.map((person) => (
                            <PersonRow key={person.id} person={person} onChange={(p) => results.update((list) => list?.map((x) => (x.id === p.id ? (p as PersonHit) : x)) ?? null)} />
                        ))}
                    </ListGroup>
                ) : null
            ) : suggested === null && !suggestions.problem ? (
                <Spinner label="Loading suggestions" />
            ) : suggested && suggested.length > 0 ? (
                <ListGroup heading="Suggested for you">
                    {suggested.map((person) => (
                        <PersonRow
                            key={person.id}
                            person={person}
                            onChange={(p) => suggestions.update((list) => list.map((x) => (x.id === p.id ? (p as Suggestion) : x)))}
                            trailingExtra={
                                <Button variant="ghost" onClick={() => void dismissing.run(person.id)} aria-label={`Dismiss ${person.display_name}`} data-testid={`dismiss-${person.id}`}>
                                    Dismiss
                                </Button>
                            }
                        />
                    ))}
                </ListGroup>
            ) : suggested ? (
                <EmptyState icon={<YouIcon size={40} />} title="No suggestions yet">Follow people, join clubs or set your city to get some.</EmptyState>
            ) : null}
        </Screen>
    );
}
