import type { ComponentChildren } from 'preact';
import './Card.css';

/** A titled surface for one section of a screen, labelled by its title for screen readers. */
export function Card({ title, children, testId }: { title: string; children: ComponentChildren; testId?: string | undefined }) {
    return (
        <section class="card" aria-label={title} data-testid={testId}>
            <h2 class="card__title">{title}</h2>
            {children}
        </section>
    );
}
