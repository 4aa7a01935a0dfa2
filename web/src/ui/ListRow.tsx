import type { ComponentChildren } from 'preact';
import { ChevronRight } from './icons';
import './ListRow.css';

interface ListRowProps {
    title: ComponentChildren;
    subtitle?: ComponentChildren;
    leading?: ComponentChildren;
    /** Right-hand content (a value, a badge or a button). */
    trailing?: ComponentChildren;
    /** Makes the row a link with a chevron. */
    href?: string;
    /** Makes the row a button with a chevron. */
    onClick?: () => void;
    tone?: 'default' | 'danger';
    testId?: string;
}

/** One row of a grouped list: settings entries, sessions, people. */
export function ListRow({ title, subtitle, leading, trailing, href, onClick, tone = 'default', testId }: ListRowProps) {
    const body = (
        <>
            {leading ? <span class="row__leading">{leading}</span> : null}
            <span class="row__text">
                <span class="row__title">{title}</span>
                {subtitle ? <span class="row__subtitle">{subtitle}</span> : null}
            </span>
            {trailing ? <span class="row__trailing">{trailing}</span> : null}
            {href || onClick ? <ChevronRight class="row__chevron" size={18} /> : null}
        </>
    );
    const classes = `row row--${tone}`;
    if (href) {
        return (
            <li>
                <a class={`${classes} row--action`} href={href} data-testid={testId}>
                    {body}
                </a>
            </li>
        );
    }
    if (onClick) {
        return (
            <li>
                <button type="button" class={`${classes} row--action`} onClick={onClick} data-testid={testId}>
                    {body}
                </button>
            </li>
        );
    }
    return (
        <li class={classes} data-testid={testId}>
            {body}
        </li>
    );
}

export function ListGroup({ heading, children }: { heading?: string; children: ComponentChildren }) {
    return (
        <section class="list-group">
            {heading ? <h2 class="list-group__heading">{heading}</h2> : null}
            <ul class="list">{children}</ul>
        </section>
    );
}
