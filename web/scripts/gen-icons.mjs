// Renders the app icons (PNG, plus an SVG favicon with the same geometry) into public/icons/.
// Run with `npm run gen:icons` after changing the design; the outputs are committed.
// No dependencies: shapes are sampled 4x4 per pixel for anti-aliasing and encoded with zlib.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');

const kTop = [0xff, 0x70, 0x43]; // gradient, top of the tile
const kBottom = [0xd9, 0x3a, 0x16]; // gradient, bottom of the tile
const kInk = [0xff, 0xff, 0xff];

// The mark in unit coordinates: a mountain ridge (polyline) and a plus sign above its right flank.
const kRidge = [
    [0.17, 0.72],
    [0.4, 0.36],
    [0.54, 0.56],
    [0.63, 0.45],
    [0.83, 0.72],
];
const kRidgeWidth = 0.085;
const kPlus = { x: 0.73, y: 0.24, arm: 0.09, width: 0.06 };

function distToSegment(px, py, [ax, ay], [bx, by]) {
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function insideMark(x, y) {
    for (let seg = 0; seg + 1 < kRidge.length; ++seg) {
        if (distToSegment(x, y, kRidge[seg], kRidge[seg + 1]) <= kRidgeWidth / 2) return true;
    }
    const { x: cx, y: cy, arm, width } = kPlus;
    const horizontal = Math.abs(y - cy) <= width / 2 && Math.abs(x - cx) <= arm;
    const vertical = Math.abs(x - cx) <= width / 2 && Math.abs(y - cy) <= arm;
    return horizontal || vertical;
}

function insideRoundedSquare(x, y, radius) {
    const qx = Math.max(Math.abs(x - 0.5) - (0.5 - radius), 0);
    const qy = Math.max(Math.abs(y - 0.5) - (0.5 - radius), 0);
    return Math.hypot(qx, qy) <= radius;
}

/// Returns RGBA pixels. `maskable` fills the whole square and shrinks the mark into the safe zone.
function render(size, { maskable }) {
    const pixels = Buffer.alloc(size * size * 4);
    const samples = 4;
    const markScale = maskable ? 0.72 : 1; // keeps the mark inside the maskable 80% safe circle
    for (let row = 0; row < size; ++row) {
        for (let col = 0; col < size; ++col) {
            let tile = 0;
            let ink = 0;
            for (let sy = 0; sy < samples; ++sy) {
                for (let sx = 0; sx < samples; ++sx) {
                    const x = (col + (sx + 0.5) / samples) / size;
                    const y = (row + (sy + 0.5) / samples) / size;
                    if (!maskable && !insideRoundedSquare(x, y, 0.22)) continue;
                    tile += 1;
                    const mx = 0.5 + (x - 0.5) / markScale;
                    const my = 0.5 + (y - 0.5) / markScale;
                    if (insideMark(mx, my)) ink += 1;
                }
            }
            const total = samples * samples;
            const t = row / (size - 1);
            const offset = (row * size + col) * 4;
            for (let channel = 0; channel < 3; ++channel) {
                const background = kTop[channel] + (kBottom[channel] - kTop[channel]) * t;
                const mixed = tile === 0 ? 0 : (background * (tile - ink) + kInk[channel] * ink) / tile;
                pixels[offset + channel] = Math.round(mixed);
            }
            pixels[offset + 3] = Math.round((255 * tile) / total);
        }
    }
    return pixels;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let bit = 0; bit < 8; ++bit) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
});

function crc32(bytes) {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
}

function encodePng(size, rgba) {
    const header = Buffer.alloc(13);
    header.writeUInt32BE(size, 0);
    header.writeUInt32BE(size, 4);
    header[8] = 8; // bit depth
    header[9] = 6; // colour type RGBA
    // compression, filter and interlace methods stay 0
    const stride = size * 4;
    const raw = Buffer.alloc((stride + 1) * size);
    for (let row = 0; row < size; ++row) {
        raw[row * (stride + 1)] = 0; // filter: none
        rgba.copy(raw, row * (stride + 1) + 1, row * stride, (row + 1) * stride);
    }
    return Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk('IHDR', header),
        chunk('IDAT', deflateSync(raw, { level: 9 })),
        chunk('IEND', Buffer.alloc(0)),
    ]);
}

function hex([r, g, b]) {
    return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

function svg() {
    const u = (v) => +(v * 100).toFixed(2);
    const ridge = kRidge.map(([x, y]) => `${u(x)},${u(y)}`).join(' ');
    const { x, y, arm, width } = kPlus;
    return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
  <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">
    <stop offset="0" stop-color="${hex(kTop)}"/><stop offset="1" stop-color="${hex(kBottom)}"/>
  </linearGradient></defs>
  <rect width="100" height="100" rx="22" fill="url(#g)"/>
  <polyline points="${ridge}" fill="none" stroke="#fff" stroke-width="${u(kRidgeWidth)}" stroke-linecap="round" stroke-linejoin="round"/>
  <path d="M${u(x - arm)} ${u(y)}H${u(x + arm)}M${u(x)} ${u(y - arm)}V${u(y + arm)}" stroke="#fff" stroke-width="${u(width)}"/>
</svg>
`;
}

const outputs = [
    ['icon-192.png', 192, false],
    ['icon-512.png', 512, false],
    ['icon-maskable-512.png', 512, true],
    ['apple-touch-icon-180.png', 180, true],
];
mkdirSync(outDir, { recursive: true });
for (const [name, size, maskable] of outputs) {
    writeFileSync(join(outDir, name), encodePng(size, render(size, { maskable })));
}
writeFileSync(join(outDir, 'icon.svg'), svg());
console.log(`icons written to ${outDir}`);
