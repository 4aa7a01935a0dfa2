// The maps feature (OpenAPI tag Maps): where the map's tiles come from. The tiles themselves are
// fetched by the map library from the signed template, never through this client.
import type { Core, Schemas } from './core';

export type TileSource = Schemas['TileSource'];

export function mapsApi(core: Core) {
    return {
        getTileSource: () => core.call('get', '/v1/tiles', {}),
    };
}
