// A screen whose code loads on first use, in its own chunk (the service worker precaches every
// chunk, so it opens offline too). For screens most people never open.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Button, ProblemView, Spinner, toProblem } from '../ui';
import type { Problem } from '../api';

export function lazy<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
    let loaded: ComponentType<P> | null = null;
    let pending: Promise<ComponentType<P>> | null = null;

    return function Lazy(props: P) {
        const [, setReady] = useState(false);
        const [problem, setProblem] = useState<Problem | null>(null);
        const [attempt, setAttempt] = useState(0);
        useEffect(() => {
            if (loaded) {
                return undefined;
            }
            let live = true;
            pending ??= load();
            pending.then(
                (component) => {
                    loaded = component;
                    if (live) {
                        setReady(true);
                    }
                },
                (error: unknown) => {
                    // The next attempt loads afresh (the chunk may have been missing offline).
                    pending = null;
                    if (live) {
                        setProblem(toProblem(error));
                    }
                },
            );
            return () => {
                live = false;
            };
        }, [attempt]);
        if (loaded) {
            const Screen = loaded;
            return <Screen {...props} />;
        }
        if (problem) {
            return (
                <>
                    <ProblemView problem={problem} />
                    <Button
                        variant="secondary"
                        onClick={() => {
                            setProblem(null);
                            setAttempt((n) => n + 1);
                        }}
                    >
                        Try again
                    </Button>
                </>
            );
        }
        return <Spinner label="Loading" />;
    };
}
