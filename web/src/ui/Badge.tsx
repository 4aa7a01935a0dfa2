import type { ComponentChildren } from 'preact';
import './Badge.css';

interface BadgeProps {
    children: ComponentChildren;
    /** Extra classes: a screen's own tone (badge--rank-1, badge--paused). */
    class?: string;
    /** A paragraph where the badge stands on its own line (with role="status", say). */
    as?: 'span' | 'p';
    role?: 'status';
    testId?: string;
}

/** A small pill label ("This device", "PR"). */
export function Badge({ children, class: extra, as: Tag = 'span', role, testId }: BadgeProps) {
    return (
        <Tag class={extra ? `badge ${extra}` : 'badge'} role={role} data-testid={testId}>
            {children}
        </Tag>
    );
}
