// The app's own confirmation for destructive actions (never window.confirm): `await
// confirmAction({...})` resolves true when the athlete confirms, false on cancel or Escape.
// <ConfirmHost /> in the app frame shows the question that is open.
import { signal } from '@preact/signals';
import { Button } from './Button';
import { Sheet } from './Sheet';

export interface ConfirmOptions {
    title: string;
    /** What happens, in plain words (also the sheet's accessible description). */
    message: string;
    /** The destructive button, e.g. "Delete activity". */
    confirmLabel: string;
    cancelLabel?: string;
    /** false for a confirmation that destroys nothing (styled primary, not danger). */
    danger?: boolean;
}

interface Pending extends ConfirmOptions {
    resolve: (confirmed: boolean) => void;
}

const pending = signal<Pending | null>(null);

export function confirmAction(options: ConfirmOptions): Promise<boolean> {
    // A second question replaces an unanswered first one, which counts as cancelled.
    pending.value?.resolve(false);
    return new Promise((resolve) => {
        pending.value = { ...options, resolve };
    });
}

function answer(confirmed: boolean): void {
    const current = pending.value;
    pending.value = null;
    current?.resolve(confirmed);
}

type ConfirmSheetProps = ConfirmOptions & { open: boolean; onAnswer: (confirmed: boolean) => void; inline?: boolean };

/** The sheet itself (the style page shows one; screens use confirmAction). */
export function ConfirmSheet({ open, title, message, confirmLabel, cancelLabel = 'Cancel', danger = true, onAnswer, inline = false }: ConfirmSheetProps) {
    const messageId = inline ? 'confirm-sheet-sample-message' : 'confirm-sheet-message';
    return (
        <Sheet
            open={open}
            title={title}
            role="alertdialog"
            describedBy={messageId}
            initialFocus='[data-testid="confirm-sheet-cancel"]'
            onCancel={() => onAnswer(false)}
            testId={inline ? 'confirm-sheet-sample' : 'confirm-sheet'}
            inline={inline}
        >
            <p id={messageId} class="sheet__message">
                {message}
            </p>
            <div class="sheet__actions">
                <Button variant={danger ? 'danger' : 'primary'} onClick={() => onAnswer(true)} data-testid="confirm-sheet-confirm">
                    {confirmLabel}
                </Button>
                {/* Cancel takes the first focus: Enter on an open question must not destroy anything. */}
                <Button variant="secondary" onClick={() => onAnswer(false)} data-testid="confirm-sheet-cancel">
                    {cancelLabel}
                </Button>
            </div>
        </Sheet>
    );
}

export function ConfirmHost() {
    const current = pending.value;
    if (!current) {
        return null;
    }
    return <ConfirmSheet open {...current} onAnswer={answer} />;
}
