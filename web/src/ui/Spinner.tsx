import './Spinner.css';

/** A large spinner for a loading screen or section; `label` is what screen readers hear. */
export function Spinner({ label = 'Loading' }: { label?: string }) {
    return (
        <div class="loading" role="status">
            <span class="spinner spinner--lg" aria-hidden="true" />
            <span class="visually-hidden">{label}</span>
        </div>
    );
}
