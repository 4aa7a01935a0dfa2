// "Hide from the feed" (Strava's "mute activity"), the same switch in the Record Save sheet and
// the activity edit screen: the activity stays on the profile, only followers' home feeds leave it out.

export function HideFromFeedSwitch({ checked, onChecked }: { checked: boolean; onChecked: (checked: boolean) => void }) {
    return (
        <label class="check">
            <input type="checkbox" role="switch" name="hide_from_feed" checked={checked} onChange={(e) => onChecked(e.currentTarget.checked)} />
            <span>Hide from the home feed (it stays on your profile)</span>
        </label>
    );
}
