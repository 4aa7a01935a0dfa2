import type { Sport } from '../api';
import { sportLabel } from '../sports';
import { ActivityIcon, MountainIcon, RideIcon, RowIcon, RunIcon, SkiIcon, SwimIcon, WalkIcon } from './icons';

const kIcons: Partial<Record<Sport, typeof RunIcon>> = {
    run: RunIcon,
    trail_run: RunIcon,
    walk: WalkIcon,
    hike: MountainIcon,
    ride: RideIcon,
    mountain_bike: RideIcon,
    virtual_ride: RideIcon,
    swim: SwimIcon,
    rowing: RowIcon,
    ski: SkiIcon,
};

/** The sport's icon; labelled with the sport's name unless `decorative` (a label is next to it). */
export function SportIcon({ sport, size = 20, decorative = false }: { sport: Sport; size?: number; decorative?: boolean }) {
    const Glyph = kIcons[sport] ?? ActivityIcon;
    return decorative ? <Glyph size={size} /> : <Glyph size={size} title={sportLabel(sport)} />;
}
