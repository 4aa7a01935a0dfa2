// "Report" on someone else's activity, post, comment or profile: a sheet with the reasons the API
// accepts and an optional note, filed with POST /v1/reports (ADR 0024). Reporting the same thing
// again while the first report is open answers that report, so the same thanks shows.
import { useState } from 'preact/hooks';
import { social } from '../api';
import { assertValid, useSubmit } from '../hooks/submit';
import { Button, ProblemView, SelectField, Sheet, TextAreaField, showToast, type SelectOption } from '../ui';
import { withRetryHint } from './limits';
import { kMaxReportNote as kMaxNote, kReportReasons, kReportThanks, type ReportKind, type ReportReason as Reason } from './report';

const kWhat: Record<ReportKind, string> = { activity: 'activity', post: 'post', comment: 'comment', user: 'profile' };

export interface ReportSheetProps {
    open: boolean;
    kind: ReportKind;
    id: number;
    onClose: () => void;
}

export function ReportSheet({ open, kind, id, onClose }: ReportSheetProps) {
    return (
        <Sheet open={open} title={`Report this ${kWhat[kind]}`} onCancel={onClose} testId="report-sheet">
            {open ? <ReportForm kind={kind} id={id} onClose={onClose} /> : null}
        </Sheet>
    );
}

function ReportForm({ kind, id, onClose }: { kind: ReportKind; id: number; onClose: () => void }) {
    const [reason, setReason] = useState('');
    const [note, setNote] = useState('');
    const options: SelectOption[] = [{ value: '', label: 'Choose a reason' }, ...kReportReasons];
    const send = useSubmit(
        async () => {
            const trimmed = note.trim();
            assertValid(reason === '' ? { reason: 'Choose a reason.' } : trimmed.length > kMaxNote ? { note: `Keep it to ${kMaxNote} characters.` } : {});
            await social.createReport({ kind, id, reason: reason as Reason, ...(trimmed ? { note: trimmed } : {}) });
            showToast(kReportThanks, 'success');
            onClose();
        },
        { problemOf: withRetryHint },
    );
    return (
        <form noValidate onSubmit={send.onSubmit} data-testid="report-form">
            <SelectField label="Why are you reporting it?" name="reason" value={reason} onValue={setReason} options={options} error={send.errors.reason} />
            <TextAreaField label="Anything a moderator should know? (optional)" name="note" value={note} onValue={setNote} maxLength={kMaxNote} rows={3} error={send.errors.note} />
            <ProblemView problem={send.problem} fields={['reason', 'note']} />
            <div class="button-row">
                <Button type="submit" busy={send.busy} data-testid="report-send">
                    Report
                </Button>
                <Button variant="ghost" onClick={onClose}>
                    Cancel
                </Button>
            </div>
        </form>
    );
}
