// The activities feature (OpenAPI tags Activities, Uploads): workouts, their samples and analysis,
// exports, and importing files. Method names are the operationIds.
import type { ReadOptions } from './accounts';
import type { Core, QueryParams, Schemas, SendFileOptions } from './core';

export type Sport = Schemas['Sport'];
export type Visibility = Schemas['Visibility'];
export type HiddenMetric = Schemas['HiddenMetric'];
export type DataType = Schemas['DataType'];
export type Upload = Schemas['Upload'];
export type ActivitySummary = Schemas['ActivitySummary'];
export type ActivityDetail = Schemas['ActivityDetail'];
export type ActivityCreate = Schemas['ActivityCreate'];
export type ActivityUpdate = Schemas['ActivityUpdate'];
export type ActivityList = Schemas['ActivityList'];
export type StreamKey = Schemas['StreamKey'];
export type StreamSet = Schemas['StreamSet'];
export type Interval = Schemas['Interval'];
export type Zones = Schemas['Zones'];
export type ZoneBucket = Schemas['ZoneBucket'];
export type BestEffort = Schemas['BestEffort'];
export type Curves = Schemas['Curves'];
export type CurvePoint = Schemas['CurvePoint'];
export type SwimLength = Schemas['SwimLength'];
export type LengthList = Schemas['LengthList'];
export type UploadQuery = NonNullable<QueryParams<'/v1/uploads', 'post'>>;
export type ActivityListQuery = NonNullable<QueryParams<'/v1/athlete/activities', 'get'>>;
export type StreamQuery = NonNullable<QueryParams<'/v1/activities/{activity_id}/streams', 'get'>>;
/** The owner's "what others see" preview: the answers a stranger or a follower gets. */
export type ViewAs = NonNullable<NonNullable<QueryParams<'/v1/activities/{activity_id}', 'get'>>['view_as']>;
/** Reading an activity or its parts, optionally as the owner's preview (ignored for anyone else). */
export interface ActivityReadOptions extends ReadOptions {
    viewAs?: ViewAs;
}

export function activitiesApi(core: Core) {
    const one = (activityId: number) => ({ activity_id: activityId });
    const as = (viewAs: ViewAs | undefined) => (viewAs ? { view_as: viewAs } : {});
    return {
        /** POST /v1/uploads with the file as the raw body; the server decodes it afterwards (poll getUpload). */
        createUpload: (file: Blob, options: SendFileOptions<UploadQuery> = {}) => core.sendFile('/v1/uploads', file, options),
        getUpload: (uploadId: number, { signal }: ReadOptions = {}) => core.call('get', '/v1/uploads/{upload_id}', { path: { upload_id: uploadId }, signal }),
        listMyActivities: (query: ActivityListQuery = {}, { signal }: ReadOptions = {}) => core.call('get', '/v1/athlete/activities', { query, signal }),
        createActivity: (body: ActivityCreate, idempotencyKey: string) => core.call('post', '/v1/activities', { body, idempotencyKey }),
        getActivity: (activityId: number, { signal, viewAs }: ActivityReadOptions = {}) => core.call('get', '/v1/activities/{activity_id}', { path: one(activityId), query: as(viewAs), signal }),
        updateActivity: (activityId: number, body: ActivityUpdate) => core.call('patch', '/v1/activities/{activity_id}', { path: one(activityId), body }),
        deleteActivity: (activityId: number) => core.call('delete', '/v1/activities/{activity_id}', { path: one(activityId) }),
        getActivityStreams: (activityId: number, query: StreamQuery = {}, { signal, viewAs }: ActivityReadOptions = {}) =>
            core.call('get', '/v1/activities/{activity_id}/streams', { path: one(activityId), query: { ...query, ...as(viewAs) }, signal }),
        getActivityLaps: (activityId: number, { signal, viewAs }: ActivityReadOptions = {}) => core.call('get', '/v1/activities/{activity_id}/laps', { path: one(activityId), query: as(viewAs), signal }),
        getActivitySplits: (activityId: number, { signal, viewAs }: ActivityReadOptions = {}) => core.call('get', '/v1/activities/{activity_id}/splits', { path: one(activityId), query: as(viewAs), signal }),
        getActivityLengths: (activityId: number, { signal, viewAs }: ActivityReadOptions = {}) => core.call('get', '/v1/activities/{activity_id}/lengths', { path: one(activityId), query: as(viewAs), signal }),
        getActivityZones: (activityId: number, { signal, viewAs }: ActivityReadOptions = {}) => core.call('get', '/v1/activities/{activity_id}/zones', { path: one(activityId), query: as(viewAs), signal }),
        getActivityCurves: (activityId: number, { signal, viewAs }: ActivityReadOptions = {}) => core.call('get', '/v1/activities/{activity_id}/curves', { path: one(activityId), query: as(viewAs), signal }),
        getActivityBestEfforts: (activityId: number, { signal, viewAs }: ActivityReadOptions = {}) => core.call('get', '/v1/activities/{activity_id}/best-efforts', { path: one(activityId), query: as(viewAs), signal }),
        exportActivityGpx: (activityId: number) => core.download('/v1/activities/{activity_id}/export.gpx', one(activityId)),
        getActivityOriginal: (activityId: number) => core.download('/v1/activities/{activity_id}/original', one(activityId)),
    };
}

export type ActivitiesApi = ReturnType<typeof activitiesApi>;
