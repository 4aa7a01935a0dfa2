// Names for user ids. Comments and posts carry only ids (author_id, mentions); the screens show
// names and link mentions, so they look people up here: once per id for the life of the page,
// seeded from answers that already carry names (feed authors, user lists, the signed-in user).
import { useEffect, useState } from 'preact/hooks';
import { accounts } from '../api';

export interface Person {
    id: number;
    username: string | null;
    display_name: string;
}

const known = new Map<number, Person>();
const asked = new Map<number, Promise<Person | null>>();
const listeners = new Set<() => void>();

export function rememberPeople(people: readonly Person[]): void {
    let changed = false;
    for (const person of people) {
        const before = known.get(person.id);
        if (!before || before.username !== person.username || before.display_name !== person.display_name) {
            known.set(person.id, { id: person.id, username: person.username, display_name: person.display_name });
            changed = true;
        }
    }
    if (changed) {
        listeners.forEach((listener) => listener());
    }
}

function lookUp(id: number): Promise<Person | null> {
    let pending = asked.get(id);
    if (!pending) {
        // A user the caller may not see answers 404: remembered as unknown, not asked again.
        pending = accounts.getUser(id).then(
            (profile) => {
                rememberPeople([profile]);
                return known.get(id) ?? null;
            },
            () => null,
        );
        asked.set(id, pending);
    }
    return pending;
}

/** The people of `ids` known so far; asks for the others and re-renders when they arrive. */
export function usePeople(ids: readonly number[]): ReadonlyMap<number, Person> {
    const [, setVersion] = useState(0);
    useEffect(() => {
        const listener = () => setVersion((v) => v + 1);
        listeners.add(listener);
        return () => void listeners.delete(listener);
    }, []);
    const key = [...new Set(ids)].sort((a, b) => a - b).join(',');
    useEffect(() => {
        for (const id of ids) {
            if (!known.has(id)) {
                void lookUp(id);
            }
        }
    }, [key]);
    return known;
}

/** username (lower-case) → id, for the people of `ids` that are known. */
export function usernameIndex(people: ReadonlyMap<number, Person>, ids: readonly number[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const id of ids) {
        const username = people.get(id)?.username;
        if (username) {
            out.set(username.toLowerCase(), id);
        }
    }
    return out;
}
