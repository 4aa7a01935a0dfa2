import { describe, expect, it } from 'vitest';
import { decodePolyline, encodePolyline, fitViewport, haversineM, pathLengthM, project, routePath, unproject } from '../../src/geo';

describe('geo', () => {
    it('measures great-circle distances', () => {
        // One degree of latitude on the mean sphere: 2πR / 360.
        expect(haversineM([0, 0], [1, 0])).toBeCloseTo((2 * Math.PI * 6_371_008.8) / 360, 3);
        // Ljubljana → Vienna, about 277 km as the crow flies.
        expect(haversineM([46.0569, 14.5058], [48.2082, 16.3738]) / 1000).toBeCloseTo(277.4, 0);
        expect(haversineM([10, 20], [10, 20])).toBe(0);
        expect(pathLengthM([[0, 0], [0, 1], [0, 2]])).toBeCloseTo(2 * haversineM([0, 0], [0, 1]), 6);
    });

    it('decodes Google encoded polylines (the format documentation example)', () => {
        expect(decodePolyline('_p~iF~ps|U_ulLnnqC_mqNvxq`@')).toEqual([
            [38.5, -120.2],
            [40.7, -120.95],
            [43.252, -126.453],
        ]);
        expect(decodePolyline('')).toEqual([]);
        // A truncated string keeps the points before the break.
        expect(decodePolyline('_p~iF~ps|U_ulL')).toEqual([[38.5, -120.2]]);
    });

    it('round-trips encode and decode at 1e-5 degrees', () => {
        const points: [number, number][] = [
            [46.43498, 13.74827],
            [46.43489, 13.74819],
            [-33.8688, 151.2093],
            [0, -0.00001],
        ];
        expect(decodePolyline(encodePolyline(points))).toEqual(points);
    });

    it('projects to Web Mercator world pixels and back', () => {
        expect(project([0, 0], 0)).toEqual({ x: 128, y: 128 });
        expect(project([0, -180], 1).x).toBe(0);
        expect(project([85.05112878, 0], 0).y).toBeCloseTo(0, 4);
        // The tile of a point by the OpenStreetMap wiki's formula (tan + sec), an independent form.
        const [lat, lng] = [46.0569, 14.5058];
        const phi = (lat * Math.PI) / 180;
        const tileY = Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * 2 ** 8);
        const tileX = Math.floor(((lng + 180) / 360) * 2 ** 8);
        const { x, y } = project([lat, lng], 8);
        expect([Math.floor(x / 256), Math.floor(y / 256)]).toEqual([tileX, tileY]);
        expect(tileY).toBe(91);
        const back = unproject(project([46.0569, 14.5058], 12), 12);
        expect(back[0]).toBeCloseTo(46.0569, 9);
        expect(back[1]).toBeCloseTo(14.5058, 9);
    });

    it('fits a route into the viewport with the padding to spare', () => {
        const route: [number, number][] = [
            [46.43, 13.73],
            [46.44, 13.75],
            [46.435, 13.76],
        ];
        const view = fitViewport(route, 640, 400, { padding: 20 })!;
        const xs = route.map((p) => project(p, view.zoom).x - view.left);
        const ys = route.map((p) => project(p, view.zoom).y - view.top);
        expect(Math.min(...xs)).toBeGreaterThanOrEqual(20 - 1e-6);
        expect(Math.max(...xs)).toBeLessThanOrEqual(620 + 1e-6);
        expect(Math.min(...ys)).toBeGreaterThanOrEqual(20 - 1e-6);
        expect(Math.max(...ys)).toBeLessThanOrEqual(380 + 1e-6);
        // The limiting side touches the padding: the zoom is as high as it can be.
        expect(Math.max(Math.max(...xs) - Math.min(...xs) - 600, Math.max(...ys) - Math.min(...ys) - 360)).toBeCloseTo(0, 6);
        expect(fitViewport([], 100, 100)).toBeNull();
        expect(fitViewport([[1, 2]], 100, 100, { maxZoom: 16 })!.zoom).toBe(16);
        expect(fitViewport(route, 640, 400, { whole: true })!.zoom).toBe(Math.floor(view.zoom));
    });

    it('draws the route as an SVG path in viewport pixels', () => {
        const view = { zoom: 0, left: 0, top: 0, width: 256, height: 256 };
        expect(routePath([[0, 0], [0, 90]], view)).toBe('M128.0 128.0L192.0 128.0');
    });
});
