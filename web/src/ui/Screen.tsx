// Page chrome: a sticky header (with an optional back link and action) over scrolling content.
import type { ComponentChildren } from 'preact';
import { BackIcon } from './icons';

interface ScreenProps {
    title: string;
    backHref?: string;
    action?: ComponentChildren;
    children: ComponentChildren;
    /** Large title for top-level tabs, compact for pushed screens. */
    large?: boolean;
}

export function Screen({ title, backHref, action, children, large = !backHref }: ScreenProps) {
    return (
        <div class="screen">
            <header class={large ? 'topbar topbar--large' : 'topbar'}>
                {backHref ? (
                    <a class="topbar__back" href={backHref} aria-label="Back">
                        <BackIcon />
                    </a>
                ) : null}
                <h1 class="topbar__title">{title}</h1>
                {action ? <div class="topbar__action">{action}</div> : null}
            </header>
            <main class="screen__body">{children}</main>
        </div>
    );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
    return (
        <div class="loading" role="status">
            <span class="spinner spinner--lg" aria-hidden="true" />
            <span class="visually-hidden">{label}</span>
        </div>
    );
}

export function Avatar({ name, size = 64 }: { name: string; size?: number }) {
    const initials = name
        .trim()
        .split(/\s+/)
        .slice(0, 2)
        .map((word) => word.charAt(0).toUpperCase())
        .join('');
    return (
        <span class="avatar" style={{ width: `${size}px`, height: `${size}px`, fontSize: `${size * 0.4}px` }} aria-hidden="true">
            {initials || '?'}
        </span>
    );
}
