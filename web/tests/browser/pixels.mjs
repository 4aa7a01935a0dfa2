// Compares two PNG screenshots pixel by pixel inside Chromium (its image decoder and a canvas), so
// the screenshot tests need no image library. Used by styleguide.test.mjs.

/**
 * Compares `actual` with `expected` (PNG buffers). A pixel differs when any channel is more than
 * `channelTolerance` (0–255) apart, which absorbs anti-aliasing noise but not a moved edge or a
 * changed colour. Resolves to the sizes, the number and share of differing pixels, and a diff
 * PNG (differing pixels red over a faded copy of `expected`), or `sizeMismatch` without a diff.
 * @param {import('playwright-core').Browser} browser
 * @param {Buffer} actual
 * @param {Buffer} expected
 * @param {{ channelTolerance?: number }} [options]
 */
export async function comparePngs(browser, actual, expected, { channelTolerance = 8 } = {}) {
    const context = await browser.newContext();
    try {
        const page = await context.newPage();
        const result = await page.evaluate(
            async ({ a, b, tolerance }) => {
                async function pixels(base64) {
                    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
                    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
                    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
                    const context2d = canvas.getContext('2d');
                    context2d.drawImage(bitmap, 0, 0);
                    return { width: bitmap.width, height: bitmap.height, data: context2d.getImageData(0, 0, bitmap.width, bitmap.height).data };
                }
                const [left, right] = await Promise.all([pixels(a), pixels(b)]);
                const sizes = { actual: `${left.width}×${left.height}`, expected: `${right.width}×${right.height}` };
                if (left.width !== right.width || left.height !== right.height) {
                    return { ...sizes, sizeMismatch: true, differing: left.width * left.height, total: left.width * left.height };
                }
                const canvas = new OffscreenCanvas(left.width, left.height);
                const context2d = canvas.getContext('2d');
                const diff = context2d.createImageData(left.width, left.height);
                let differing = 0;
                for (let i = 0; i < left.data.length; i += 4) {
                    let apart = false;
                    for (let c = 0; c < 4 && !apart; c++) {
                        apart = Math.abs(left.data[i + c] - right.data[i + c]) > tolerance;
                    }
                    if (apart) {
                        differing += 1;
                        diff.data.set([255, 0, 0, 255], i);
                    } else {
                        const grey = (right.data[i] + right.data[i + 1] + right.data[i + 2]) / 3;
                        const faded = 255 - (255 - grey) * 0.25;
                        diff.data.set([faded, faded, faded, 255], i);
                    }
                }
                context2d.putImageData(diff, 0, 0);
                const blob = await canvas.convertToBlob({ type: 'image/png' });
                const buffer = new Uint8Array(await blob.arrayBuffer());
                let binary = '';
                for (let i = 0; i < buffer.length; i += 0x8000) {
                    binary += String.fromCharCode(...buffer.subarray(i, i + 0x8000));
                }
                return { ...sizes, sizeMismatch: false, differing, total: left.width * left.height, diff: btoa(binary) };
            },
            { a: actual.toString('base64'), b: expected.toString('base64'), tolerance: channelTolerance },
        );
        return {
            ...result,
            ratio: result.total > 0 ? result.differing / result.total : 0,
            diff: result.diff ? Buffer.from(result.diff, 'base64') : null,
        };
    } finally {
        await context.close();
    }
}
