// HTTP plumbing with no knowledge of the API: URLs from OpenAPI path templates, query strings,
// file names of downloads, and a transport for request bodies that reports upload progress.

export function expandPath(template: string, params: Record<string, string | number> | undefined): string {
    return template.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
        const value = params?.[name];
        if (value === undefined) {
            throw new Error(`missing path parameter ${name} for ${template}`);
        }
        return encodeURIComponent(String(value));
    });
}

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];

/** `?a=1&b=x,y` from a query object: absent values are left out, arrays are comma-joined (OpenAPI form, explode: false). */
export function queryString(query: Readonly<Record<string, QueryValue>> | undefined): string {
    const parts: string[] = [];
    for (const [key, value] of Object.entries(query ?? {})) {
        if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
            continue;
        }
        const text = Array.isArray(value) ? value.join(',') : String(value);
        parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
    }
    return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** A request with a non-JSON body (a file), reporting upload progress. */
export interface ByteRequest {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: Blob | ArrayBuffer | string;
    /** Bytes sent so far and in all; called as the body goes out. */
    onProgress?: ((sent: number, total: number) => void) | undefined;
    signal?: AbortSignal | undefined;
}

/** Sends a ByteRequest; rejects (like fetch) when the server cannot be reached. */
export type SendBytes = (request: ByteRequest) => Promise<Response>;

export interface KeyValueStorage {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
}

export function memoryStorage(): KeyValueStorage {
    const map = new Map<string, string>();
    return {
        getItem: (key) => map.get(key) ?? null,
        setItem: (key, value) => void map.set(key, value),
        removeItem: (key) => void map.delete(key),
    };
}

/** A downloaded file. */
export interface Download {
    blob: Blob;
    /** From Content-Disposition, when the server named the file. */
    filename: string | null;
}

/** The file name of a Content-Disposition value (`attachment; filename="a.gpx"`), or null. */
export function dispositionFilename(header: string | null): string | null {
    if (!header) {
        return null;
    }
    const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
    if (extended?.[1]) {
        try {
            return decodeURIComponent(extended[1].trim());
        } catch {
            // A malformed escape: fall back to the plain parameter.
        }
    }
    const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(header);
    const name = (plain?.[1] ?? plain?.[2])?.trim();
    return name ? name : null;
}

/** Response headers as XMLHttpRequest reports them, for a Response. */
function parseHeaders(raw: string): Headers {
    const headers = new Headers();
    for (const line of raw.trim().split(/[\r\n]+/)) {
        const colon = line.indexOf(':');
        if (colon > 0) {
            headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
        }
    }
    return headers;
}

/** SendBytes over XMLHttpRequest: fetch has no upload progress events. */
export const xhrSendBytes: SendBytes = (request) =>
    new Promise<Response>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open(request.method, request.url);
        for (const [name, value] of Object.entries(request.headers)) {
            xhr.setRequestHeader(name, value);
        }
        if (request.onProgress) {
            const report = request.onProgress;
            xhr.upload.addEventListener('progress', (event) => {
                if (event.lengthComputable) {
                    report(event.loaded, event.total);
                }
            });
        }
        xhr.addEventListener('load', () => {
            // A Response cannot carry a body with these statuses.
            const empty = xhr.status === 204 || xhr.status === 205 || xhr.status === 304;
            resolve(new Response(empty ? null : xhr.responseText, { status: xhr.status, statusText: xhr.statusText, headers: parseHeaders(xhr.getAllResponseHeaders()) }));
        });
        xhr.addEventListener('error', () => reject(new TypeError('network error')));
        xhr.addEventListener('timeout', () => reject(new TypeError('timeout')));
        xhr.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        request.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
        xhr.send(request.body);
    });
