import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { budget } from './scripts/budget.ts';
import { pwa } from './scripts/pwa.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// `npm run dev` proxies the API to a running server (`strava1 serve`, default port 8080). Not a
// STRAVA1_* name: the server refuses STRAVA1_* variables it does not know.
const apiTarget = process.env.DEV_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
    plugins: [
        preact(),
        pwa({
            openapiPath: here('../docs/api/openapi.yaml'),
            publicDir: here('./public'),
            swTemplatePath: here('./src/service-worker/sw.js'),
        }),
        // The initial JavaScript stays ≤ 200 KiB gzipped; the map library only ever loads lazily.
        budget({ lazyOnly: [/[\\/]node_modules[\\/]leaflet[\\/]/] }),
    ],
    build: {
        outDir: 'dist',
        emptyOutDir: true,
        sourcemap: true,
        target: 'es2022',
    },
    server: {
        proxy: {
            '/v1': { target: apiTarget, ws: true },
            '/openapi.json': apiTarget,
            '/docs': apiTarget,
        },
    },
    test: {
        include: ['tests/unit/**/*.test.ts'],
        environment: 'node',
    },
});
