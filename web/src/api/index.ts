// The app's API: one fetch core (core.ts) shared by one module per server feature. A feature's
// screens import its module from here; tests build their own with createCore and a fake fetch.
import { accountsApi } from './accounts';
import { activitiesApi } from './activities';
import { feedApi } from './feed';
import { groupsApi } from './groups';
import { mapsApi } from './maps';
import { notificationsApi } from './notifications';
import { socialApi } from './social';
import { createCore, type Core } from './core';
import { memoryStorage, xhrSendBytes } from './http';

export { ApiError, normalizeProblem, synthesizeProblem, type Problem, type ProblemType } from './problem';
export type { Download } from './http';
export type { AuthTokens, Me, MeUpdate, PrivacyZone, PrivacyZoneCreate, PublicProfile, Session, UserStats } from './accounts';
export type * from './activities';
export type * from './feed';
export type * from './groups';
export type { TileSource } from './maps';
export type { Notification, NotificationList } from './notifications';
export type { FollowState, PersonHit, Relationship, Report, ReportInput, Suggestion, UserList } from './social';

function browserLock<T>(name: string, task: () => Promise<T>): Promise<T> {
    if (typeof navigator !== 'undefined' && navigator.locks) {
        return navigator.locks.request(name, task) as Promise<T>;
    }
    return task();
}

/** Same origin, browser storage and locks, uploads over XMLHttpRequest (for progress events). */
export const core: Core = createCore({
    fetch: (input, init) => fetch(input, init),
    storage: typeof localStorage === 'undefined' ? memoryStorage() : localStorage,
    withLock: browserLock,
    ...(typeof XMLHttpRequest === 'undefined' ? {} : { sendBytes: xhrSendBytes }),
});

export const accounts = accountsApi(core);
export const activities = activitiesApi(core);
export const feed = feedApi(core);
export const groups = groupsApi(core);
export const maps = mapsApi(core);
export const notifications = notificationsApi(core);
export const social = socialApi(core);
