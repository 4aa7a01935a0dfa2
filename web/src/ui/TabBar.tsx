import type { ComponentType } from 'preact';
import './TabBar.css';

export interface TabItem {
    id: string;
    label: string;
    href: string;
    Icon: ComponentType<{ size?: number }>;
    /** An unread count shown over the icon (0: none). */
    badge?: number;
}

/** The bottom navigation; `current` is the id of the tab to mark as the current page. */
export function TabBar({ items, current, label = 'Main' }: { items: readonly TabItem[]; current: string | null; label?: string }) {
    return (
        <nav class="tabbar" aria-label={label}>
            <div class="tabbar__inner">
                {items.map(({ id, label: text, href, Icon, badge }) => (
                    <a
                        key={id}
                        class="tab"
                        href={href}
                        aria-current={current === id ? 'page' : undefined}
                        aria-label={badge ? `${text}, ${badge > 99 ? '99+' : badge} unread` : undefined}
                        data-testid={`tab-${id}`}
                    >
                        <span class="tab__icon">
                            <Icon size={24} />
                            {badge ? (
                                <span class="tab__badge" data-testid={`tab-${id}-badge`} aria-hidden="true">
                                    {badge > 99 ? '99+' : badge}
                                </span>
                            ) : null}
                        </span>
                        <span>{text}</span>
                    </a>
                ))}
            </div>
        </nav>
    );
}
