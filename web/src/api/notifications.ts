// The notifications feature (OpenAPI tag Notifications): the list, the unread count, marking read.
// Method names are the operationIds.
import type { Core, Schemas } from './core';
import type { ReadOptions } from './accounts';

export type Notification = Schemas['Notification'];
export type NotificationList = Schemas['NotificationList'];

export function notificationsApi(core: Core) {
    return {
        listNotifications: (cursor: string | undefined, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/notifications', { query: cursor ? { cursor } : {}, signal }),
        countUnreadNotifications: ({ signal }: ReadOptions = {}) => core.call('get', '/v1/notifications/unread-count', { signal }),
        markNotificationRead: (id: number) => core.call('post', '/v1/notifications/{notification_id}/read', { path: { notification_id: id } }),
        markAllNotificationsRead: () => core.call('post', '/v1/notifications/read-all', {}),
    };
}

export type NotificationsApi = ReturnType<typeof notificationsApi>;
