// Styles first: tokens.css declares the cascade layers, which must precede every other style.
import './ui/tokens.css';
import './ui/base.css';
import { render } from 'preact';
import { App } from './app';
import { startSession } from './state/session';

const root = document.getElementById('app');
if (root) {
    root.textContent = '';
    render(<App />, root);
}
void startSession();

if (import.meta.env.PROD && 'serviceWorker' in navigator) {
    // The worker is generated at build time (scripts/pwa.ts); there is none in `vite dev`.
    window.addEventListener('load', () => {
        navigator.serviceWorker.register('/sw.js').catch((error: unknown) => {
            console.warn('service worker registration failed', error);
        });
    });
}
