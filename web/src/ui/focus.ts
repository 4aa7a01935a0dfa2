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
