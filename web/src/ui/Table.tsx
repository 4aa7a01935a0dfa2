import type { ComponentChildren } from 'preact';
import './Table.css';

interface TableProps {
    /** Read by screen readers; the card around the table shows the visible title. */
    caption: string;
    /** The header row(s). */
    head: ComponentChildren;
    /** The body rows. */
    children: ComponentChildren;
    testId?: string;
}

/**
 * A numeric table that scrolls sideways rather than squeezing its columns. The scrolling box is a
 * focusable, named region, so keyboard users can scroll it too (WCAG 2.1.1).
 */
export function Table({ caption, head, children, testId }: TableProps) {
    return (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
            <table class="table" data-testid={testId}>
                <caption class="visually-hidden">{caption}</caption>
                <thead>{head}</thead>
                <tbody>{children}</tbody>
            </table>
        </div>
    );
}
