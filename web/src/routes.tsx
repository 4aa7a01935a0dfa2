// The route table: every screen of the app, in one place. A row names the path pattern (":name"
// for a parameter, with its parser), the screen, its title (the document title and the screen's
// heading unless the screen shows another), the tab it belongs to, and who may open it (default
// signed-in users). Adding a screen = its file + one row here; links to it are href('its/:path',
// {…}), checked against these patterns by the compiler.
import { kId, route } from './router/match';
import { lazy } from './router/lazy';
import { Account } from './screens/Account';
import { MyChallenges } from './screens/Challenges';
import { ClubPage, Clubs, NewClub } from './screens/Clubs';
import { Activities } from './screens/Activities';
import { ActivityDetail } from './screens/ActivityDetail';
import { EditActivity, NewActivity } from './screens/ActivityEdit';
import { Login, Signup } from './screens/Auth';
import { EditProfile } from './screens/EditProfile';
import { Feed } from './screens/Feed';
import { FollowRequests } from './screens/FollowRequests';
import { Notifications } from './screens/Notifications';
import { PrivacyZones } from './screens/PrivacyZones';
import { People } from './screens/People';
import { Profile } from './screens/Profile';
import { Record } from './screens/Record';
import { Sessions } from './screens/Sessions';
import { Chats, Insights } from './screens/Tabs';
import { Upload } from './screens/Upload';
import { You } from './screens/You';

export const kRoutes = [
    route('login', { screen: Login, title: 'Log in', access: 'signed-out' }),
    route('signup', { screen: Signup, title: 'Sign up', access: 'signed-out' }),

    route('feed', { screen: Feed, title: 'Feed', tab: 'feed' }),
    route('record', { screen: Record, title: 'Record', tab: 'record' }),
    route('chats', { screen: Chats, title: 'Chats', tab: 'chats' }),
    route('notifications', { screen: Notifications, title: 'Notifications', tab: 'notifications' }),
    route('insights', { screen: Insights, title: 'Insights', tab: 'insights' }),
    route('you', { screen: You, title: 'You', tab: 'you' }),
    route('you/edit', { screen: EditProfile, title: 'Edit profile', tab: 'you' }),
    route('you/sessions', { screen: Sessions, title: 'Sessions', tab: 'you' }),
    route('you/privacy-zones', { screen: PrivacyZones, title: 'Privacy zones', tab: 'you' }),
    route('you/account', { screen: Account, title: 'Password & account', tab: 'you' }),
    route('you/follow-requests', { screen: FollowRequests, title: 'Follow requests', tab: 'you' }),
    // Another athlete's profile (follow, block); it opens from the feed.
    route('people', { screen: People, title: 'Find people', tab: 'you' }),
    route('user/:id', { screen: Profile, params: { id: kId }, title: 'Profile', tab: 'feed' }),

    // Workouts open from "You" and from the feed's cards.
    route('activities', { screen: Activities, title: 'Your activities', tab: 'you' }),
    route('activities/new', { screen: NewActivity, title: 'Manual activity', tab: 'you' }),
    route('activity/:id', { screen: ActivityDetail, params: { id: kId }, title: 'Activity', tab: 'you' }),
    route('activity/:id/edit', { screen: EditActivity, params: { id: kId }, title: 'Edit activity', tab: 'you' }),
    route('upload', { screen: Upload, title: 'Upload', tab: 'you' }),

    // Clubs open from "You" until the social tabs land.
    route('clubs', { screen: Clubs, title: 'Clubs', tab: 'you' }),
    route('clubs/new', { screen: NewClub, title: 'New club', tab: 'you' }),
    route('club/:id', { screen: ClubPage, params: { id: kId }, title: 'Club', tab: 'you' }),
    route('you/challenges', { screen: MyChallenges, title: 'My challenges', tab: 'you' }),

    // The living style page of the design system: open to anybody (it shows no data and calls no
    // API), in its own chunk so it costs the app nothing until opened.
    route('styleguide', { screen: lazy(() => import('./screens/Styleguide').then((module) => module.Styleguide)), title: 'Style guide', access: 'any' }),
] as const;

/** Where an unknown path, or a route the session may not open, leads. */
export const kHomes = { signedIn: 'feed', signedOut: 'login' } as const;
