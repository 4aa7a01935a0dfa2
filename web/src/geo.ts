// Geometry for routes on screen: distances on the sphere, Google encoded polylines, and the Web
// Mercator projection that map tiles use (EPSG:3857, 256-pixel tiles, y growing southwards), for
// the SVG drawings of routes (the live map is Leaflet's, map/).

/** [latitude, longitude] in degrees, as the API sends them. */
export type LatLng = readonly [number, number];

/** Mean Earth radius (IUGG), the usual choice for haversine. */
export const kEarthRadiusM = 6_371_008.8;

const rad = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance; within 0.5 % of the ellipsoid, plenty for a workout. */
export function haversineM(a: LatLng, b: LatLng): number {
    const dLat = rad(b[0] - a[0]);
    const dLng = rad(b[1] - a[1]);
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[0])) * Math.cos(rad(b[0])) * Math.sin(dLng / 2) ** 2;
    return 2 * kEarthRadiusM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function pathLengthM(points: readonly LatLng[]): number {
    let total = 0;
    for (let i = 1; i < points.length; i++) {
        total += haversineM(points[i - 1]!, points[i]!);
    }
    return total;
}

/** Decodes a Google encoded polyline. Malformed input ends the line where it breaks. */
export function decodePolyline(encoded: string, precision = 5): [number, number][] {
    const factor = 10 ** precision;
    const points: [number, number][] = [];
    let index = 0;
    let lat = 0;
    let lng = 0;
    const next = (): number | null => {
        let result = 0;
        let shift = 0;
        for (;;) {
            if (index >= encoded.length) {
                return null;
            }
            const byte = encoded.charCodeAt(index++) - 63;
            if (byte < 0 || byte > 63) {
                return null;
            }
            result |= (byte & 0x1f) << shift;
            shift += 5;
            if (byte < 0x20) {
                break;
            }
            if (shift > 30) {
                return null;
            }
        }
        return result & 1 ? ~(result >> 1) : result >> 1;
    };
    while (index < encoded.length) {
        const dLat = next();
        const dLng = next();
        if (dLat === null || dLng === null) {
            break;
        }
        lat += dLat;
        lng += dLng;
        points.push([lat / factor, lng / factor]);
    }
    return points;
}

export function encodePolyline(points: readonly LatLng[], precision = 5): string {
    const factor = 10 ** precision;
    let out = '';
    let lastLat = 0;
    let lastLng = 0;
    const put = (value: number) => {
        let v = value < 0 ? ~(value << 1) : value << 1;
        while (v >= 0x20) {
            out += String.fromCharCode((0x20 | (v & 0x1f)) + 63);
            v >>= 5;
        }
        out += String.fromCharCode(v + 63);
    };
    for (const [latDeg, lngDeg] of points) {
        const lat = Math.round(latDeg * factor);
        const lng = Math.round(lngDeg * factor);
        put(lat - lastLat);
        put(lng - lastLng);
        lastLat = lat;
        lastLng = lng;
    }
    return out;
}

export const kTileSize = 256;
/** Web Mercator stops here so the world stays square. */
const kMaxLatitude = 85.05112878;

/** World pixel coordinates at `zoom` (the world is 256·2^zoom pixels wide). */
export function project([lat, lng]: LatLng, zoom: number): { x: number; y: number } {
    const size = kTileSize * 2 ** zoom;
    const clamped = Math.max(-kMaxLatitude, Math.min(kMaxLatitude, lat));
    const sin = Math.sin(rad(clamped));
    return {
        x: ((lng + 180) / 360) * size,
        y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * size,
    };
}

export function unproject({ x, y }: { x: number; y: number }, zoom: number): [number, number] {
    const size = kTileSize * 2 ** zoom;
    const lng = (x / size) * 360 - 180;
    const n = Math.PI - (2 * Math.PI * y) / size;
    const lat = (180 / Math.PI) * Math.atan(Math.sinh(n));
    return [lat, lng];
}

export interface Viewport {
    zoom: number;
    /** The top-left corner in world pixels at `zoom`. */
    left: number;
    top: number;
    width: number;
    height: number;
}

/**
 * The viewport that shows every point in width × height with `padding` pixels to spare, centred
 * on the points' bounding box, at the highest zoom up to maxZoom (fractional unless `whole`).
 * Null without points.
 */
export function fitViewport(points: readonly LatLng[], width: number, height: number, { padding = 16, maxZoom = 17, whole = false } = {}): Viewport | null {
    if (points.length === 0) {
        return null;
    }
    const box = (zoom: number) => {
        let minX = Infinity;
        let minY = Infinity;
        let maxX = -Infinity;
        let maxY = -Infinity;
        for (const point of points) {
            const { x, y } = project(point, zoom);
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
        }
        return { minX, minY, maxX, maxY };
    };
    // Pixel extents double with each zoom level, so measure once at 0 and solve for the zoom.
    const base = box(0);
    const spanX = base.maxX - base.minX;
    const spanY = base.maxY - base.minY;
    const room = (available: number, span: number) => (span <= 0 ? Infinity : Math.log2(Math.max(1, available - 2 * padding) / span));
    const fit = Math.min(maxZoom, room(width, spanX), room(height, spanY));
    const zoom = Math.max(0, whole ? Math.floor(fit) : fit);
    const at = box(zoom);
    return {
        zoom,
        left: (at.minX + at.maxX) / 2 - width / 2,
        top: (at.minY + at.maxY) / 2 - height / 2,
        width,
        height,
    };
}

/** An SVG path ("M x y L x y …") of points in viewport pixels, rounded to 0.1 px. */
export function routePath(points: readonly LatLng[], view: Viewport, breaks: readonly number[] = []): string {
    const starts = new Set(breaks);
    let d = '';
    for (const [i, point] of points.entries()) {
        const { x, y } = project(point, view.zoom);
        d += `${i === 0 || starts.has(i) ? 'M' : 'L'}${(x - view.left).toFixed(1)} ${(y - view.top).toFixed(1)}`;
    }
    return d;
}

/**
 * The items cut into runs at `breaks` (ascending indexes where a run begins, as the API's
 * `breaks`, `polyline_breaks` and `summary_polyline_breaks` give them: points hidden by a privacy
 * zone lie between). A route is drawn one line per run, never across a hidden part. Out-of-range
 * or repeated indexes are ignored; no empty run is returned.
 */
export function splitAtBreaks<T>(items: readonly T[], breaks: readonly number[] = []): T[][] {
    const runs: T[][] = [];
    let from = 0;
    for (const at of breaks) {
        if (at > from && at < items.length) {
            runs.push(items.slice(from, at));
            from = at;
        }
    }
    if (from < items.length) {
        runs.push(items.slice(from));
    }
    return runs;
}
