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
