import './Avatar.css';

/** Up to two initials of a name in a circle of `size` px. */
export function Avatar({ name, size = 64 }: { name: string; size?: number }) {
    const initials = name
        .trim()
        .split(/\s+/)
        .slice(0, 2)
        .map((word) => word.charAt(0).toUpperCase())
        .join('');
    return (
        <span class="avatar" style={{ width: `${size}px`, height: `${size}px`, fontSize: `${size * 0.4}px` }} aria-hidden="true">
            {initials || '?'}
        </span>
    );
}
