// The accounts feature (OpenAPI tags Auth, Profile, Users): signing up and in, sessions, the
// signed-in user's profile, other people's public profiles. Method names are the operationIds.
import type { Core, Schemas } from './core';

export type Me = Schemas['Me'];
export type MeUpdate = Schemas['MeUpdate'];
export type AuthTokens = Schemas['AuthTokens'];
export type Session = Schemas['Session'];
export type PublicProfile = Schemas['PublicProfile'];
export type UserStats = Schemas['UserStats'];
export type PrivacyZone = Schemas['PrivacyZone'];
export type PrivacyZoneCreate = Schemas['PrivacyZoneCreate'];
export type PrivacyZonePatch = Schemas['PrivacyZonePatch'];

/** For reads a screen may abandon (useLoad aborts them when it goes away). */
export interface ReadOptions {
    signal?: AbortSignal | undefined;
}

export function accountsApi(core: Core) {
    return {
        signup: async (body: Schemas['SignupRequest'], idempotencyKey: string) => core.adopt(await core.call('post', '/v1/auth/signup', { body, auth: false, idempotencyKey })),
        login: async (body: Schemas['LoginRequest']) => core.adopt(await core.call('post', '/v1/auth/login', { body, auth: false })),
        /** Ends the session on the server; the tokens here are dropped even when that fails. */
        logout: async () => {
            try {
                if (core.hasCredentials()) {
                    await core.call('post', '/v1/auth/logout', {});
                }
            } finally {
                core.forget();
            }
        },
        changePassword: (body: Schemas['PasswordChangeRequest']) => core.call('post', '/v1/auth/password', { body }),
        listSessions: ({ signal }: ReadOptions = {}) => core.call('get', '/v1/auth/sessions', { signal }),
        revokeSession: (sessionId: number) => core.call('delete', '/v1/auth/sessions/{session_id}', { path: { session_id: sessionId } }),
        getMe: ({ signal }: ReadOptions = {}) => core.call('get', '/v1/me', { signal }),
        updateMe: (body: MeUpdate) => core.call('patch', '/v1/me', { body }),
        deleteMe: async (password: string) => {
            await core.call('delete', '/v1/me', { body: { password } });
            core.forget();
        },
        getUser: (userId: number, { signal }: ReadOptions = {}) => core.call('get', '/v1/users/{user_id}', { path: { user_id: userId }, signal }),
        getUserStats: (userId: number, { signal }: ReadOptions = {}) => core.call('get', '/v1/users/{user_id}/stats', { path: { user_id: userId }, signal }),
        listPrivacyZones: ({ signal }: ReadOptions = {}) => core.call('get', '/v1/me/privacy-zones', { signal }),
        createPrivacyZone: (body: PrivacyZoneCreate) => core.call('post', '/v1/me/privacy-zones', { body }),
        updatePrivacyZone: (zoneId: number, body: PrivacyZonePatch) => core.call('patch', '/v1/me/privacy-zones/{zone_id}', { path: { zone_id: zoneId }, body }),
        deletePrivacyZone: (zoneId: number) => core.call('delete', '/v1/me/privacy-zones/{zone_id}', { path: { zone_id: zoneId } }),
    };
}

export type AccountsApi = ReturnType<typeof accountsApi>;
