// A route drawn as SVG on a plain grid: needs nothing from the network. The live map (map/MapView)
// shows it while Leaflet loads or when it cannot; the style page and thumbnails use it as it is.
import { fitViewport, project, routePath, type LatLng } from '../geo';
import './RouteMap.css';

interface RouteMapProps {
    points: readonly LatLng[];
    /** Indexes of `points` that begin a new line (a privacy zone hides what lies between). */
    breaks?: readonly number[];
    /** What the map shows, for screen readers. */
    label: string;
    width?: number;
    height?: number;
    /** Only the drawing, hidden from assistive technology: the caller names the map. */
    bare?: boolean;
    class?: string;
}

export function RouteMap({ points, breaks, label, width = 640, height = 400, bare = false, class: className }: RouteMapProps) {
    const view = fitViewport(points, width, height, { padding: Math.round(Math.min(width, height) * 0.08), maxZoom: 22 });
    if (!view) {
        return null;
    }
    const ends = [points[0]!, points[points.length - 1]!].map((point) => {
        const { x, y } = project(point, view.zoom);
        return { x: x - view.left, y: y - view.top };
    });
    const d = routePath(points, view, breaks);
    const stroke = Math.max(2, Math.min(width, height) / 90);
    const svg = (
        <svg
            class={bare ? 'map__svg map__svg--bare' : 'map__svg'}
            viewBox={`0 0 ${width} ${height}`}
            {...(bare ? { 'aria-hidden': 'true' } : { role: 'img', 'aria-label': label, 'data-testid': 'route-map' })}
        >
            {bare ? null : <rect class="map__bg" x="0" y="0" width={width} height={height} />}
            {bare ? null : <MapGrid width={width} height={height} />}
            <path class="map__casing" d={d} stroke-width={stroke * 2.2} />
            <path class="map__route" d={d} stroke-width={stroke} {...(bare ? {} : { 'data-testid': 'route-path' })} />
            <circle class="map__start" cx={ends[0]!.x} cy={ends[0]!.y} r={stroke * 2.4} />
            <circle class="map__end" cx={ends[1]!.x} cy={ends[1]!.y} r={stroke * 2.4} />
        </svg>
    );
    return bare ? svg : <figure class={`map ${className ?? ''}`}>{svg}</figure>;
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

/** A small route picture for lists (no tiles, no markers); `breaks` as RouteMap's. */
export function RouteThumb({ points, breaks, size = 64 }: { points: readonly LatLng[]; breaks?: readonly number[]; size?: number }) {
    const view = fitViewport(points, 100, 100, { padding: 10, maxZoom: 22 });
    if (!view || points.length < 2) {
        return <span class="thumb thumb--empty" style={{ width: `${size}px`, height: `${size}px` }} aria-hidden="true" />;
    }
    return (
        <svg class="thumb" width={size} height={size} viewBox="0 0 100 100" aria-hidden="true" data-testid="route-thumb">
            <path class="thumb__route" d={routePath(points, view, breaks)} />
        </svg>
    );
}
