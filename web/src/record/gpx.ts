// Writes a recording as GPX 1.1: one <trkseg> per stretch between manual pauses, each point with
// its time (and elevation when the device gave one), so the server sees what was recorded.
import type { TrackPoint } from './track';

const kEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => kEscapes[c] ?? c);
}

/** Seven decimals of a degree are ~1 cm, finer than any phone; more is noise in the file. */
const coordinate = (degrees: number) => String(Number(degrees.toFixed(7)));

export interface GpxInput {
    name?: string;
    /** Written as the track's <type>. */
    sport?: string;
    /** The GPX creator attribute. */
    creator?: string;
    points: readonly TrackPoint[];
}

export function writeGpx({ name, sport, creator = 'Strava+1 web', points }: GpxInput): string {
    const lines: string[] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<gpx version="1.1" creator="${escapeXml(creator)}" xmlns="http://www.topografix.com/GPX/1/1">`,
    ];
    const first = points[0];
    if (first) {
        lines.push(`  <metadata><time>${new Date(first.time_ms).toISOString()}</time></metadata>`);
    }
    lines.push('  <trk>');
    if (name) {
        lines.push(`    <name>${escapeXml(name)}</name>`);
    }
    if (sport) {
        lines.push(`    <type>${escapeXml(sport)}</type>`);
    }
    let segment: number | null = null;
    for (const point of points) {
        if (point.segment !== segment) {
            if (segment !== null) {
                lines.push('    </trkseg>');
            }
            lines.push('    <trkseg>');
            segment = point.segment;
        }
        const ele = point.altitude_m !== null && Number.isFinite(point.altitude_m) ? `<ele>${Number(point.altitude_m.toFixed(2))}</ele>` : '';
        lines.push(`      <trkpt lat="${coordinate(point.lat)}" lon="${coordinate(point.lng)}">${ele}<time>${new Date(point.time_ms).toISOString()}</time></trkpt>`);
    }
    if (segment !== null) {
        lines.push('    </trkseg>');
    }
    lines.push('  </trk>', '</gpx>', '');
    return lines.join('\n');
}
