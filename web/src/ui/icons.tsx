// Inline SVG icons (24px grid, stroke = currentColor), so they theme with the text colour.
import type { ComponentChildren, SVGAttributes } from 'preact';

type IconProps = { size?: number; title?: string } & SVGAttributes<SVGSVGElement>;

function Icon({ size = 24, title, children, ...rest }: IconProps & { children: ComponentChildren }) {
    return (
        <svg
            width={size}
            height={size}
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width={2}
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden={title ? undefined : true}
            role={title ? 'img' : undefined}
            {...rest}
        >
            {title ? <title>{title}</title> : null}
            {children}
        </svg>
    );
}

export const FeedIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M3 10.5 12 3l9 7.5" />
        <path d="M5 9.5V21h14V9.5" />
        <path d="M10 21v-6h4v6" />
    </Icon>
);

export const RecordIcon = (p: IconProps) => (
    <Icon {...p}>
        <circle cx="12" cy="12" r="9" />
        <circle cx="12" cy="12" r="4" fill="currentColor" />
    </Icon>
);

export const ChatsIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M4 5h16v11H9l-5 4z" />
        <path d="M8 9.5h8M8 12.5h5" />
    </Icon>
);

export const BellIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z" />
        <path d="M10 20a2 2 0 0 0 4 0" />
    </Icon>
);

export const InsightsIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M4 20V4" />
        <path d="M4 20h16" />
        <path d="m7 15 4-5 3 3 5-6" />
    </Icon>
);

export const YouIcon = (p: IconProps) => (
    <Icon {...p}>
        <circle cx="12" cy="8" r="4" />
        <path d="M4 21c1.5-4 4.5-6 8-6s6.5 2 8 6" />
    </Icon>
);

export const ChevronRight = (p: IconProps) => (
    <Icon {...p}>
        <path d="m9 6 6 6-6 6" />
    </Icon>
);

export const BackIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M15 6 9 12l6 6" />
    </Icon>
);

export const AlertIcon = (p: IconProps) => (
    <Icon {...p}>
        <circle cx="12" cy="12" r="9" />
        <path d="M12 7.5v5.5M12 16.5v.01" />
    </Icon>
);

export const DeviceIcon = (p: IconProps) => (
    <Icon {...p}>
        <rect x="6" y="2.5" width="12" height="19" rx="2.5" />
        <path d="M11 18.5h2" />
    </Icon>
);

export const OfflineIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M2 8.5a15 15 0 0 1 20 0M5 12a10 10 0 0 1 14 0M8.5 15.5a5 5 0 0 1 7 0" />
        <path d="M12 19.5v.01M3 3l18 18" />
    </Icon>
);

export const MountainIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M2 20 9 8l4 6 3-4 6 10z" />
    </Icon>
);

export const RunIcon = (p: IconProps) => (
    <Icon {...p}>
        <circle cx="14" cy="4.5" r="2" />
        <path d="m6 20 3.5-5 3 2.5 1.5-6" />
        <path d="m8 11 3-3.5 4 1 2.5 3.5H20" />
    </Icon>
);

export const WalkIcon = (p: IconProps) => (
    <Icon {...p}>
        <circle cx="12" cy="4.5" r="2" />
        <path d="m9 21 2-6 3 3v3" />
        <path d="m11 15 1-6-3 2-1 3M12 9l2.5 3H17" />
    </Icon>
);

export const RideIcon = (p: IconProps) => (
    <Icon {...p}>
        <circle cx="5.5" cy="16.5" r="3.5" />
        <circle cx="18.5" cy="16.5" r="3.5" />
        <path d="M5.5 16.5 9 9h6l3.5 7.5M9 9l3 7.5h-6.5M15 9l-1.5-3H11" />
    </Icon>
);

export const SwimIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M2 17c2 0 2-1.5 4-1.5S8 17 10 17s2-1.5 4-1.5 2 1.5 4 1.5 2-1.5 4-1.5" />
        <path d="M2 21c2 0 2-1.5 4-1.5S8 21 10 21s2-1.5 4-1.5 2 1.5 4 1.5 2-1.5 4-1.5" />
        <circle cx="17" cy="7" r="2" />
        <path d="m5 13 5-5 4 3" />
    </Icon>
);

export const RowIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M3 15h18l-2 4H5z" />
        <path d="m6 4 10 11M14 9l-3 1" />
    </Icon>
);

export const SkiIcon = (p: IconProps) => (
    <Icon {...p}>
        <circle cx="15" cy="4.5" r="2" />
        <path d="m3 17 18 5M8 10l4-2 2 4-3 3 3 3" />
    </Icon>
);

export const ActivityIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M3 12h4l3-8 4 16 3-8h4" />
    </Icon>
);

export const UploadIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M12 16V4M7 9l5-5 5 5" />
        <path d="M4 16v4h16v-4" />
    </Icon>
);

export const DownloadIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M12 4v12M7 11l5 5 5-5" />
        <path d="M4 16v4h16v-4" />
    </Icon>
);

export const PlusIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M12 5v14M5 12h14" />
    </Icon>
);

export const PauseIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M9 5v14M15 5v14" />
    </Icon>
);

export const PlayIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M7 4.5v15l12-7.5z" fill="currentColor" />
    </Icon>
);

export const StopIcon = (p: IconProps) => (
    <Icon {...p}>
        <rect x="6" y="6" width="12" height="12" rx="1.5" fill="currentColor" />
    </Icon>
);

export const GpsIcon = (p: IconProps) => (
    <Icon {...p}>
        <circle cx="12" cy="12" r="7" />
        <circle cx="12" cy="12" r="2.5" fill="currentColor" />
        <path d="M12 2v3M12 19v3M2 12h3M19 12h3" />
    </Icon>
);

export const TrophyIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M8 4h8v5a4 4 0 0 1-8 0z" />
        <path d="M8 6H5a3 3 0 0 0 3 4M16 6h3a3 3 0 0 1-3 4M12 13v4M8 20h8M9.5 17h5" />
    </Icon>
);

export const KudosIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M7 10v11H4V10z" />
        <path d="M7 10l4-7c1.5 0 2.5 1 2.5 2.5V9h5a2 2 0 0 1 2 2.3l-1.2 7.5A2.5 2.5 0 0 1 16.8 21H7" />
    </Icon>
);

export const HeartIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M12 20s-7.5-4.6-9-9.2C1.9 7.4 4.2 4 7.6 4c2 0 3.3 1.1 4.4 2.6C13.1 5.1 14.4 4 16.4 4c3.4 0 5.7 3.4 4.6 6.8-1.5 4.6-9 9.2-9 9.2z" />
    </Icon>
);

export const CommentIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M4 5h16v11H9l-5 4z" />
    </Icon>
);

export const RefreshIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M20 11a8 8 0 1 0-2.3 5.7" />
        <path d="M20 4v7h-7" />
    </Icon>
);

export const EditIcon = (p: IconProps) => (
    <Icon {...p}>
        <path d="M4 20h4L19 9l-4-4L4 16z" />
    </Icon>
);
