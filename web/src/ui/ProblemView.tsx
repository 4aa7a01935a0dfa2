// Shows a problem+json answer in plain words: a headline for its kind, the server's sentence, any
// field errors the form does not show. The request id, status and type are for support only, in a
// collapsed "Details for support". The banner is role="alert": an assertive live region.
import type { Problem } from '../api';
import { AlertIcon } from './icons';
import { plainProblem } from './problem';
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
    const plain = plainProblem(problem, fields);
    return (
        <div class="problem" role="alert" data-problem-type={problem.type} tabIndex={-1}>
            <AlertIcon class="problem__icon" size={20} />
            <div class="problem__text">
                <p class="problem__title">{plain.headline}</p>
                {plain.detail ? <p class="problem__detail">{plain.detail}</p> : null}
                {plain.items.length > 0 ? (
                    <ul class="problem__fields">
                        {plain.items.map((item) => (
                            <li key={item}>{item}</li>
                        ))}
                    </ul>
                ) : null}
                {problem.request_id ? (
                    <details class="problem__support">
                        <summary>Details for support</summary>
                        <dl class="problem__facts">
                            <dt>Request</dt>
                            <dd data-testid="problem-request-id">{problem.request_id}</dd>
                            <dt>Status</dt>
                            <dd>{problem.status}</dd>
                            <dt>Type</dt>
                            <dd>{problem.type.replace(/^urn:strava1:problem:/, '')}</dd>
                        </dl>
                    </details>
                ) : null}
            </div>
        </div>
    );
}
