// The tabs that later issues fill: friendly empty states for now.
import { EmptyState, Screen } from '../ui';
import { ChatsIcon, InsightsIcon } from '../ui/icons';

export function Chats() {
    return (
        <Screen>
            <EmptyState icon={<ChatsIcon size={40} />} title="No conversations yet">
                Message friends and training groups in real time, right from here.
            </EmptyState>
        </Screen>
    );
}

export function Insights() {
    return (
        <Screen>
            <EmptyState icon={<InsightsIcon size={40} />} title="Insights need a few workouts">
                Training load, fitness trends, best efforts and recovery appear once you have recorded some activity.
            </EmptyState>
        </Screen>
    );
}
