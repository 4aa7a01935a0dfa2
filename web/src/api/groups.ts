// The clubs feature (OpenAPI tag Clubs): clubs, memberships, events with RSVPs, the weekly
// leaderboard. Method names are the operationIds.
import type { ReadOptions } from './accounts';
import type { Core, QueryParams, Schemas } from './core';

export type Club = Schemas['Club'];
export type ClubNew = Schemas['ClubNew'];
export type ClubMembership = Schemas['ClubMembership'];
export type ClubEvent = Schemas['ClubEvent'];
export type ClubEventNew = Schemas['ClubEventNew'];
export type ClubMemberList = Schemas['ClubMemberList'];
export type ClubLeaderboard = Schemas['ClubLeaderboard'];
export type Challenge = Schemas['Challenge'];
export type ChallengeNew = Schemas['ChallengeNew'];
export type ChallengeLeaderboard = Schemas['ChallengeLeaderboard'];
export type ClubListQuery = NonNullable<QueryParams<'/v1/clubs', 'get'>>;
export type LeaderboardQuery = NonNullable<QueryParams<'/v1/clubs/{club_id}/leaderboard', 'get'>>;

export function groupsApi(core: Core) {
    const club = (clubId: number) => ({ club_id: clubId });
    const event = (clubId: number, eventId: number) => ({ club_id: clubId, event_id: eventId });
    return {
        createClub: (body: ClubNew, idempotencyKey: string) => core.call('post', '/v1/clubs', { body, idempotencyKey }),
        listClubs: (query: ClubListQuery = {}, { signal }: ReadOptions = {}) => core.call('get', '/v1/clubs', { query, signal }),
        getClub: (clubId: number, { signal }: ReadOptions = {}) => core.call('get', '/v1/clubs/{club_id}', { path: club(clubId), signal }),
        joinClub: (clubId: number) => core.call('post', '/v1/clubs/{club_id}/join', { path: club(clubId) }),
        leaveClub: (clubId: number) => core.call('delete', '/v1/clubs/{club_id}/membership', { path: club(clubId) }),
        listClubMembers: (clubId: number, { signal }: ReadOptions = {}) => core.call('get', '/v1/clubs/{club_id}/members', { path: club(clubId), signal }),
        createClubEvent: (clubId: number, body: ClubEventNew, idempotencyKey: string) =>
            core.call('post', '/v1/clubs/{club_id}/events', { path: club(clubId), body, idempotencyKey }),
        listClubEvents: (clubId: number, { signal }: ReadOptions = {}) => core.call('get', '/v1/clubs/{club_id}/events', { path: club(clubId), signal }),
        rsvpClubEvent: (clubId: number, eventId: number, answer: 'going' | 'maybe') =>
            core.call('put', '/v1/clubs/{club_id}/events/{event_id}/rsvp', { path: event(clubId, eventId), body: { answer } }),
        unrsvpClubEvent: (clubId: number, eventId: number) => core.call('delete', '/v1/clubs/{club_id}/events/{event_id}/rsvp', { path: event(clubId, eventId) }),
        getClubLeaderboard: (clubId: number, query: LeaderboardQuery = {}, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/clubs/{club_id}/leaderboard', { path: club(clubId), query, signal }),
        createClubChallenge: (clubId: number, body: ChallengeNew, idempotencyKey: string) =>
            core.call('post', '/v1/clubs/{club_id}/challenges', { path: club(clubId), body, idempotencyKey }),
        listClubChallenges: (clubId: number, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/clubs/{club_id}/challenges', { path: club(clubId), query: { limit: 50 }, signal }),
        getChallenge: (challengeId: number, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/challenges/{challenge_id}', { path: { challenge_id: challengeId }, signal }),
        joinChallenge: (challengeId: number) => core.call('put', '/v1/challenges/{challenge_id}/participation', { path: { challenge_id: challengeId } }),
        leaveChallenge: (challengeId: number) => core.call('delete', '/v1/challenges/{challenge_id}/participation', { path: { challenge_id: challengeId } }),
        getChallengeLeaderboard: (challengeId: number, cursor?: string, { signal }: ReadOptions = {}) =>
            core.call('get', '/v1/challenges/{challenge_id}/leaderboard', { path: { challenge_id: challengeId }, query: { limit: 100, ...(cursor ? { cursor } : {}) }, signal }),
        listMyChallenges: ({ signal }: ReadOptions = {}) => core.call('get', '/v1/me/challenges', { query: { limit: 100 }, signal }),
    };
}

export type GroupsApi = ReturnType<typeof groupsApi>;
