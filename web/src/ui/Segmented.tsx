import './Segmented.css';

export interface SegmentedOption<T extends string> {
    value: T;
    label: string;
}

/** Mutually exclusive options as toggle buttons (aria-pressed), e.g. charts against distance or time. */
export function Segmented<T extends string>({ label, options, value, onValue }: { label: string; options: readonly SegmentedOption<T>[]; value: T; onValue: (value: T) => void }) {
    return (
        <div class="segmented" role="group" aria-label={label}>
            {options.map((option) => (
                <button key={option.value} type="button" class="segmented__option" aria-pressed={value === option.value} onClick={() => onValue(option.value)}>
                    {option.label}
                </button>
            ))}
        </div>
    );
}
