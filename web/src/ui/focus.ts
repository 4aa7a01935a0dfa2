// Keeping keyboard focus inside a modal sheet (pure parts, unit-tested): which element Tab goes to
// next, wrapping at either end, so focus never falls behind the sheet.

const kFocusable = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The focusable elements inside `root`, in document order. */
export function focusables(root: ParentNode): HTMLElement[] {
    return [...root.querySelectorAll<HTMLElement>(kFocusable)];
}

/**
 * Where Tab (or Shift+Tab when `backwards`) should go among `count` focusables when focus is on
 * `index` (-1: on none of them), or null when the browser's own move stays inside.
 */
export function wrapFocus(count: number, index: number, backwards: boolean): number | null {
    if (count === 0) {
        return null;
    }
    if (index === -1) {
        return backwards ? count - 1 : 0;
    }
    if (backwards && index === 0) {
        return count - 1;
    }
    if (!backwards && index === count - 1) {
        return 0;
    }
    return null;
}

const kInvalid = '[aria-invalid="true"], .field--invalid input, .field--invalid select, .field--invalid textarea';

/** The first control marked invalid inside `root`, in document order. */
export function firstInvalid(root: ParentNode): HTMLElement | null {
    return root.querySelector<HTMLElement>(kInvalid);
}

/** "Email: Enter an email address …" for each invalid field inside `root`, in document order. */
export function invalidSummary(root: ParentNode): string {
    return [...root.querySelectorAll<HTMLElement>('.field--invalid')]
        .map((field) => {
            const label = field.querySelector('.field__label')?.textContent?.trim() ?? '';
            const error = field.querySelector('.field__error')?.textContent?.trim() ?? '';
            return label ? `${label}: ${error}` : error;
        })
        .filter(Boolean)
        .join(' ');
}

/** Brings `element` into view (smoothly unless the user asked for less motion) and focuses it. */
export function revealAndFocus(element: HTMLElement): void {
    const reduce = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
    element.scrollIntoView({ block: 'center', behavior: reduce ? 'auto' : 'smooth' });
    element.focus({ preventScroll: true });
}
