// Where map tiles come from: the one place to change when the tile source changes. Tiles are
// always this server's caching proxy (same origin, so no browser request goes elsewhere); the
// server decides the upstream (STRAVA1_TILE_URL) or turns tiles off, which maps survive by
// showing routes on a plain grid.

/** Leaflet's URL template; `{z}/{x}/{y}` of the usual 256-pixel Web Mercator tiles. */
export const kTileTemplate = '/v1/tiles/{z}/{x}/{y}';

/** Shown in the map's corner whenever tiles are on (the upstream's licence asks for it). */
export const kTileAttribution = '© <a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noopener noreferrer">OpenStreetMap</a> contributors';

/** OpenStreetMap's standard tiles stop here. */
export const kTileMaxZoom = 19;

/**
 * Tiles that fail this many times in a row before any loads mean "no tiles here" (offline, the
 * proxy disabled or unreachable): maps then stop asking until the connection comes back or a
 * while has passed, rather than firing a failing request per tile on every screen.
 */
const kFailuresBeforeOff = 4;
const kRetryAfterMs = 5 * 60_000;

export interface TileHealth {
    failuresInARow: number;
    loaded: number;
    offSince: number | null;
}

/** The pure bookkeeping, driven by tests; the app keeps one instance below. */
export function tileEvent(health: TileHealth, event: 'load' | 'error', now: number): TileHealth {
    if (event === 'load') {
        return { failuresInARow: 0, loaded: health.loaded + 1, offSince: null };
    }
    const failuresInARow = health.failuresInARow + 1;
    const off = health.loaded === 0 && failuresInARow >= kFailuresBeforeOff;
    return { failuresInARow, loaded: health.loaded, offSince: off ? (health.offSince ?? now) : health.offSince };
}

export function tilesWanted(health: TileHealth, now: number): boolean {
    return health.offSince === null || now - health.offSince >= kRetryAfterMs;
}

const kFresh: TileHealth = { failuresInARow: 0, loaded: 0, offSince: null };
let health: TileHealth = kFresh;

export function reportTile(event: 'load' | 'error'): TileHealth {
    if (event === 'error' && health.offSince !== null && tilesWanted(health, Date.now())) {
        // A retry after the pause: count afresh.
        health = kFresh;
    }
    health = tileEvent(health, event, Date.now());
    return health;
}

export function tilesUsable(): boolean {
    return tilesWanted(health, Date.now());
}

if (typeof window !== 'undefined') {
    window.addEventListener('online', () => {
        health = kFresh;
    });
}
