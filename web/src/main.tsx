import { render } from 'preact';
import { App } from './app';
import { startSession } from './state/session';
import './ui/tokens.css';
import './ui/ui.css';

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
