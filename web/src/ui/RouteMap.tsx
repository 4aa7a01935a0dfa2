// A route drawn as SVG. Always works without tiles (a plain, gridded background); when a tile URL
// template is configured, raster tiles are laid under the route in the same Web Mercator frame.
import { fitViewport, project, routePath, tilesFor, tileUrl, type LatLng } from '../geo';
import './RouteMap.css';

const kTileUrlKey = 'strava1.tile_url';
const kTileAttributionKey = 'strava1.tile_attribution';

function stored(key: string): string | null {
    try {
        return typeof localStorage === 'undefined' ? null : localStorage.getItem(key);
    } catch {
        return null;
    }
}

/** Stores (or with an empty value, removes) the tile URL template on this device. */
export function setTileUrl(template: string): void {
    try {
        if (template.trim() === '') {
            localStorage.removeItem(kTileUrlKey);
        } else {
            localStorage.setItem(kTileUrlKey, template.trim());
        }
    } catch {
        // Storage refused (private mode): maps stay without tiles.
    }
}

export function storedTileUrl(): string {
    return stored(kTileUrlKey) ?? '';
}

/** A usable template names {z}, {x} and {y} and is http(s). */
export function isTileTemplate(template: string): boolean {
    return /^https?:\/\//.test(template) && /\{z\}/.test(template) && /\{x\}/.test(template) && /\{y\}/.test(template);
}

/**
 * The tile source: localStorage `strava1.tile_url` (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png),
 * else the build's VITE_TILE_URL, else none (nothing is fetched from elsewhere by default).
 */
export function tileSource(): { template: string; attribution: string } | null {
    const template = stored(kTileUrlKey) || (import.meta.env.VITE_TILE_URL as string | undefined) || '';
    if (!isTileTemplate(template)) {
        return null;
    }
    const attribution =
        stored(kTileAttributionKey) ||
        (import.meta.env.VITE_TILE_ATTRIBUTION as string | undefined) ||
        (/openstreetmap/i.test(template) ? '© OpenStreetMap contributors' : '');
    return { template, attribution };
}

interface RouteMapProps {
    points: readonly LatLng[];
    /** What the map shows, for screen readers. */
    label: string;
    width?: number;
    height?: number;
    /** Draw tiles (when configured); thumbnails never do. */
    tiles?: boolean;
    class?: string;
}

export function RouteMap({ points, label, width = 640, height = 400, tiles = true, class: className }: RouteMapProps) {
    const source = tiles ? tileSource() : null;
    // Tile servers stop around zoom 18; a drawing alone can zoom in on a short route as far as it needs.
    const view = fitViewport(points, width, height, { padding: Math.round(Math.min(width, height) * 0.08), maxZoom: source ? 18 : 22 });
    if (!view) {
        return null;
    }
    const ends = [points[0]!, points[points.length - 1]!].map((point) => {
        const { x, y } = project(point, view.zoom);
        return { x: x - view.left, y: y - view.top };
    });
    const d = routePath(points, view);
    const stroke = Math.max(2, Math.min(width, height) / 90);
    return (
        <figure class={`map ${className ?? ''}`}>
            <svg class="map__svg" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} data-testid="route-map">
                <rect class="map__bg" x="0" y="0" width={width} height={height} />
                {source ? (
                    tilesFor(view).map((tile) => (
                        <image key={`${tile.z}/${tile.x}/${tile.y}/${tile.left}`} href={tileUrl(source.template, tile)} x={tile.left} y={tile.top} width={tile.size + 0.5} height={tile.size + 0.5} preserveAspectRatio="none" />
                    ))
                ) : (
                    <MapGrid width={width} height={height} />
                )}
                <path class="map__casing" d={d} stroke-width={stroke * 2.2} />
                <path class="map__route" d={d} stroke-width={stroke} data-testid="route-path" />
                <circle class="map__start" cx={ends[0]!.x} cy={ends[0]!.y} r={stroke * 2.4} />
                <circle class="map__end" cx={ends[1]!.x} cy={ends[1]!.y} r={stroke * 2.4} />
            </svg>
            {source?.attribution ? <figcaption class="map__attribution">{source.attribution}</figcaption> : null}
        </figure>
    );
}

function MapGrid({ width, height }: { width: number; height: number }) {
    const step = Math.max(width, height) / 12;
    const lines: string[] = [];
    for (let x = step; x < width; x += step) {
        lines.push(`M${x.toFixed(1)} 0V${height}`);
    }
    for (let y = step; y < height; y += step) {
        lines.push(`M0 ${y.toFixed(1)}H${width}`);
    }
    return <path class="map__grid" d={lines.join('')} />;
}

/** A small route picture for lists (no tiles, no markers). */
export function RouteThumb({ points, size = 64 }: { points: readonly LatLng[]; size?: number }) {
    const view = fitViewport(points, 100, 100, { padding: 10, maxZoom: 22 });
    if (!view || points.length < 2) {
        return <span class="thumb thumb--empty" style={{ width: `${size}px`, height: `${size}px` }} aria-hidden="true" />;
    }
    return (
        <svg class="thumb" width={size} height={size} viewBox="0 0 100 100" aria-hidden="true" data-testid="route-thumb">
            <path class="thumb__route" d={routePath(points, view)} />
        </svg>
    );
}
