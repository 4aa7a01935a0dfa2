// Two live regions for the whole app, made once: "polite" for what a form found in its fields (read
// after the user's current speech), "assertive" for what must interrupt. They exist from the first
// import, before anything is written to them: a region added together with its text is not read.

export type Urgency = 'polite' | 'assertive';

function region(urgency: Urgency): HTMLElement | null {
    if (typeof document === 'undefined') {
        return null;
    }
    const id = `live-${urgency}`;
    let node = document.getElementById(id);
    if (!node) {
        node = document.createElement('div');
        node.id = id;
        node.className = 'visually-hidden';
        node.setAttribute('aria-live', urgency);
        node.setAttribute('aria-atomic', 'true');
        node.dataset.testid = id;
        document.body.append(node);
    }
    return node;
}

region('polite');
region('assertive');

/** Says `text` through the app's live region; the same text twice in a row is said twice. */
export function announce(text: string, urgency: Urgency = 'polite'): void {
    const node = region(urgency);
    if (!node) {
        return;
    }
    // Emptied first so a repeated message is a change the screen reader notices.
    node.textContent = '';
    window.setTimeout(() => {
        node.textContent = text;
    }, 30);
}
