// Where map tiles come from: the one place to change when the tile source changes. Tiles are
// always this server's caching proxy (same origin, so no browser request goes elsewhere); the
// server decides the upstream (STRAVA1_TILE_URL) or turns tiles off, which maps survive by
// showing routes on a plain grid.

import { maps, type TileSource } from '../api';

/** OpenStreetMap's standard tiles stop here; the server's answer says what its upstream has. */
export const kTileMaxZoom = 19;

/** Fetched again this long before the signed template expires. */
const kRenewBeforeMs = 60 * 60_000;
let source: { value: Promise<TileSource | null>; until: number } | null = null;

/**
 * The server's tile source (GET /v1/tiles): a signed URL template on this origin, its attribution
 * and zoom range; null when the server has tiles turned off or cannot be asked (offline). One
 * answer serves every map until shortly before its signature expires.
 */
export function tileSource(now = Date.now()): Promise<TileSource | null> {
    if (source && now < source.until) {
        return source.value;
    }
    const value = maps.getTileSource().then(
        (answer) => {
            if (!answer.enabled || !answer.url) {
                return null;
            }
            const expires = answer.expires_at ? Date.parse(answer.expires_at) : now;
            source = { value, until: Math.max(now, expires - kRenewBeforeMs) };
            return answer;
        },
        () => {
            // Offline or refused: ask again next time a map opens.
            source = null;
            return null;
        },
    );
    source = { value, until: Number.POSITIVE_INFINITY };
    return value;
}

/** The attribution as Leaflet's HTML: the server's plain text, escaped. */
export function attributionHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

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
