// Shows a problem+json answer: its title and detail in a banner, plus any field errors whose field
// the form does not show. Fields that are shown get their message from `fieldErrors(problem)`.
import type { Problem } from '../api';
import { AlertIcon } from './icons';
import { humanizeField, unplacedErrors } from './problem';
import './ProblemView.css';

interface ProblemViewProps {
    problem: Problem | null;
    /** API field names the surrounding form displays next to their inputs. */
    fields?: readonly string[];
}

export function ProblemView({ problem, fields = [] }: ProblemViewProps) {
    if (!problem) {
        return null;
    }
    const rest = unplacedErrors(problem, fields);
    const placedCount = (problem.errors?.length ?? 0) - rest.length;
    // With every field error shown inline, the server's detail would only repeat them.
    const detail = placedCount > 0 && rest.length === 0 ? 'Please check the highlighted fields.' : problem.detail;
    return (
        <div class="problem" role="alert" data-problem-type={problem.type}>
            <AlertIcon class="problem__icon" size={20} />
            <div class="problem__text">
                <p class="problem__title">{problem.title}</p>
                {detail ? <p class="problem__detail">{detail}</p> : null}
                {rest.length > 0 ? (
                    <ul class="problem__fields">
                        {rest.map((error) => (
                            <li key={error.field}>
                                <strong>{humanizeField(error.field)}</strong> {error.reason}
                            </li>
                        ))}
                    </ul>
                ) : null}
                {problem.request_id ? <p class="problem__id">Reference: {problem.request_id}</p> : null}
            </div>
        </div>
    );
}
