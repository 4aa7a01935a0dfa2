// Labelled form fields with a hint and an inline error (wired with aria-describedby/aria-invalid).
// Errors carry no live role of their own: useSubmit focuses the first invalid field and says them
// all once in the polite live region (a role="alert" per field would interrupt with each).
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import './Field.css';

interface FieldShellProps {
    id: string;
    label: string;
    hint?: string | undefined;
    error?: string | undefined;
    /** The API field name, so tests and error mapping can find the field. */
    name: string;
    children: ComponentChildren;
}

function FieldShell({ id, label, hint, error, name, children }: FieldShellProps) {
    return (
        <div class={error ? 'field field--invalid' : 'field'} data-field={name}>
            <label class="field__label" for={id}>
                {label}
            </label>
            {children}
            {error ? (
                <p class="field__error" id={`${id}-error`}>
                    {error}
                </p>
            ) : hint ? (
                <p class="field__hint" id={`${id}-hint`}>
                    {hint}
                </p>
            ) : null}
        </div>
    );
}

function describedBy(id: string, error?: string, hint?: string) {
    if (error) {
        return `${id}-error`;
    }
    return hint ? `${id}-hint` : undefined;
}

/** Capitalises a server reason for display under a field ("must be …" → "Must be …"). */
function sentence(reason: string | undefined) {
    return reason ? reason.charAt(0).toUpperCase() + reason.slice(1) : undefined;
}

type Common = {
    label: string;
    name: string;
    hint?: string | undefined;
    error?: string | undefined;
    value: string;
    onValue: (value: string) => void;
    /** Marks the control required for assistive technology (forms check it themselves: noValidate). */
    required?: boolean;
};

type TextFieldProps = Common & {
    /** Text after the input, e.g. a unit ("kg"). */
    suffix?: string;
    type?: 'text' | 'email' | 'password' | 'number' | 'date' | 'datetime-local' | 'search' | 'tel' | 'url';
    inputMode?: 'text' | 'email' | 'numeric' | 'decimal' | 'search' | 'tel' | 'url';
    autoComplete?: string;
    autoCapitalize?: 'off' | 'none' | 'sentences' | 'words';
    placeholder?: string;
    minLength?: number;
    maxLength?: number;
    min?: string | number;
    max?: string | number;
    step?: string | number;
    spellcheck?: boolean;
};

export function TextField({ label, name, hint, error, value, onValue, suffix, required, ...rest }: TextFieldProps) {
    const id = useId();
    const message = sentence(error);
    return (
        <FieldShell id={id} label={label} hint={hint} error={message} name={name}>
            <div class="field__control">
                <input
                    id={id}
                    name={name}
                    class="field__input"
                    value={value}
                    required={required}
                    aria-invalid={message ? true : undefined}
                    aria-describedby={describedBy(id, message, hint)}
                    onInput={(e) => onValue(e.currentTarget.value)}
                    // Preact 11 types <input> per `type`; our props are a checked subset of them all.
                    {...(rest as Record<string, unknown>)}
                />
                {suffix ? <span class="field__suffix">{suffix}</span> : null}
            </div>
        </FieldShell>
    );
}

type TextAreaFieldProps = Common & { maxLength?: number; rows?: number };

export function TextAreaField({ label, name, hint, error, value, onValue, maxLength, required, rows = 4 }: TextAreaFieldProps) {
    const id = useId();
    const message = sentence(error);
    const counter = maxLength ? `${value.length} / ${maxLength}` : undefined;
    return (
        <FieldShell id={id} label={label} hint={hint ?? counter} error={message} name={name}>
            <textarea
                id={id}
                name={name}
                class="field__input field__input--area"
                value={value}
                rows={rows}
                maxLength={maxLength}
                required={required}
                aria-invalid={message ? true : undefined}
                aria-describedby={describedBy(id, message, hint ?? counter)}
                onInput={(e) => onValue(e.currentTarget.value)}
            />
        </FieldShell>
    );
}

export interface SelectOption {
    value: string;
    label: string;
}

type SelectFieldProps = Common & { options: readonly SelectOption[] };

export function SelectField({ label, name, hint, error, value, onValue, options }: SelectFieldProps) {
    const id = useId();
    const message = sentence(error);
    return (
        <FieldShell id={id} label={label} hint={hint} error={message} name={name}>
            <select
                id={id}
                name={name}
                class="field__input field__input--select"
                value={value}
                aria-invalid={message ? true : undefined}
                aria-describedby={describedBy(id, message, hint)}
                onChange={(e) => onValue(e.currentTarget.value)}
            >
                {options.map((option) => (
                    <option key={option.value} value={option.value}>
                        {option.label}
                    </option>
                ))}
            </select>
        </FieldShell>
    );
}

/** Two or more controls that share one label and one error line (e.g. height in ft + in). */
export function FieldGroup({ label, name, hint, error, children }: { label: string; name: string; hint?: string; error?: string | undefined; children: ComponentChildren }) {
    const message = sentence(error);
    return (
        <fieldset class={message ? 'field field--group field--invalid' : 'field field--group'} data-field={name}>
            <legend class="field__label">{label}</legend>
            <div class="field__row">{children}</div>
            {message ? (
                <p class="field__error">
                    {message}
                </p>
            ) : hint ? (
                <p class="field__hint">{hint}</p>
            ) : null}
        </fieldset>
    );
}
