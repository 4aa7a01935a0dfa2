// Kudos and comments on the activity page. The activity's own answer carries no tally, so the
// page reads the kudos list (one page of the largest size: its length is the count unless there
// are more, then "100+") and whether the caller is in it. Someone else's activity has Report.
import { useState } from 'preact/hooks';
import { feed, type ActivityDetail as Activity } from '../api';
import { useLoad } from '../hooks/load';
import { me } from '../state/session';
import { CommentIcon, KudosIcon } from '../ui/icons';
import { CommentsSheet } from './CommentsSheet';
import { CountButton, PeopleSheet, ToggleButton, useToggle } from './parts';
import { ReportSheet } from './ReportSheet';

const kPage = 100;

function KudosBar({ activity, count, mine, more }: { activity: Activity; count: number; mine: boolean; more: boolean }) {
    const [open, setOpen] = useState<'comments' | 'people' | 'report' | null>(null);
    const [kudos, tapKudos] = useToggle({ count, mine }, async (want) => {
        const tally = want ? await feed.giveKudos(activity.id) : await feed.takeKudos(activity.id);
        return { count: tally.kudos_count, mine: tally.kudoed_by_me };
    });
    const myId = me.value?.id ?? -1;
    return (
        <div class="activity-social" data-testid="activity-social">
            <ToggleButton state={kudos} onTap={tapKudos} label={kudos.mine ? 'Take back kudos' : 'Give kudos'} icon={<KudosIcon size={22} />} testId="kudos-button" />
            <CountButton count={kudos.count} label={kudos.count === 1 ? 'kudo: see who' : 'kudos: see who'} onOpen={() => setOpen('people')} testId="kudos-count" />
            {more && kudos.count >= kPage ? <span aria-hidden="true">+</span> : null}
            <button type="button" class="social-count" onClick={() => setOpen('comments')} data-testid="comments-button">
                <CommentIcon size={22} />
                <span>Comments</span>
            </button>
            {activity.is_owner ? null : (
                <>
                    <button type="button" class="social-count" onClick={() => setOpen('report')} data-testid="report-button">
                        <span>Report</span>
                    </button>
                    <ReportSheet open={open === 'report'} kind="activity" id={activity.id} onClose={() => setOpen(null)} />
                </>
            )}
            <CommentsSheet open={open === 'comments'} target={{ kind: 'activity', id: activity.id, ownerId: activity.is_owner ? myId : -1 }} onCancel={() => setOpen(null)} />
            <PeopleSheet
                open={open === 'people'}
                title="Kudos"
                empty="No kudos yet."
                onCancel={() => setOpen(null)}
                load={(cursor, signal) => feed.listKudos(activity.id, cursor ? { cursor } : {}, { signal })}
                testId="kudos-sheet"
            />
        </div>
    );
}

export function ActivitySocial({ activity }: { activity: Activity }) {
    const { data } = useLoad((signal) => feed.listKudos(activity.id, { limit: kPage }, { signal }), [activity.id]);
    if (!data) {
        return null;
    }
    const myId = me.value?.id;
    return <KudosBar activity={activity} count={data.users.length} mine={data.users.some((u) => u.id === myId)} more={data.next_cursor !== null} />;
}
