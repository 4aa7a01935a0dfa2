// A pannable, zoomable map of a route, for any screen: <MapView label="Route of …" lines={[points]} />.
// This file is small and in the main bundle; Leaflet and its styles come with ./leaflet-map in a
// chunk of their own, fetched the first time a map is shown. Until then (or if that chunk cannot
// load, offline on a stale cache) the route is drawn as plain SVG on the grid, so a route always
// shows.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { LatLng } from '../geo';
import { RouteMap } from '../ui/RouteMap';
import type { MapCircle, MapController, MapData } from './leaflet-map';
import type { DistanceMark } from './marks';
import type { ColouredRun } from './route-colours';
import './MapView.css';

export interface MapViewProps {
    /** The accessible name ("Route of Morning run"). */
    label: string;
    /** The route, one line per unbroken stretch. Keep the array's identity while it is unchanged (useMemo). */
    lines: readonly (readonly LatLng[])[];
    runs?: readonly ColouredRun[] | null;
    start?: LatLng | null;
    finish?: LatLng | null;
    marks?: readonly DistanceMark[];
    cursor?: LatLng | null;
    position?: LatLng | null;
    /** Keep `position` centred (Record). Without it the map frames the route once. */
    follow?: boolean;
    /** The user dragged the map away from a followed position. */
    onUserMove?: () => void;
    /** Circles to draw (privacy zones); keep the array's identity while unchanged. */
    circles?: readonly MapCircle[];
    /** Where to look when there is no route or circle to frame. */
    centre?: LatLng | null;
    /** A click or tap on the map. */
    onPick?: (at: LatLng) => void;
    /** The selected circle was dragged to `at`. */
    onMoveCircle?: (at: LatLng) => void;
    /** The map's centre after every move (a picker's keyboard way to place). */
    onView?: (centre: LatLng) => void;
    class?: string;
    testId?: string;
}

type LeafletMap = typeof import('./leaflet-map');

let chunk: Promise<LeafletMap> | null = null;

/** Starts fetching the map chunk (a screen may call this early, e.g. on hover of a link). */
export function preloadMap(): Promise<LeafletMap> {
    chunk ??= import('./leaflet-map').catch((error: unknown) => {
        // The next map tries again (the chunk may have been missing while offline).
        chunk = null;
        throw error;
    });
    return chunk;
}

const kNoMarks: readonly DistanceMark[] = [];
const kNoCircles: readonly MapCircle[] = [];

function prefersReducedMotion(): boolean {
    return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

export function MapView({ label, lines, runs = null, start = null, finish = null, marks = kNoMarks, cursor = null, position = null, follow = false, onUserMove, circles = kNoCircles, centre = null, onPick, onMoveCircle, onView, class: className, testId = 'route-map' }: MapViewProps) {
    const host = useRef<HTMLDivElement>(null);
    const controller = useRef<MapController | null>(null);
    const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
    const helpId = useId();
    const data: MapData = { lines, runs, start, finish, marks, cursor, position, follow, circles, centre };
    const latest = useRef(data);
    latest.current = data;
    const userMove = useRef(onUserMove);
    userMove.current = onUserMove;
    const pick = useRef(onPick);
    pick.current = onPick;
    const moveCircle = useRef(onMoveCircle);
    moveCircle.current = onMoveCircle;
    const view = useRef(onView);
    view.current = onView;
    // Chosen once: a map that takes picks is made so from the start.
    const picks = useRef(Boolean(onPick));

    useEffect(() => {
        let live = true;
        preloadMap().then(
            (module) => {
                if (!live || !host.current) {
                    return;
                }
                controller.current = module.createMap(host.current, {
                    label,
                    describedBy: helpId,
                    reducedMotion: prefersReducedMotion(),
                    onUserMove: () => userMove.current?.(),
                    ...(picks.current ? { onPick: (at: LatLng) => pick.current?.(at), onMoveCircle: (at: LatLng) => moveCircle.current?.(at), onView: (centre: LatLng) => view.current?.(centre) } : {}),
                });
                controller.current.update(latest.current);
                setState('ready');
            },
            () => {
                if (live) {
                    setState('failed');
                }
            },
        );
        return () => {
            live = false;
            controller.current?.destroy();
            controller.current = null;
        };
    }, []);

    useEffect(() => {
        controller.current?.update(data);
    }, [lines, runs, start, finish, marks, cursor, position, follow, circles, centre]);

    const fallbackPoints = lines.flat();
    // Each line after the first begins a new path in the fallback drawing too.
    const fallbackBreaks: number[] = [];
    for (let i = 0, at = 0; i < lines.length - 1; i++) {
        at += lines[i]!.length;
        fallbackBreaks.push(at);
    }
    return (
        <div class={`livemap ${className ?? ''}`} data-testid={testId} data-state={state}>
            <div ref={host} class="livemap__host" />
            {state === 'ready' ? null : (
                <div class="livemap__fallback" role="img" aria-label={label}>
                    {fallbackPoints.length > 1 ? <RouteMap points={fallbackPoints} breaks={fallbackBreaks} label={label} bare /> : null}
                </div>
            )}
            <p id={helpId} class="visually-hidden">
                Arrow keys move the map, plus and minus zoom.
            </p>
        </div>
    );
}
