// Sample values shaped like the shell's answers (ui/CONTRACT.md), for the tests.
import { defaultCalendarRules, defaultNoticeRules } from '../src/lib/noise';
import type { AppState, CalendarView, ChangeView, ChannelView, ListChannelView } from '../src/lib/types';

export function appState(overrides: Partial<AppState> = {}): AppState {
  return {
    clientSecret: { imported: true, clientId: 'calwatch-test.apps.googleusercontent.com' },
    account: { email: 'sandbox.user@example.com', status: 'signed_in' },
    accounts: [{ email: 'sandbox.user@example.com', status: 'signed_in' }],
    signingIn: false,
    callbackUrl: null,
    allowHttpCallback: false,
    receiver: { address: '127.0.0.1:8765', listening: true, error: null },
    sandbox: false,
    startAtLogin: false,
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
    watchedCount: 0,
    nextRenewalAt: null,
    settingsProblem: null,
    pushHealth: { state: 'unknown', reason: null, checkedAt: null, pollingEveryMinutes: null, lastDeliveries: [] },
    ...overrides,
  };
}

/** A fresh install: nothing imported, nobody signed in. */
export function firstRunState(): AppState {
  return appState({ clientSecret: { imported: false, clientId: null }, account: null, accounts: [] });
}

export function calendar(overrides: Partial<CalendarView> = {}): CalendarView {
  return {
    account: 'sandbox.user@example.com',
    id: 'sandbox.user@example.com',
    summary: 'Work',
    color: '#039be5',
    primary: true,
    watched: false,
    accessRole: 'owner',
    gone: false,
    goneReason: null,
    rules: defaultCalendarRules(),
    ...overrides,
  };
}

export function channel(overrides: Partial<ChannelView> = {}): ChannelView {
  return {
    id: 'ch-1',
    account: 'sandbox.user@example.com',
    calendarId: 'sandbox.user@example.com',
    calendarName: 'Work',
    createdAt: Date.UTC(2026, 10, 28, 9, 0),
    expiresAt: Date.UTC(2026, 11, 5, 9, 0),
    state: 'active',
    error: null,
    lastMessage: 0,
    ...overrides,
  };
}

export function listChannel(overrides: Partial<ListChannelView> = {}): ListChannelView {
  return {
    id: 'list-1',
    account: 'sandbox.user@example.com',
    createdAt: Date.UTC(2026, 10, 28, 9, 0),
    expiresAt: Date.UTC(2026, 11, 5, 9, 0),
    state: 'active',
    lastMessage: 3,
    ...overrides,
  };
}

export function change(overrides: Partial<ChangeView> = {}): ChangeView {
  return {
    id: 1,
    account: 'sandbox.user@example.com',
    calendarId: 'sandbox.user@example.com',
    calendarName: 'Work',
    kind: 'updated',
    headline: 'Team sync moved',
    body: 'Tue 3 Dec 10:00 → 11:00 · Work',
    diffs: [{ field: 'time', before: '10:00', after: '11:00' }],
    receivedAt: Date.UTC(2026, 10, 28, 10, 0),
    htmlLink: 'https://www.google.com/calendar/event?eid=abc',
    silenced: null,
    silencedWhy: null,
    ...overrides,
  };
}
