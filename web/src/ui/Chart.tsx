// A line/area chart of one stream against distance or time, in SVG. Touch or hover shows the
// value under the finger; the summary for screen readers gives the range. Charts given one shared
// `cursor` signal move together (and with the map marker that follows the same signal).
import type { Signal } from '@preact/signals';
import { useState } from 'preact/hooks';
import { areaPath, extent, linePath, nearestIndex, niceTicks, percentile, scaleX, scaleY, type Frame, type Sample } from '../charts';
import './Chart.css';

interface ChartProps {
    title: string;
    xs: readonly Sample[];
    ys: readonly Sample[];
    formatX: (x: number) => string;
    formatY: (y: number) => string;
    /** Larger values lower (pace). */
    invertY?: boolean;
    /** Clip the y range to these percentiles so one spike does not flatten the rest. */
    clip?: [number, number];
    /** The quantity, for its colour. */
    tone?: 'elevation' | 'pace' | 'heart' | 'power';
    testId?: string;
    /** The sample index under the pointer, shared with other views of the same streams. */
    cursor?: Signal<number | null>;
    /** Indexes where a run of samples begins after hidden ones (StreamSet.breaks): the line leaves a gap. */
    breaks?: readonly number[];
}

const kWidth = 600;
const kHeight = 150;
const kLeft = 44;
const kBottom = 18;

export function Chart({ title, xs, ys, formatX, formatY, invertY = false, clip, tone = 'elevation', testId, cursor, breaks }: ChartProps) {
    const [ownHover, setOwnHover] = useState<number | null>(null);
    const hover = cursor ? cursor.value : ownHover;
    const setHover = (index: number | null) => {
        if (cursor) {
            cursor.value = index;
        } else {
            setOwnHover(index);
        }
    };
    const xRange = extent(xs);
    const full = extent(ys);
    if (!xRange || !full) {
        return null;
    }
    const low = clip ? (percentile(ys, clip[0]) ?? full.min) : full.min;
    const high = clip ? (percentile(ys, clip[1]) ?? full.max) : full.max;
    const pad = (high - low) * 0.08 || Math.max(1, Math.abs(high) * 0.05);
    const yRange = { min: low - pad, max: high + pad };
    const frame: Frame = { width: kWidth - kLeft, height: kHeight - kBottom, x: xRange, y: yRange, invertY };
    const yTicks = niceTicks(yRange.min, yRange.max, 3).filter((t) => t >= yRange.min && t <= yRange.max);
    const xTicks = niceTicks(xRange.min, xRange.max, 4);
    const finite = ys.filter((y): y is number => typeof y === 'number' && Number.isFinite(y));
    const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
    const summary = `${title}: from ${formatY(full.min)} to ${formatY(full.max)}, average ${formatY(mean)}`;

    const point = hover !== null ? { x: xs[hover], y: ys[hover] } : null;
    function onPointer(event: PointerEvent) {
        const svg = event.currentTarget as SVGSVGElement;
        const box = svg.getBoundingClientRect();
        const x = ((event.clientX - box.left) / box.width) * kWidth - kLeft;
        const value = xRange!.min + (Math.max(0, x) / frame.width) * (xRange!.max - xRange!.min);
        const index = nearestIndex(xs, value);
        setHover(index >= 0 ? index : null);
    }

    return (
        <figure class={`chart chart--${tone}`} data-testid={testId}>
            <figcaption class="chart__title">
                <span>{title}</span>
                <span class="chart__readout" aria-live="polite">
                    {point && typeof point.y === 'number' && typeof point.x === 'number' ? `${formatY(point.y)} · ${formatX(point.x)}` : ''}
                </span>
            </figcaption>
            <svg class="chart__svg" viewBox={`0 0 ${kWidth} ${kHeight}`} role="img" aria-label={summary} onPointerMove={onPointer} onPointerDown={onPointer} onPointerLeave={() => setHover(null)}>
                <g transform={`translate(${kLeft} 0)`}>
                    {yTicks.map((t) => (
                        <g key={`y${t}`}>
                            <line class="chart__grid" x1={0} x2={frame.width} y1={scaleY(frame, t)} y2={scaleY(frame, t)} />
                            <text class="chart__label" x={-6} y={scaleY(frame, t) + 4} text-anchor="end">
                                {formatY(t)}
                            </text>
                        </g>
                    ))}
                    {xTicks.map((t) => (
                        <text key={`x${t}`} class="chart__label" x={scaleX(frame, t)} y={kHeight - 4} text-anchor="middle">
                            {formatX(t)}
                        </text>
                    ))}
                    <path class="chart__area" d={areaPath(xs, ys, frame, breaks)} />
                    <path class="chart__line" d={linePath(xs, ys, frame, breaks)} data-testid="chart-line" />
                    {point && typeof point.x === 'number' && typeof point.y === 'number' ? (
                        <g class="chart__cursor">
                            <line x1={scaleX(frame, point.x)} x2={scaleX(frame, point.x)} y1={0} y2={frame.height} />
                            <circle cx={scaleX(frame, point.x)} cy={scaleY(frame, point.y)} r={4} />
                        </g>
                    ) : null}
                </g>
            </svg>
        </figure>
    );
}
