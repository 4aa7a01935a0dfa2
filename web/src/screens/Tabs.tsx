// The four tabs that later issues fill: friendly empty states for now.
import { Button, EmptyState, LinkButton, Screen } from '../ui';
import { ChatsIcon, FeedIcon, InsightsIcon, RecordIcon } from '../ui/icons';
import { hrefFor } from '../router';

export function Feed() {
    return (
        <Screen title="Feed">
            <EmptyState icon={<FeedIcon size={40} />} title="Your feed is quiet" action={<LinkButton href={hrefFor('record')} variant="primary">Record a workout</LinkButton>}>
                Workouts from you and the people you follow will show up here, with kudos and comments.
            </EmptyState>
        </Screen>
    );
}

export function Record() {
    return (
        <Screen title="Record">
            <EmptyState icon={<RecordIcon size={40} />} title="Ready when you are" action={<Button disabled>Start (coming soon)</Button>}>
                GPS recording of runs, rides and walks is on its way. You will be able to pause, resume and share live.
            </EmptyState>
        </Screen>
    );
}

export function Chats() {
    return (
        <Screen title="Chats">
            <EmptyState icon={<ChatsIcon size={40} />} title="No conversations yet">
                Message friends and training groups in real time, right from here.
            </EmptyState>
        </Screen>
    );
}

export function Insights() {
    return (
        <Screen title="Insights">
            <EmptyState icon={<InsightsIcon size={40} />} title="Insights need a few workouts">
                Training load, fitness trends, best efforts and recovery appear once you have recorded some activity.
            </EmptyState>
        </Screen>
    );
}
