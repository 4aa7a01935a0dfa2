// The unread-notifications badge: polled every 60 s and when the window regains focus (no websocket
// yet), and set at once by the notifications screen when it marks them read.
import { signal } from '@preact/signals';
import { notifications } from '../api';

export const unreadCount = signal(0);
export const kUnreadPollMs = 60_000;

export async function refreshUnread(): Promise<void> {
    try {
        const { count } = await notifications.countUnreadNotifications();
        unreadCount.value = count;
    } catch {
        // Offline or signed out: keep the last count; the next poll tries again.
    }
}

/** Starts polling; returns the function that stops it. */
export function watchUnread(): () => void {
    void refreshUnread();
    const timer = setInterval(() => void refreshUnread(), kUnreadPollMs);
    const onFocus = () => void refreshUnread();
    window.addEventListener('focus', onFocus);
    return () => {
        clearInterval(timer);
        window.removeEventListener('focus', onFocus);
    };
}
