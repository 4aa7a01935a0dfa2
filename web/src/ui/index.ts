// The design system: tokens (tokens.css), components (ui.css) and their Preact parts.
export { Button, LinkButton } from './Button';
export { EmptyState } from './EmptyState';
export { FieldGroup, SelectField, TextAreaField, TextField, type SelectOption } from './Field';
export { ListGroup, ListRow } from './ListRow';
export { ProblemView } from './ProblemView';
export { Avatar, Screen, Spinner } from './Screen';
export { showToast, Toaster } from './toast';
export { fieldErrors, toProblem } from './problem';
