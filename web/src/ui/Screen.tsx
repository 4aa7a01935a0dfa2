// Page chrome: a sticky header (with an optional back link and action) over scrolling content.
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect } from 'preact/hooks';
import { BackIcon } from './icons';
import './Screen.css';

/**
 * The title a Screen shows when it names none. The app provides the route table's title of the
 * current route, so a screen's heading is written once, in the table.
 */
export const ScreenTitle = createContext('');

interface ScreenProps {
    /** Default: the ScreenTitle around it (the route's title). */
    title?: string;
    /** The document title when it should say more than the route's (an activity's name). */
    documentTitle?: string;
    backHref?: string;
    action?: ComponentChildren;
    children: ComponentChildren;
    /** Large title for top-level tabs, compact for pushed screens. */
    large?: boolean;
    /**
     * `columns`: on a wide screen (≥ 1024 px) the body's children flow into two columns (a map
     * beside its charts, a profile beside its figures); one column on a phone.
     */
    layout?: 'stack' | 'columns';
}

export function Screen({ title, documentTitle, backHref, action, children, large = !backHref, layout = 'stack' }: ScreenProps) {
    const routeTitle = useContext(ScreenTitle);
    // After the app's layout effect has set the route's title.
    useEffect(() => {
        if (documentTitle) {
            document.title = `${documentTitle} · Strava+1`;
        }
    }, [documentTitle]);
    return (
        <div class="screen">
            <header class={large ? 'topbar topbar--large' : 'topbar'}>
                {backHref ? (
                    <a class="topbar__back" href={backHref} aria-label="Back">
                        <BackIcon />
                    </a>
                ) : null}
                <h1 class="topbar__title">{title ?? routeTitle}</h1>
                {action ? <div class="topbar__action">{action}</div> : null}
            </header>
            <main class={layout === 'columns' ? 'screen__body screen__body--columns' : 'screen__body'}>{children}</main>
        </div>
    );
}
