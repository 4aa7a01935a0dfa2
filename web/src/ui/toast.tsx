// Toasts: short confirmations and failures that do not belong to one form.
import { signal } from '@preact/signals';
import './toast.css';

export type ToastTone = 'info' | 'success' | 'error';

export interface Toast {
    id: number;
    tone: ToastTone;
    message: string;
}

export const toasts = signal<Toast[]>([]);
let nextId = 1;
const kToastMs = 4000;

export function dismissToast(id: number): void {
    toasts.value = toasts.value.filter((toast) => toast.id !== id);
}

export function showToast(message: string, tone: ToastTone = 'info'): number {
    const id = nextId++;
    // Keep at most three on screen; the oldest goes first.
    toasts.value = [...toasts.value.slice(-2), { id, tone, message }];
    setTimeout(() => dismissToast(id), kToastMs);
    return id;
}

/** One toast; the Toaster shows the live ones, the style guide a sample. */
export function ToastView({ toast, onDismiss }: { toast: Toast; onDismiss: () => void }) {
    return (
        <div class={`toast toast--${toast.tone}`} role={toast.tone === 'error' ? 'alert' : 'status'}>
            <span class="toast__message">{toast.message}</span>
            <button type="button" class="toast__close" aria-label="Dismiss" onClick={onDismiss}>
                ×
            </button>
        </div>
    );
}

export function Toaster() {
    return (
        <div class="toaster" aria-live="polite" aria-atomic="false">
            {toasts.value.map((toast) => (
                <ToastView key={toast.id} toast={toast} onDismiss={() => dismissToast(toast.id)} />
            ))}
        </div>
    );
}
