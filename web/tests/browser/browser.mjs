// Shared set-up for the browser tests: Debian's Chromium driven by playwright-core (never a
// downloaded browser), a phone-sized context, screenshots into test-artifacts/browser/.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { kFastHash, kRoomyLimits, repoRoot, startServer, uniqueEmail as kitEmail } from '../../../tests/e2e/kit.mjs';

export const artifactsDir = join(repoRoot, 'test-artifacts', 'browser');

const kChromiumArgs = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
];

/** Fails early with a useful message when the web app was not built. */
export function requireWebBuild() {
    const index = join(repoRoot, 'web', 'dist', 'index.html');
    if (!existsSync(index)) {
        throw new Error('web/dist is missing: run `npm run build` in web/ first');
    }
}

/** Launches Chromium; playwright gives every launch a fresh temporary user-data dir. */
export async function launchBrowser() {
    const executablePath = process.env.STRAVA1_TEST_CHROMIUM || '/usr/bin/chromium';
    if (!existsSync(executablePath)) {
        throw new Error(`Chromium not found at ${executablePath} (apt-get install chromium, or set STRAVA1_TEST_CHROMIUM)`);
    }
    return chromium.launch({ executablePath, headless: true, args: kChromiumArgs });
}

/** A fresh phone-sized context (own storage, cookies and service workers). */
export async function newPhoneContext(browser, baseURL) {
    const context = await browser.newContext({
        baseURL,
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        locale: 'en-US',
        timezoneId: 'UTC',
        serviceWorkers: 'allow',
    });
    context.setDefaultTimeout(15_000);
    return context;
}

/**
 * A context signed in as `user` (its refresh token in storage before the app starts), with CSP
 * bypassed so axe can be injected; `size` adds viewport / isMobile / hasTouch.
 */
export async function signedInContext(browser, server, user, size) {
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-US', timezoneId: 'UTC', serviceWorkers: 'block', bypassCSP: true, ...size });
    context.setDefaultTimeout(20_000);
    await context.addInitScript((token) => {
        if (!localStorage.getItem('strava1.refresh_token')) {
            localStorage.setItem('strava1.refresh_token', token);
        }
    }, user.refresh_token);
    return context;
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe's serious and critical WCAG A/AA violations on the page as it is, summarised. */
export async function seriousAxeViolations(page) {
    await page.addScriptTag({ path: axePath });
    const result = await page.evaluate(() =>
        window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] }),
    );
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Collects page errors and failed console messages, for assertions and for failure reports. A
 * map tile that fails to load is left out: the test server has no tile upstream, and maps fall
 * back to their grid on purpose (the map tests check that fallback themselves).
 */
export function watchConsole(page) {
    const problems = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
        const source = message.location()?.url ?? '';
        if (message.type() === 'error' && !/^https?:\/\/[^/]+\/v1\/tiles\//.test(source)) {
            problems.push(`console: ${message.text()}`);
        }
    });
    return problems;
}

export async function screenshot(page, name, { fullPage = true } = {}) {
    await mkdir(artifactsDir, { recursive: true });
    await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage });
}

/**
 * Runs `fn` with a fresh phone context; when it throws, every open page is screenshotted as
 * FAILED-<name>-<n>.png before the context closes.
 */
export async function withPhone(browser, baseURL, name, fn) {
    const context = await newPhoneContext(browser, baseURL);
    try {
        return await fn(context);
    } catch (error) {
        for (const [index, page] of context.pages().entries()) {
            await screenshot(page, `FAILED-${name}-${index}`).catch(() => undefined);
        }
        throw error;
    } finally {
        await context.close();
    }
}

export async function saveText(name, text) {
    await mkdir(artifactsDir, { recursive: true });
    await writeFile(join(artifactsDir, name), text);
}

/** A unique address per run so tests never collide on the email's uniqueness (the kit's, under the name the screens are given). */
export const uniqueEmail = kitEmail;

// Cheap password hashing and no rate limiting in the way of a handful of sign-ups per minute.
const kServerArgs = [kFastHash, ...kRoomyLimits];

/**
 * Starts the real server and Chromium for one suite; when `t` ends, closes both and keeps the
 * server's log as test-artifacts/browser/<logName>, saying so loudly when the server died.
 */
export async function startSuite(t, logName) {
    requireWebBuild();
    const server = await startServer({ args: kServerArgs });
    const browser = await launchBrowser();
    t.after(async () => {
        await browser.close();
        const crashed = server.proc.exitCode !== null || server.proc.signalCode !== null;
        await server.stop();
        await saveText(logName, server.logs());
        if (crashed) {
            process.stderr.write(`\n*** strava1 exited during the browser tests: see test-artifacts/browser/${logName} ***\n\n`);
        }
    });
    return { server, browser };
}
