// What a report offers (pure, for the unit tests): the reasons POST /v1/reports accepts, in the
// words a reporter reads, and the thanks every accepted report gets, a new one or a repeated one.
import type { ReportInput } from '../api/social';

export type ReportKind = ReportInput['kind'];
export type ReportReason = ReportInput['reason'];

export const kMaxReportNote = 1000;
export const kReportReasons: readonly { value: ReportReason; label: string }[] = [
    { value: 'spam', label: 'Spam' },
    { value: 'abuse', label: 'Abuse' },
    { value: 'harassment', label: 'Harassment' },
    { value: 'inappropriate', label: 'Inappropriate content' },
    { value: 'other', label: 'Something else' },
];
export const kReportThanks = 'Thanks — a moderator will review it';
