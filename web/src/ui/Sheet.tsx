// A modal sheet: slides up from the bottom on a phone, a centred dialog on a wide screen. Built on
// <dialog> shown modally, so the page behind is inert to pointers and assistive technology; focus
// is kept inside (Tab wraps), Escape cancels, and focus goes back where it was when it closes.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { focusables, wrapFocus } from './focus';
import './Sheet.css';

type SheetProps = {
    open: boolean;
    /** The heading, also the sheet's accessible name. */
    title: string;
    /** Escape, the backdrop or a cancel button. */
    onCancel: () => void;
    /** 'alertdialog' for a question that interrupts (a confirmation). */
    role?: 'dialog' | 'alertdialog';
    /** Id of the element that describes the sheet (aria-describedby). */
    describedBy?: string;
    /** The element to focus first (by default the first focusable). */
    initialFocus?: string;
    testId?: string;
    /** Drawn in place, not modal (the style page's sample). */
    inline?: boolean;
    children: ComponentChildren;
};

let nextSheetId = 1;

export function Sheet({ open, title, onCancel, role = 'dialog', describedBy, initialFocus, testId, inline = false, children }: SheetProps) {
    const dialog = useRef<HTMLDialogElement>(null);
    const titleId = useRef(`sheet-title-${nextSheetId++}`).current;
    const cancel = useRef(onCancel);
    cancel.current = onCancel;

    useLayoutEffect(() => {
        const element = dialog.current;
        if (!open || !element || inline) {
            return;
        }
        const before = document.activeElement as HTMLElement | null;
        if (!element.open) {
            element.showModal();
        }
        const first = (initialFocus ? element.querySelector<HTMLElement>(initialFocus) : null) ?? focusables(element)[0];
        first?.focus();
        return () => {
            if (element.open) {
                element.close();
            }
            // Back to the control that opened the sheet, if it is still on the page.
            if (before && before.isConnected) {
                before.focus();
            }
        };
    }, [open]);

    if (!open) {
        return null;
    }
    const body = (
        <div class="sheet__panel">
            <h2 class="sheet__title" id={titleId}>
                {title}
            </h2>
            {children}
        </div>
    );
    if (inline) {
        return (
            <section class="sheet sheet--inline" aria-labelledby={titleId} data-testid={testId}>
                {body}
            </section>
        );
    }
    return (
        <dialog
            ref={dialog}
            class="sheet"
            role={role === 'alertdialog' ? 'alertdialog' : undefined}
            aria-modal="true"
            aria-labelledby={titleId}
            aria-describedby={describedBy}
            data-testid={testId}
            onCancel={(event) => {
                // Escape: the owner decides (it closes the sheet by rendering it closed).
                event.preventDefault();
                cancel.current();
            }}
            onClick={(event) => {
                // A click on the backdrop lands on the dialog element itself.
                if (event.target === dialog.current) {
                    cancel.current();
                }
            }}
            onKeyDown={(event) => {
                if (event.key !== 'Tab' || !dialog.current) {
                    return;
                }
                const list = focusables(dialog.current);
                const next = wrapFocus(list.length, list.indexOf(document.activeElement as HTMLElement), event.shiftKey);
                if (next !== null) {
                    event.preventDefault();
                    list[next]?.focus();
                }
            }}
        >
            {body}
        </dialog>
    );
}
