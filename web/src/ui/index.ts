// The design system: tokens (tokens.css), base styles (base.css) and components, each with its
// styles beside it. Screens arrange these and add only their own layout (styles next to the
// screen, in the `screens` layer). The living style page (#/styleguide) shows every component.
export { Avatar } from './Avatar';
export { Badge } from './Badge';
export { Banner } from './Banner';
export { Button, LinkButton } from './Button';
export { Card } from './Card';
export { EmptyState } from './EmptyState';
export { FieldGroup, SelectField, TextAreaField, TextField, type SelectOption } from './Field';
export { ListGroup, ListRow } from './ListRow';
export { ProblemView } from './ProblemView';
export { Screen, ScreenTitle } from './Screen';
export { Segmented, type SegmentedOption } from './Segmented';
export { Spinner } from './Spinner';
export { TabBar, type TabItem } from './TabBar';
export { Table } from './Table';
export { showToast, Toaster, ToastView } from './toast';
export { fieldErrors, toProblem } from './problem';
export { ConfirmHost, ConfirmSheet, confirmAction, type ConfirmOptions } from './ConfirmSheet';
export { Sheet } from './Sheet';
