// A pretend shell for working on the window in a plain browser: `npm run dev`, then open
// http://localhost:5173/?demo (a set-up account), ?demo=first-run or ?demo=sandbox.
// Only loaded by the dev server; production builds drop it.
import { emit } from '@tauri-apps/api/event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { defaultCalendarRules, defaultNoticeRules } from '../lib/noise';
import type {
  AppState,
  CalendarView,
  ChangeView,
  ChannelView,
  SandboxEvent,
  Settings,
  UiError,
} from '../lib/types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function installDemo(variant: string | null): void {
  const now = Date.now();
  const email = 'sandbox.user@example.com';
  const firstRun = variant === 'first-run';
  const sandbox = variant === 'sandbox';

  let state: AppState = {
    clientSecret: firstRun ? { imported: false, clientId: null } : { imported: true, clientId: 'calwatch-demo.apps.googleusercontent.com' },
    account: firstRun ? null : { email, status: 'signed_in' },
    accounts: firstRun ? [] : [{ email, status: 'signed_in' }],
    signingIn: false,
    callbackUrl: firstRun ? null : 'https://calwatch.example.net/notifications',
    allowHttpCallback: false,
    receiver: { address: '127.0.0.1:8765', listening: true, error: null },
    sandbox,
    startAtLogin: true,
    tunnel: null,
    settings: {
      paused: false,
      language: 'system',
      hourCycle: 'automatic',
      watchNewCalendars: false,
      summaryThreshold: 3,
      backstopMinutes: 15,
      receiverPort: 8765,
      pausedUntil: null,
      notices: defaultNoticeRules(),
      pushDownPollMinutes: 2,
      siteVerificationFile: null,
    },
    hold: { paused: false, quiet: false, until: null },
    locale: { language: 'en', dateTag: 'en-GB', hourCycle: 'automatic' },
    watchedCount: firstRun ? 0 : 2,
    nextRenewalAt: now + 6 * DAY,
    settingsProblem: null,
    pushHealth: { state: 'unknown', reason: null, checkedAt: null, pollingEveryMinutes: null, lastDeliveries: [] },
  };
  let calendars: CalendarView[] = [
    { account: email, id: email, summary: 'Work', color: '#039be5', primary: true, watched: true, accessRole: 'owner', gone: false, goneReason: null, rules: defaultCalendarRules() },
    { account: email, id: 'family@group.calendar.google.com', summary: 'Family', color: '#33b679', primary: false, watched: true, accessRole: 'owner', gone: false, goneReason: null, rules: defaultCalendarRules() },
    { account: email, id: 'holidays@group.v.calendar.google.com', summary: 'Holidays in Germany', color: '#e67c73', primary: false, watched: false, accessRole: 'reader', gone: false, goneReason: null, rules: defaultCalendarRules() },
    { account: email, id: 'boss@example.com', summary: 'Boss', color: '#8e24aa', primary: false, watched: false, accessRole: 'freeBusyReader', gone: false, goneReason: null, rules: defaultCalendarRules() },
  ];
  let channels: ChannelView[] = firstRun
    ? []
    : [
        { id: 'c-work', account: email, calendarId: email, calendarName: 'Work', createdAt: now - 2 * HOUR, expiresAt: now + 7 * DAY - 2 * HOUR, state: 'active', error: null, lastMessage: 14 },
        { id: 'c-family', account: email, calendarId: 'family@group.calendar.google.com', calendarName: 'Family', createdAt: now - 6 * DAY, expiresAt: now + 4 * HOUR + 12 * MINUTE, state: 'expiring_soon', error: null, lastMessage: 3 },
      ];
  let changes: ChangeView[] = firstRun
    ? []
    : [
        { id: 4, account: email, calendarId: email, calendarName: 'Work', kind: 'updated', headline: 'Team sync moved', body: 'Tue 3 Dec 10:00 → 11:00 · Work', diffs: [{ field: 'time', before: 'Tue 3 Dec 10:00', after: 'Tue 3 Dec 11:00' }, { field: 'place', before: 'Room 1', after: 'Room 4' }], receivedAt: now - 2 * MINUTE, htmlLink: 'https://www.google.com/calendar/event?eid=demo4', silenced: null, silencedWhy: null },
        { id: 3, account: email, calendarId: email, calendarName: 'Work', kind: 'created', headline: 'Design review added', body: 'Wed 4 Dec 14:00 · Work', diffs: [], receivedAt: now - 40 * MINUTE, htmlLink: 'https://www.google.com/calendar/event?eid=demo3', silenced: null, silencedWhy: null },
        { id: 2, account: email, calendarId: 'family@group.calendar.google.com', calendarName: 'Family', kind: 'cancelled', headline: 'Dentist cancelled', body: 'Mon 2 Dec 09:00 · Family', diffs: [], receivedAt: now - 3 * HOUR, htmlLink: null, silenced: null, silencedWhy: null },
      ];
  let events: SandboxEvent[] = [
    { id: 'e1', calendarId: email, summary: 'Team sync', start: iso(now + DAY), end: iso(now + DAY + HOUR), allDay: false, location: 'Room 4' },
    { id: 'e2', calendarId: email, summary: 'Offsite', start: day(now + 3 * DAY), end: day(now + 4 * DAY), allDay: true, location: null },
  ];
  let nextId = 100;

  const fail = (code: UiError['code'], message: string): never => {
    throw { code, message } satisfies UiError;
  };
  const publish = () => emit('calwatch://state', state);

  mockIPC(
    async (command, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      switch (command) {
        case 'get_state':
          return state;
        case 'import_client_secret':
          if (!String(args.path).endsWith('.json'))
            return fail('bad_client_secret', 'That is not a JSON file. Download the client secret of a "Desktop app" OAuth client.');
          state = { ...state, clientSecret: { imported: true, clientId: 'calwatch-demo.apps.googleusercontent.com' } };
          return state;
        case 'pick_client_secret':
          return state;
        case 'sign_in':
          state = { ...state, signingIn: true };
          await publish();
          await new Promise((r) => setTimeout(r, 2500));
          state = { ...state, signingIn: false, account: { email, status: 'signed_in' }, accounts: [{ email, status: 'signed_in' }] };
          return state;
        case 'cancel_sign_in':
          return null;
        case 'sign_out':
          state = { ...state, account: null, accounts: [], watchedCount: 0 };
          channels = [];
          if (args.deleteHistory) changes = [];
          return state;
        case 'clear_history':
          changes = [];
          return [];
        case 'set_callback_url': {
          const url = String(args.url);
          if (!url.startsWith('https://'))
            return fail('callback_not_https', 'The callback URL must start with https:// — Google only delivers to HTTPS addresses.');
          state = { ...state, callbackUrl: url };
          return state;
        }
        case 'check_callback':
          return {
            ok: true,
            rttMs: 87,
            steps: [
              { name: 'Address', ok: true, detail: 'calwatch.example.net resolves' },
              { name: 'HTTPS', ok: true, detail: 'certificate valid until 3 Mar 2027' },
              { name: 'Reaches this computer', ok: true, detail: 'probe came back through the tunnel' },
            ],
          };
        case 'list_calendars':
          return calendars;
        case 'watch_calendar': {
          const cal = calendars.find((c) => c.id === args.calendarId)!;
          if (cal.accessRole === 'reader')
            return fail('callback_rejected', 'Google refused to send notices for this calendar to your callback address.');
          calendars = calendars.map((c) => (c === cal ? { ...c, watched: true } : c));
          const ch: ChannelView = { id: `c-${nextId++}`, account: email, calendarId: cal.id, calendarName: cal.summary, createdAt: Date.now(), expiresAt: Date.now() + 7 * DAY, state: 'active', error: null, lastMessage: 0 };
          channels = [...channels, ch];
          return ch;
        }
        case 'unwatch_calendar':
          calendars = calendars.map((c) => (c.id === args.calendarId ? { ...c, watched: false } : c));
          channels = channels.filter((c) => c.calendarId !== args.calendarId);
          return null;
        case 'list_channels':
          return channels;
        case 'renew_channel': {
          const old = channels.find((c) => c.id === args.channelId)!;
          const ch: ChannelView = { ...old, id: `c-${nextId++}`, createdAt: Date.now(), expiresAt: Date.now() + 7 * DAY, state: 'active', lastMessage: 0 };
          channels = [...channels.filter((c) => c !== old), ch];
          return ch;
        }
        case 'stop_channel':
          channels = channels.filter((c) => c.id !== args.channelId);
          return null;
        case 'list_changes':
          return changes;
        case 'update_settings':
          if ((args.settings as Partial<Settings>).receiverPort === 80)
            return fail('port_in_use', 'Port 80 is already in use on 127.0.0.1.');
          {
            const { startAtLogin, ...engine } = args.settings as Partial<Settings>;
            state = { ...state, startAtLogin: startAtLogin ?? state.startAtLogin, settings: { ...state.settings, ...engine } };
          }
          return state;
        case 'set_calendar_rules':
          calendars = calendars.map((c) =>
            c.id === args.calendarId ? { ...c, rules: args.rules as CalendarView['rules'] } : c,
          );
          return calendars;
        case 'pause': {
          const until = args.length === 'until_resumed' ? null : Date.now() + HOUR;
          state = {
            ...state,
            settings: { ...state.settings, paused: true, pausedUntil: until },
            hold: { paused: true, quiet: false, until },
          };
          return state;
        }
        case 'resume':
          state = {
            ...state,
            settings: { ...state.settings, paused: false, pausedUntil: null },
            hold: { paused: false, quiet: false, until: null },
          };
          return state;
        case 'open_link':
          window.open(String(args.url), '_blank', 'noopener');
          return null;
        case 'sandbox_start':
          state = { ...state, sandbox: true, account: { email, status: 'signed_in' }, accounts: [{ email, status: 'signed_in' }] };
          return state;
        case 'sandbox_stop':
          state = { ...state, sandbox: false, account: null, accounts: [] };
          return state;
        case 'sandbox_events':
          return events;
        case 'sandbox_create_event': {
          const event: SandboxEvent = { id: `e${nextId++}`, calendarId: String(args.calendarId), summary: String(args.summary), start: String(args.start), end: String(args.end), allDay: false, location: null };
          events = [...events, event];
          announce(`${event.summary} added`);
          return event;
        }
        case 'sandbox_update_event': {
          const { calendarId: _c, eventId, ...patch } = args;
          events = events.map((e) => (e.id === eventId ? { ...e, ...(patch as Partial<SandboxEvent>) } : e));
          const event = events.find((e) => e.id === eventId)!;
          announce(patch.summary ? `${event.summary} renamed` : `${event.summary} moved`);
          return event;
        }
        case 'sandbox_delete_event': {
          const event = events.find((e) => e.id === args.eventId)!;
          events = events.filter((e) => e !== event);
          announce(`${event.summary} cancelled`);
          return null;
        }
        default:
          throw `command ${command} not found`;
      }
    },
    { shouldMockEvents: true },
  );

  // ?demo&view=channels opens that view, as a clicked toast would.
  const view = new URLSearchParams(location.search).get('view');
  if (view) setTimeout(() => emit('calwatch://navigate', view), 300);

  function announce(headline: string) {
    const change: ChangeView = { id: nextId++, account: email, calendarId: email, calendarName: 'Work', kind: 'updated', headline, body: 'Sandbox · Work', diffs: [], receivedAt: Date.now(), htmlLink: null, silenced: null, silencedWhy: null };
    changes = [change, ...changes];
    setTimeout(() => emit('calwatch://changes', [change]), 600);
  }
}

function iso(at: number): string {
  return new Date(Math.round(at / HOUR) * HOUR).toISOString();
}

function day(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
