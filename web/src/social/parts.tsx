// The social screens' small parts: text with linked mentions, the kudos / like button, and a sheet
// listing people (kudos, likes, followers, following).
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { UserList } from '../api';
import { usePagedList } from '../hooks/paged-list';
import { href } from '../router/location';
import { Avatar, Button, ListGroup, ListRow, ProblemView, Sheet, Spinner, showToast, toProblem } from '../ui';
import { parseRichText } from './rich-text';
import { rememberPeople, usePeople, usernameIndex } from './people';
import { createToggle, type Tally, type Toggle, type ToggleState } from './toggle';
import './social.css';

/** Post or comment text: mentions of the people in `mentions` link to their profiles, addresses link out. */
export function RichText({ text, mentions, class: className = 'rich-text' }: { text: string; mentions: readonly number[]; class?: string }) {
    const segments = useMemo(() => parseRichText(text), [text]);
    const people = usePeople(mentions);
    const ids = usernameIndex(people, mentions);
    return (
        <p class={className}>
            {segments.map((segment, i) => {
                if (segment.kind === 'link') {
                    return (
                        <a key={i} href={segment.href} target="_blank" rel="noopener noreferrer nofollow ugc">
                            {segment.text}
                        </a>
                    );
                }
                if (segment.kind === 'mention') {
                    const id = ids.get(segment.username);
                    return id === undefined ? (
                        <span key={i} class="mention">
                            {segment.text}
                        </span>
                    ) : (
                        <a key={i} class="mention" href={href('user/:id', { id })} data-testid="mention">
                            {segment.text}
                        </a>
                    );
                }
                return segment.text;
            })}
        </p>
    );
}

/** An optimistic toggle bound to a component; `initial` changes (a reload) reset it. */
export function useToggle(initial: Tally, send: (want: boolean) => Promise<Tally>): [ToggleState, () => void] {
    const [state, setState] = useState<ToggleState>({ ...initial, busy: false });
    const toggle = useRef<Toggle | null>(null);
    const latestSend = useRef(send);
    latestSend.current = send;
    toggle.current ??= createToggle(initial, (want) => latestSend.current(want), setState, (error) => showToast(toProblem(error).detail ?? 'That did not go through', 'error'));
    useEffect(() => toggle.current!.reset(initial), [initial.count, initial.mine]);
    return [state, () => void toggle.current!.tap()];
}

interface ToggleButtonProps {
    state: ToggleState;
    onTap: () => void;
    /** "Give kudos" / "Like": the pressed state says whether it is given. */
    label: string;
    icon: ComponentChildren;
    testId?: string;
}

export function ToggleButton({ state, onTap, label, icon, testId }: ToggleButtonProps) {
    return (
        <button type="button" class="social-action" aria-pressed={state.mine} aria-label={label} title={label} onClick={onTap} data-testid={testId}>
            {icon}
        </button>
    );
}

/** A count that opens a list (who gave kudos, the comments). */
export function CountButton({ count, label, onOpen, icon, testId }: { count: number; label: string; onOpen: () => void; icon?: ComponentChildren; testId?: string }) {
    return (
        <button type="button" class="social-count" onClick={onOpen} data-testid={testId} aria-label={`${count} ${label}`}>
            {icon}
            <span aria-hidden="true">{count}</span>
        </button>
    );
}

type User = UserList['users'][number];

interface PeopleSheetProps {
    open: boolean;
    title: string;
    onCancel: () => void;
    load: (cursor: string | null, signal: AbortSignal) => Promise<UserList>;
    empty: string;
    testId?: string;
}

/** A sheet with a list of people, a page at a time, each a link to their profile. */
export function PeopleSheet({ open, title, onCancel, load, empty, testId }: PeopleSheetProps) {
    return (
        <Sheet open={open} title={title} onCancel={onCancel} testId={testId}>
            {open ? <PeopleList load={load} empty={empty} /> : null}
            <Button variant="secondary" block onClick={onCancel}>
                Close
            </Button>
        </Sheet>
    );
}

function PeopleList({ load, empty }: { load: PeopleSheetProps['load']; empty: string }) {
    const list = usePagedList(
        async (cursor, signal) => {
            const page = await load(cursor, signal);
            rememberPeople(page.users.map((u) => ({ id: u.id, username: u.username, display_name: u.display_name })));
            return { items: page.users, next: page.next_cursor };
        },
        (user: User) => user.id,
        [],
    );
    if (list.items === null) {
        return list.problem ? <ProblemView problem={list.problem} /> : <Spinner label="Loading" />;
    }
    if (list.items.length === 0) {
        return <p class="social-empty">{empty}</p>;
    }
    return (
        <>
            <ListGroup>
                {list.items.map((user) => (
                    <ListRow
                        key={user.id}
                        leading={<Avatar name={user.display_name} size={36} />}
                        title={user.display_name}
                        subtitle={user.username ? `@${user.username}${user.is_friend ? ' · Friends' : ''}` : undefined}
                        href={href('user/:id', { id: user.id })}
                        testId={`person-${user.id}`}
                    />
                ))}
            </ListGroup>
            <ProblemView problem={list.problem} />
            {list.hasMore ? (
                <div ref={list.endRef}>
                    <Button variant="secondary" block busy={list.loading} onClick={list.more}>
                        Load more
                    </Button>
                </div>
            ) : null}
        </>
    );
}

/** A person's name as a link to their profile, from the cache (a placeholder until known). */
export function PersonLink({ id, fallback }: { id: number; fallback?: string }) {
    const people = usePeople([id]);
    const name = people.get(id)?.display_name ?? fallback ?? 'Someone';
    return (
        <a class="person-link" href={href('user/:id', { id })}>
            {name}
        </a>
    );
}
