import type { ComponentChildren } from 'preact';
import './Banner.css';

/** A status line across the top of the app (announced politely). */
export function Banner({ icon, children, testId }: { icon?: ComponentChildren; children: ComponentChildren; testId?: string }) {
    return (
        <div class="banner" role="status" data-testid={testId}>
            {icon} {children}
        </div>
    );
}
