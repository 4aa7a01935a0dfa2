// The map itself: Leaflet over this server's tiles, with a grid underneath that shows wherever a
// tile is missing (all of them when tiles are off or offline). Loaded only by screens that show a
// map (MapView imports this module dynamically), so Leaflet stays out of the initial bundle.
// Everything is drawn as SVG or HTML from this bundle: no marker images, no request elsewhere.
import * as L from 'leaflet';
import type { LatLng } from '../geo';
import type { DistanceMark } from './marks';
import type { ColouredRun } from './route-colours';
import { attributionHtml, kTileMaxZoom, reportTile, tileSource, tilesUsable } from './tiles';
import './map.css';

export interface MapData {
    /** The route (or the track so far), one line per unbroken stretch. */
    lines: readonly (readonly LatLng[])[];
    /** When set, the route drawn in these colours over the plain line. */
    runs: readonly ColouredRun[] | null;
    /** Start and finish as the API shows them to this viewer (null: hidden or unknown). */
    start: LatLng | null;
    finish: LatLng | null;
    marks: readonly DistanceMark[];
    /** The point the chart cursor is on. */
    cursor: LatLng | null;
    /** Where the athlete is now (recording). */
    position: LatLng | null;
    /** Keep `position` in the middle of the map. */
    follow: boolean;
    /** Circles drawn on the map (privacy zones); the `selected` one has a handle to drag it. */
    circles: readonly MapCircle[];
    /** Where to look when there is no route or circle to frame. */
    centre: LatLng | null;
}

export interface MapCircle {
    id: string;
    at: LatLng;
    radiusM: number;
    selected?: boolean;
}

export interface MapOptions {
    /** The map's accessible name. */
    label: string;
    /** Points the keyboard help at its text (an element id). */
    describedBy?: string;
    reducedMotion: boolean;
    /** Called when the user moves the map themselves (so a following map stops following). */
    onUserMove?: () => void;
    /** A click or tap on the map (not a drag). */
    onPick?: (at: LatLng) => void;
    /** The selected circle's handle was dragged to `at`. */
    onMoveCircle?: (at: LatLng) => void;
    /** The map's centre after every move (keyboard, drag, zoom, framing). */
    onView?: (centre: LatLng) => void;
}

export interface MapController {
    update(data: MapData): void;
    /** Frames the route again (after a resize, or on request). */
    fit(): void;
    destroy(): void;
}

const kFollowZoom = 17;
/** A route fills the map but never zooms in past street level. */
const kFitMaxZoom = 17;

/** Grid squares that pan and zoom with the map: the look of a map without tiles. */
class GridLayer extends L.GridLayer {
    override createTile(): HTMLElement {
        const tile = document.createElement('div');
        tile.className = 'livemap__grid-tile';
        return tile;
    }
}

/**
 * Leaflet cancels the download of a tile it no longer needs by pointing the image at a data: GIF,
 * which the app's Content-Security-Policy (img-src without data:) refuses with a console error per
 * tile. Dropping the src cancels the download just as well; these two overrides do that and are
 * otherwise Leaflet 1.9's own code.
 */
class ProxyTileLayer extends L.TileLayer {}
interface TileInternals {
    _tiles: Record<string, { el: HTMLImageElement; coords: L.Coords }>;
    _tileZoom: number;
    fire(type: string, data: object): void;
}
const cancelDownload = (img: HTMLImageElement) => {
    img.onload = null;
    img.onerror = null;
    img.removeAttribute('src');
};
const gridRemoveTile = (L.GridLayer.prototype as unknown as { _removeTile(this: unknown, key: string): void })._removeTile;
Object.assign(ProxyTileLayer.prototype, {
    _removeTile(this: TileInternals, key: string) {
        const tile = this._tiles[key];
        if (tile) {
            cancelDownload(tile.el);
        }
        gridRemoveTile.call(this, key);
    },
    _abortLoading(this: TileInternals) {
        for (const key of Object.keys(this._tiles)) {
            const tile = this._tiles[key]!;
            if (tile.coords.z === this._tileZoom) {
                continue;
            }
            tile.el.onload = null;
            tile.el.onerror = null;
            if (!tile.el.complete) {
                cancelDownload(tile.el);
                tile.el.remove();
                delete this._tiles[key];
                this.fire('tileabort', { tile: tile.el, coords: tile.coords });
            }
        }
    },
});

function toLatLngs(line: readonly LatLng[]): L.LatLngExpression[] {
    return line.map(([lat, lng]) => [lat, lng] as L.LatLngTuple);
}

export function createMap(container: HTMLElement, options: MapOptions): MapController {
    const animate = !options.reducedMotion;
    const map = L.map(container, {
        zoomControl: true,
        attributionControl: true,
        zoomAnimation: animate,
        fadeAnimation: animate,
        markerZoomAnimation: animate,
        inertia: animate,
        maxZoom: kTileMaxZoom,
        minZoom: 1,
        // Quarter steps let a route fill the map (whole zooms leave up to half of it empty); the
        // buttons and keys still zoom by one.
        zoomSnap: 0.25,
        // Wheel zoom on a page that scrolls would trap the scroll; keyboard, buttons, pinch and double-click zoom remain.
        scrollWheelZoom: false,
        worldCopyJump: true,
    });
    map.attributionControl.setPrefix(false);
    // A view from the start: Leaflet defers layers added to a map without one, and a path whose
    // renderer is not placed yet fails to draw (reading its bounds); fit() frames the route next.
    map.setView([20, 0], 1, { animate: false });
    container.setAttribute('role', 'region');
    container.setAttribute('aria-roledescription', 'map');
    container.setAttribute('aria-label', options.label);
    if (options.describedBy) {
        container.setAttribute('aria-describedby', options.describedBy);
    }
    container.dataset.tiles = 'loading';

    new GridLayer({ tileSize: 256, zIndex: 0 }).addTo(map);
    // Start, finish, cursor and position above the route however often it is redrawn (a pane of
    // their own, between the route's overlay pane at 400 and the distance marks' at 600).
    map.createPane('livemap-points').style.zIndex = '450';
    let tiles: L.TileLayer | null = null;
    const tilesOff = () => {
        if (tiles) {
            map.removeLayer(tiles);
            tiles = null;
        }
        container.dataset.tiles = 'off';
    };
    let removed = false;
    if (tilesUsable()) {
        // The signed template arrives from the API; the route draws on the grid meanwhile.
        void tileSource().then((src) => {
            if (removed) {
                return;
            }
            if (!src || !src.url || !tilesUsable()) {
                tilesOff();
                return;
            }
            // A path on this origin, used as it is: new URL() would percent-encode Leaflet's {z}/{x}/{y}.
            tiles = new ProxyTileLayer(src.url, {
                maxZoom: src.max_zoom,
                minZoom: src.min_zoom,
                tileSize: src.tile_size,
                attribution: attributionHtml(src.attribution ?? ''),
                zIndex: 1,
            });
            tiles.on('tileload', () => {
                reportTile('load');
                container.dataset.tiles = 'on';
            });
            tiles.on('tileerror', (event: L.TileErrorEvent) => {
                // The grid underneath shows through a hidden tile instead of a broken image.
                event.tile.style.visibility = 'hidden';
                reportTile('error');
                if (!tilesUsable()) {
                    tilesOff();
                }
            });
            tiles.addTo(map);
        });
    } else {
        tilesOff();
    }

    const routeLayer = L.layerGroup().addTo(map);
    const runLayer = L.layerGroup().addTo(map);
    const markLayer = L.layerGroup().addTo(map);
    const pointLayer = L.layerGroup().addTo(map);
    const circleLayer = L.layerGroup().addTo(map);
    let cursorMarker: L.CircleMarker | null = null;
    let positionMarker: L.CircleMarker | null = null;
    let previous: MapData | null = null;
    let framed = false;
    let following = false;
    let bounds: L.LatLngBounds | null = null;
    /** The user panned: a resize no longer re-frames the route. */
    let dragged = false;

    const userMoved = () => {
        dragged = true;
        if (following) {
            options.onUserMove?.();
        }
    };
    // Zooming keeps the position in the middle; only dragging the map away stops following.
    map.on('dragstart', userMoved);
    if (options.onView) {
        const view = options.onView;
        map.on('moveend', () => {
            const centre = map.getCenter();
            view([centre.lat, centre.lng]);
        });
    }
    if (options.onPick) {
        const pick = options.onPick;
        map.on('click', (event: L.LeafletMouseEvent) => pick([event.latlng.lat, event.latlng.lng]));
    }

    // Exactly the points given: no simplification (it would move a privacy cut) and no clipping
    // (the whole route is one path element).
    const line = (points: readonly LatLng[], className: string, extra: L.PolylineOptions = {}) =>
        L.polyline(toLatLngs(points), { className, smoothFactor: 0, noClip: true, interactive: false, ...extra });

    function drawRoute(data: MapData): void {
        routeLayer.clearLayers();
        const coloured = data.runs !== null && data.runs.length > 0;
        bounds = null;
        for (const points of data.lines) {
            if (points.length === 0) {
                continue;
            }
            const lineBounds = L.latLngBounds(toLatLngs(points) as L.LatLngTuple[]);
            bounds = bounds ? bounds.extend(lineBounds) : lineBounds;
            line(points, 'livemap__casing').addTo(routeLayer);
            const route = line(points, coloured ? 'livemap__route livemap__route--under' : 'livemap__route').addTo(routeLayer);
            route.getElement()?.setAttribute('data-testid', 'route-path');
        }
    }

    function drawRuns(data: MapData): void {
        runLayer.clearLayers();
        for (const run of data.runs ?? []) {
            const path = line(run.points, 'livemap__run', { color: run.colour }).addTo(runLayer);
            path.getElement()?.setAttribute('data-testid', 'route-run');
        }
    }

    function drawPoints(data: MapData): void {
        markLayer.clearLayers();
        for (const mark of data.marks) {
            L.marker([mark.at[0], mark.at[1]], {
                icon: L.divIcon({ className: 'livemap__mark', html: String(mark.value), iconSize: [22, 22] }),
                interactive: false,
                keyboard: false,
            }).addTo(markLayer);
        }
        pointLayer.clearLayers();
        const end = (at: LatLng | null, kind: 'start' | 'finish') => {
            if (at) {
                const marker = L.circleMarker([at[0], at[1]], { radius: 7, className: `livemap__${kind}`, interactive: false, pane: 'livemap-points' }).addTo(pointLayer);
                marker.getElement()?.setAttribute('data-testid', `map-${kind}`);
            }
        };
        end(data.start, 'start');
        end(data.finish, 'finish');
    }

    let circleBounds: L.LatLngBounds | null = null;
    function drawCircles(data: MapData): void {
        circleLayer.clearLayers();
        circleBounds = null;
        for (const zone of data.circles) {
            const circle = L.circle([zone.at[0], zone.at[1]], {
                radius: zone.radiusM,
                className: zone.selected ? 'livemap__zone livemap__zone--selected' : 'livemap__zone',
                interactive: false,
            }).addTo(circleLayer);
            circle.getElement()?.setAttribute('data-testid', zone.selected ? 'zone-circle-selected' : 'zone-circle');
            const zoneBounds = circle.getBounds();
            circleBounds = circleBounds ? circleBounds.extend(zoneBounds) : zoneBounds;
            if (zone.selected) {
                // A circle cannot be dragged in Leaflet; a handle at its centre can, and the
                // circle follows it while it moves.
                const handle = L.marker([zone.at[0], zone.at[1]], {
                    draggable: true,
                    keyboard: false,
                    icon: L.divIcon({ className: 'livemap__handle', iconSize: [28, 28] }),
                    pane: 'livemap-points',
                }).addTo(circleLayer);
                handle.getElement()?.setAttribute('data-testid', 'zone-handle');
                handle.on('drag', () => circle.setLatLng(handle.getLatLng()));
                handle.on('dragend', () => {
                    const at = handle.getLatLng();
                    options.onMoveCircle?.([at.lat, at.lng]);
                });
            }
        }
    }

    function moveCursor(at: LatLng | null): void {
        if (!at) {
            cursorMarker?.remove();
            cursorMarker = null;
            return;
        }
        if (cursorMarker) {
            cursorMarker.setLatLng([at[0], at[1]]);
        } else {
            cursorMarker = L.circleMarker([at[0], at[1]], { radius: 8, className: 'livemap__cursor', interactive: false, pane: 'livemap-points' }).addTo(map);
            cursorMarker.getElement()?.setAttribute('data-testid', 'map-cursor');
        }
    }

    function movePosition(at: LatLng | null, follow: boolean): void {
        following = follow;
        if (!at) {
            positionMarker?.remove();
            positionMarker = null;
            return;
        }
        if (positionMarker) {
            positionMarker.setLatLng([at[0], at[1]]);
        } else {
            positionMarker = L.circleMarker([at[0], at[1]], { radius: 8, className: 'livemap__position', interactive: false, pane: 'livemap-points' }).addTo(map);
            positionMarker.getElement()?.setAttribute('data-testid', 'map-position');
        }
        if (follow) {
            const zoom = framed ? map.getZoom() : kFollowZoom;
            map.setView([at[0], at[1]], zoom, { animate: animate && framed });
            framed = true;
        }
    }

    function fit(): void {
        const frame = bounds ?? circleBounds;
        if (frame?.isValid()) {
            map.fitBounds(frame, { padding: [24, 24], maxZoom: kFitMaxZoom, animate: false });
            framed = true;
        } else if (previous?.centre) {
            map.setView([previous.centre[0], previous.centre[1]], 13, { animate: false });
            framed = true;
        }
    }

    let width = container.clientWidth;
    const resize = new ResizeObserver(() => {
        map.invalidateSize({ animate: false });
        // A turned phone or a wider window: frame the route for the new shape, unless the user has
        // moved the map (or it follows the athlete, which keeps them centred anyway).
        if (container.clientWidth !== width && framed && !dragged && !following) {
            fit();
        }
        width = container.clientWidth;
    });
    resize.observe(container);

    return {
        update(data) {
            const was = previous;
            previous = data;
            if (!was || was.lines !== data.lines || was.runs !== data.runs) {
                drawRoute(data);
            }
            if (!was || was.runs !== data.runs) {
                drawRuns(data);
            }
            if (!was || was.marks !== data.marks || was.start !== data.start || was.finish !== data.finish) {
                drawPoints(data);
            }
            if (!was || was.circles !== data.circles) {
                drawCircles(data);
            }
            if (!was || was.cursor !== data.cursor) {
                moveCursor(data.cursor);
            }
            if (!was || was.position !== data.position || was.follow !== data.follow) {
                movePosition(data.position, data.follow);
            }
            if (!framed && !data.follow) {
                fit();
            } else if (!framed && data.follow && !data.position) {
                fit();
            }
        },
        fit,
        destroy() {
            removed = true;
            resize.disconnect();
            map.remove();
        },
    };
}
