import { describe, expect, it } from 'vitest';
import { escapeXml, writeGpx } from '../../src/record/gpx';
import type { TrackPoint } from '../../src/record/track';

const t0 = Date.UTC(2026, 10, 30, 7, 12, 3, 250);
const point = (seq: number, segment: number, extra: Partial<TrackPoint> = {}): TrackPoint => ({
    seq,
    segment,
    time_ms: t0 + seq * 1000,
    lat: 46.0569 + seq * 1e-4,
    lng: 14.5058,
    accuracy_m: 4,
    altitude_m: 295.5 + seq,
    ...extra,
});

describe('writeGpx', () => {
    it('writes GPX 1.1 with one trkseg per stretch and each point’s time and elevation', () => {
        const gpx = writeGpx({ name: 'Morning run', sport: 'run', points: [point(0, 0), point(1, 0), point(2, 1), point(3, 1, { altitude_m: null })] });
        expect(gpx.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="Strava+1 web" xmlns="http://www.topografix.com/GPX/1/1">')).toBe(true);
        expect(gpx).toContain('<metadata><time>2026-11-30T07:12:03.250Z</time></metadata>');
        expect(gpx).toContain('<name>Morning run</name>');
        expect(gpx).toContain('<type>run</type>');
        expect(gpx.match(/<trkseg>/g)).toHaveLength(2);
        expect(gpx.match(/<\/trkseg>/g)).toHaveLength(2);
        const points = [...gpx.matchAll(/<trkpt lat="([^"]+)" lon="([^"]+)">(<ele>([^<]+)<\/ele>)?<time>([^<]+)<\/time><\/trkpt>/g)];
        expect(points.map((m) => [m[1], m[2], m[4], m[5]])).toEqual([
            ['46.0569', '14.5058', '295.5', '2026-11-30T07:12:03.250Z'],
            ['46.057', '14.5058', '296.5', '2026-11-30T07:12:04.250Z'],
            ['46.0571', '14.5058', '297.5', '2026-11-30T07:12:05.250Z'],
            ['46.0572', '14.5058', undefined, '2026-11-30T07:12:06.250Z'],
        ]);
        expect(gpx.trimEnd().endsWith('</trk>\n</gpx>')).toBe(true);
    });

    it('escapes text and keeps coordinates to 1e-7 degrees', () => {
        const gpx = writeGpx({ name: 'Tom & Jerry\'s <"loop">', points: [point(0, 0, { lat: 46.123456789, lng: -0.000000049 })] });
        expect(gpx).toContain('<name>Tom &amp; Jerry&apos;s &lt;&quot;loop&quot;&gt;</name>');
        // Rounded, and without the "-0" a tiny negative would print as.
        expect(gpx).toContain('<trkpt lat="46.1234568" lon="0">');
        expect(escapeXml('a<b')).toBe('a&lt;b');
    });

    it('writes a valid empty track without points', () => {
        const gpx = writeGpx({ points: [] });
        expect(gpx).not.toContain('<trkseg>');
        expect(gpx).toContain('<trk>\n  </trk>');
    });
});
