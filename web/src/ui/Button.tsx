import type { ButtonHTMLAttributes, ComponentChildren } from 'preact';
import './Button.css';
import './Spinner.css';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';

type ButtonProps = {
    variant?: ButtonVariant;
    block?: boolean;
    /** Shows a spinner and blocks clicks while an action runs. */
    busy?: boolean;
    children: ComponentChildren;
} & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'class'>;

export function Button({ variant = 'primary', block = false, busy = false, disabled, children, type = 'button', ...rest }: ButtonProps) {
    const classes = ['btn', `btn--${variant}`, block ? 'btn--block' : '', busy ? 'btn--busy' : ''].filter(Boolean).join(' ');
    return (
        <button class={classes} type={type} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
            {busy ? <span class="spinner" aria-hidden="true" /> : null}
            <span class="btn__label">{children}</span>
        </button>
    );
}

type LinkButtonProps = {
    variant?: ButtonVariant;
    block?: boolean;
    children: ComponentChildren;
    href: string;
    target?: string;
    rel?: string;
};

/** A link styled as a button (navigation, not an action). */
export function LinkButton({ variant = 'secondary', block = false, children, ...rest }: LinkButtonProps) {
    const classes = ['btn', `btn--${variant}`, block ? 'btn--block' : ''].filter(Boolean).join(' ');
    return (
        <a class={classes} {...rest}>
            <span class="btn__label">{children}</span>
        </a>
    );
}
