// Build-time pieces of the PWA and the API docs, as one Vite plugin:
// - dist/openapi.json from docs/api/openapi.yaml (the server serves it at /openapi.json),
// - dist/docs/index.html + the Redoc standalone bundle (served at /docs; no CDN, works offline),
// - dist/sw.js: the service worker with this build's precache list and version.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';
import { parse } from 'yaml';

export interface PwaOptions {
    /// docs/api/openapi.yaml
    openapiPath: string;
    /// web/public: its files are part of the shell too
    publicDir: string;
    /// web/src/service-worker/sw.js
    swTemplatePath: string;
}

/// Output files that are not part of the offline shell.
export function isPrecached(fileName: string): boolean {
    if (fileName.endsWith('.map') || fileName === 'sw.js' || fileName === 'openapi.json') {
        return false;
    }
    return !fileName.startsWith('docs/');
}

/// The precache URL list (sorted, absolute paths) for the given output file names.
export function precacheList(fileNames: Iterable<string>): string[] {
    const urls = new Set<string>();
    for (const name of fileNames) {
        if (isPrecached(name)) {
            urls.add('/' + name.split(sep).join('/'));
        }
    }
    return [...urls].sort();
}

/// Fills the service worker template. `version` changes whenever any precached byte changes.
export function renderServiceWorker(template: string, precache: string[], version: string): string {
    const rendered = template
        .replace('__VERSION__', JSON.stringify(version))
        .replace('__PRECACHE__', JSON.stringify(precache, null, 4));
    if (rendered.includes('__VERSION__') || rendered.includes('__PRECACHE__')) {
        throw new Error('service worker template has unexpected placeholders');
    }
    return rendered;
}

/// The OpenAPI YAML as pretty JSON (parse errors throw with a line number).
export function openapiJson(yamlText: string): string {
    return JSON.stringify(parse(yamlText, { prettyErrors: true }), null, 2) + '\n';
}

export function docsPage(): string {
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Strava+1 API</title>
<link rel="icon" href="/icons/icon.svg" type="image/svg+xml">
<style>body { margin: 0; }</style>
</head>
<body>
<redoc spec-url="/openapi.json" hide-download-button="false" native-scrollbars="true"></redoc>
<script src="/docs/redoc.standalone.js"></script>
</body>
</html>
`;
}

/**
 * Redoc's footer loads its logo from Redocly's CDN. The docs must not reach out of the server
 * (offline installs, privacy), so the URL becomes an empty image; Redoc then hides the logo.
 */
export function offlineRedoc(bundle: string): string {
    return bundle.replace(/https:\/\/cdn\.redoc\.ly\/[^"']*/g, 'data:,');
}

function listFiles(dir: string): string[] {
    const out: string[] = [];
    for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) {
            out.push(...listFiles(path));
        } else {
            out.push(path);
        }
    }
    return out;
}

export function pwa(options: PwaOptions): Plugin {
    const require = createRequire(import.meta.url);
    return {
        name: 'strava1-pwa',
        apply: 'build',
        // After Vite's own HTML plugin, so index.html is in the bundle and gets precached.
        enforce: 'post',
        generateBundle(_outputOptions, bundle) {
            this.emitFile({
                type: 'asset',
                fileName: 'openapi.json',
                source: openapiJson(readFileSync(options.openapiPath, 'utf8')),
            });
            this.emitFile({ type: 'asset', fileName: 'docs/index.html', source: docsPage() });
            this.emitFile({
                type: 'asset',
                fileName: 'docs/redoc.standalone.js',
                source: offlineRedoc(readFileSync(require.resolve('redoc/bundles/redoc.standalone.js'), 'utf8')),
            });

            const hash = createHash('sha256');
            const contents = new Map<string, string | Uint8Array>();
            for (const [fileName, output] of Object.entries(bundle)) {
                contents.set(fileName, output.type === 'asset' ? output.source : output.code);
            }
            for (const path of listFiles(options.publicDir)) {
                contents.set(relative(options.publicDir, path), readFileSync(path));
            }
            const precache = precacheList(contents.keys());
            if (!precache.includes('/index.html')) {
                this.error('index.html is not in the bundle: the offline shell would be incomplete');
            }
            for (const url of precache) {
                hash.update(url);
                hash.update(contents.get(url.slice(1)) ?? '');
            }
            const version = hash.digest('hex').slice(0, 16);
            this.emitFile({
                type: 'asset',
                fileName: 'sw.js',
                source: renderServiceWorker(readFileSync(options.swTemplatePath, 'utf8'), precache, version),
            });
        },
    };
}
