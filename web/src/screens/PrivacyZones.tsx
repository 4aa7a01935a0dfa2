// Privacy zones: circles inside which the user's routes never show to anyone else. A map picker
// (tap or click to place a zone, drag its centre to move it, a slider for the radius) over the list
// of zones, each with edit and delete.
import { useMemo, useRef, useState } from 'preact/hooks';
import { accounts, activities, type Me, type PrivacyZone } from '../api';
import type { LatLng } from '../geo';
import { useLoad } from '../hooks/load';
import { useSubmit } from '../hooks/submit';
import { MapView } from '../map/MapView';
import { href } from '../router/location';
import { me } from '../state/session';
import { Button, ListGroup, ListRow, ProblemView, Screen, Spinner, confirmAction, showToast } from '../ui';
import { clampZoneRadius, formatZoneRadius, kZoneRadiusMaxM, kZoneRadiusMinM, kZoneRadiusStepM } from './zones';
import './PrivacyZones.css';

interface Draft {
    /** The zone being edited; null for a new one. */
    id: number | null;
    at: LatLng | null;
    radiusM: number;
}

const kDefaultRadiusM = 400;

function where(zone: { lat: number; lng: number }): string {
    return `${zone.lat.toFixed(4)}, ${zone.lng.toFixed(4)}`;
}

export function PrivacyZones() {
    const units: Me['units'] = me.value?.units ?? 'metric';
    const zones = useLoad(async (signal) => (await accounts.listPrivacyZones({ signal })).zones, []);
    // Where to look when there is no zone yet: the start of the latest activity (the owner sees it).
    const latest = useLoad(async (signal) => (await activities.listMyActivities({ limit: 1 }, { signal })).activities[0]?.start_latlng ?? null, []);
    const [draft, setDraft] = useState<Draft | null>(null);
    const [pendingId, setPendingId] = useState<number | null>(null);
    // The map's centre: without a pointer, a zone is placed there (arrow keys move the map).
    const mapCentre = useRef<LatLng | null>(null);

    const list = zones.data;
    const circles = useMemo(() => {
        const shown = (list ?? [])
            .filter((zone) => zone.id !== draft?.id)
            .map((zone) => ({ id: String(zone.id), at: [zone.lat, zone.lng] as LatLng, radiusM: zone.radius_m }));
        if (draft?.at) {
            shown.push({ id: 'draft', at: draft.at, radiusM: draft.radiusM, selected: true } as (typeof shown)[number]);
        }
        return shown;
    }, [list, draft]);
    const centre = useMemo<LatLng | null>(() => (latest.data ? [latest.data[0]!, latest.data[1]!] : null), [latest.data]);

    const place = (at: LatLng) => setDraft((current) => (current ? { ...current, at } : { id: null, at, radiusM: kDefaultRadiusM }));

    const saving = useSubmit(async () => {
        if (!draft?.at) {
            return;
        }
        const body = { lat: draft.at[0], lng: draft.at[1], radius_m: draft.radiusM };
        const edited = draft.id;
        if (edited === null) {
            const created = await accounts.createPrivacyZone(body);
            zones.update((current) => [...current, created]);
        } else {
            // One PATCH moves and resizes the zone in place (its id and place in the list stay).
            const saved = await accounts.updatePrivacyZone(edited, body);
            zones.update((current) => current.map((zone) => (zone.id === edited ? saved : zone)));
        }
        setDraft(null);
        showToast(edited === null ? 'Privacy zone added' : 'Privacy zone saved', 'success');
    });

    const deleting = useSubmit(async (zone: PrivacyZone) => {
        const confirmed = await confirmAction({
            title: 'Delete this privacy zone?',
            message: `The zone at ${where(zone)} goes; routes through it show again to others.`,
            confirmLabel: 'Delete zone',
        });
        if (!confirmed) {
            return;
        }
        setPendingId(zone.id);
        try {
            await accounts.deletePrivacyZone(zone.id);
        } finally {
            setPendingId(null);
        }
        zones.update((current) => current.filter((z) => z.id !== zone.id));
        if (draft?.id === zone.id) {
            setDraft(null);
        }
        showToast('Privacy zone deleted', 'success');
    });

    return (
        <Screen backHref={href('you')} layout="columns">
            <section class="zones-picker" aria-label="Zone map">
                <MapView
                    label="Map of your privacy zones"
                    lines={kNoLines}
                    circles={circles}
                    centre={centre}
                    onPick={place}
                    onMoveCircle={(at) => setDraft((current) => (current ? { ...current, at } : current))}
                    onView={(at) => {
                        mapCentre.current = at;
                    }}
                    class="zones-picker__map"
                    testId="zones-map"
                />
                <p class="zones-picker__hint">
                    {draft
                        ? "Tap the map to move the zone, drag its centre, or move the map and use “Move to the map's centre”."
                        : 'Tap the map to place a new zone, or use “Add a zone” for one at the middle of the map. Nothing inside a zone shows to anyone else.'}
                </p>
                {draft ? (
                    <form
                        class="zone-editor"
                        aria-label={draft.id === null ? 'New zone' : 'Edit zone'}
                        onSubmit={saving.onSubmit}
                        data-testid="zone-editor"
                    >
                        <h2 class="zone-editor__title">{draft.id === null ? 'New zone' : 'Edit zone'}</h2>
                        <p class="zone-editor__where">{draft.at ? `Centre ${where({ lat: draft.at[0], lng: draft.at[1] })}` : 'Tap the map to place its centre.'}</p>
                        <label class="zone-editor__radius">
                            <span>
                                Radius <output data-testid="zone-radius-value">{formatZoneRadius(draft.radiusM, units)}</output>
                            </span>
                            <input
                                type="range"
                                name="radius_m"
                                min={kZoneRadiusMinM}
                                max={kZoneRadiusMaxM}
                                step={kZoneRadiusStepM}
                                value={draft.radiusM}
                                aria-valuetext={formatZoneRadius(draft.radiusM, units)}
                                data-testid="zone-radius"
                                onInput={(event) => {
                                    const radiusM = clampZoneRadius(Number((event.currentTarget as HTMLInputElement).value));
                                    setDraft((current) => (current ? { ...current, radiusM } : current));
                                }}
                            />
                        </label>
                        <Button variant="secondary" onClick={() => mapCentre.current && place(mapCentre.current)} data-testid="zone-centre">
                            Move to the map's centre
                        </Button>
                        <ProblemView problem={saving.problem} />
                        <div class="zone-editor__actions">
                            <Button type="submit" busy={saving.busy} disabled={!draft.at} data-testid="zone-save">
                                {draft.id === null ? 'Add zone' : 'Save zone'}
                            </Button>
                            <Button variant="secondary" onClick={() => setDraft(null)}>
                                Cancel
                            </Button>
                        </div>
                    </form>
                ) : (
                    <Button variant="secondary" onClick={() => setDraft({ id: null, at: mapCentre.current ?? centre, radiusM: kDefaultRadiusM })} data-testid="zone-new">
                        Add a zone
                    </Button>
                )}
            </section>

            <section class="zones-list" aria-label="Your zones">
                <ProblemView problem={zones.problem ?? deleting.problem} />
                {list === null && !zones.problem ? <Spinner label="Loading zones" /> : null}
                {list ? (
                    list.length === 0 ? (
                        <p class="zones-list__empty" data-testid="zones-empty">
                            No privacy zones yet. Add one around your home or work so your routes never show where they start.
                        </p>
                    ) : (
                        <ListGroup heading={`${list.length} ${list.length === 1 ? 'zone' : 'zones'}`}>
                            {list.map((zone, index) => (
                                <ListRow
                                    key={zone.id}
                                    testId={`zone-${zone.id}`}
                                    title={`Zone ${index + 1} · ${formatZoneRadius(zone.radius_m, units)}`}
                                    subtitle={where(zone)}
                                    trailing={
                                        <span class="zones-list__actions">
                                            <Button variant="ghost" onClick={() => setDraft({ id: zone.id, at: [zone.lat, zone.lng], radiusM: clampZoneRadius(zone.radius_m) })} aria-label={`Edit zone ${index + 1}`}>
                                                Edit
                                            </Button>
                                            <Button variant="ghost" busy={pendingId === zone.id} onClick={() => void deleting.run(zone)} aria-label={`Delete zone ${index + 1}`}>
                                                Delete
                                            </Button>
                                        </span>
                                    }
                                />
                            ))}
                        </ListGroup>
                    )
                ) : null}
            </section>
        </Screen>
    );
}

const kNoLines: readonly (readonly LatLng[])[] = [];
