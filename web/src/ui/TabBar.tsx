import type { ComponentType } from 'preact';
import './TabBar.css';

export interface TabItem {
    id: string;
    label: string;
    href: string;
    Icon: ComponentType<{ size?: number }>;
}

/** The bottom navigation; `current` is the id of the tab to mark as the current page. */
export function TabBar({ items, current, label = 'Main' }: { items: readonly TabItem[]; current: string | null; label?: string }) {
    return (
        <nav class="tabbar" aria-label={label}>
            <div class="tabbar__inner">
                {items.map(({ id, label: text, href, Icon }) => (
                    <a key={id} class="tab" href={href} aria-current={current === id ? 'page' : undefined}>
                        <Icon size={24} />
                        <span>{text}</span>
                    </a>
                ))}
            </div>
        </nav>
    );
}
