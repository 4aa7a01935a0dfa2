// Post and comment text as the app shows it: @mentions become links to the person's profile and
// web addresses become links; everything else stays plain text (never HTML). Pure, for the tests.

export type Segment = { kind: 'text'; text: string } | { kind: 'mention'; text: string; username: string } | { kind: 'link'; text: string; href: string };

const isNameChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_.]/.test(c);

// Punctuation that ends a sentence or closes a bracket is not part of an address written in prose.
const kTrailing = /[.,;:!?'")\]}>]+$/;

/**
 * Splits `text` into plain text, mentions and links. Mentions follow the server's rule
 * (MentionedNames in features/social): "@" not inside a word, then 3 to 30 of [A-Za-z0-9_.], a
 * trailing "." ending the sentence rather than the name; `username` is lower-cased. Links are
 * http(s) addresses only, so a text cannot smuggle a `javascript:` link.
 */
export function parseRichText(text: string): Segment[] {
    const out: Segment[] = [];
    let plain = '';
    const flush = () => {
        if (plain) {
            out.push({ kind: 'text', text: plain });
            plain = '';
        }
    };
    let i = 0;
    while (i < text.length) {
        const c = text[i]!;
        if (c === '@' && !isNameChar(text[i - 1])) {
            let end = i + 1;
            while (end < text.length && isNameChar(text[end])) {
                end++;
            }
            const name = text.slice(i + 1, end);
            const trimmed = name.replace(/\.+$/, '');
            if (trimmed.length >= 3 && trimmed.length <= 30) {
                flush();
                out.push({ kind: 'mention', text: `@${trimmed}`, username: trimmed.toLowerCase() });
                plain += name.slice(trimmed.length);
                i = end;
                continue;
            }
        }
        if ((c === 'h' || c === 'H') && (i === 0 || /[\s(<[{"']/.test(text[i - 1]!))) {
            const match = /^https?:\/\/[^\s<>"]+/i.exec(text.slice(i));
            if (match) {
                const raw = match[0];
                const address = raw.replace(kTrailing, '');
                if (/^https?:\/\/[^/?#]+/i.test(address)) {
                    flush();
                    out.push({ kind: 'link', text: address, href: address });
                    i += address.length;
                    continue;
                }
            }
        }
        plain += c;
        i++;
    }
    flush();
    return out;
}

/** The lower-cased usernames a text mentions, each once, in order (as the server counts them). */
export function mentionedNames(text: string): string[] {
    const names: string[] = [];
    for (const segment of parseRichText(text)) {
        if (segment.kind === 'mention' && !names.includes(segment.username)) {
            names.push(segment.username);
        }
    }
    return names;
}
