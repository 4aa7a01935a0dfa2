import type { ComponentChildren } from 'preact';
import './EmptyState.css';

interface EmptyStateProps {
    icon: ComponentChildren;
    title: string;
    children?: ComponentChildren;
    action?: ComponentChildren;
}

/** The friendly placeholder for a screen or list with nothing in it yet. */
export function EmptyState({ icon, title, children, action }: EmptyStateProps) {
    return (
        <div class="empty">
            <div class="empty__icon" aria-hidden="true">
                {icon}
            </div>
            <h2 class="empty__title">{title}</h2>
            {children ? <div class="empty__body">{children}</div> : null}
            {action ? <div class="empty__action">{action}</div> : null}
        </div>
    );
}
