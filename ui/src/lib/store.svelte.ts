// The window's live picture of the app: what the shell last told us, kept current by
// its events. Views read from here and call `api` for actions; forms keep their own
// input state so a failed command never loses what was typed.
import * as api from './api';
import { setLocale } from './i18n.svelte';
import type {
  AppState,
  CalendarView,
  ChangeView,
  ChannelView,
  ListChannelView,
  ProbeReport,
  UiError,
  ViewName,
} from './types';

/** How many changes the Activity view asks for at start. */
export const CHANGE_HISTORY_LIMIT = 200;

const VIEWS: ViewName[] = ['setup', 'calendars', 'channels', 'activity', 'settings', 'sandbox'];

/** Background errors shown at once; older ones give way so the view stays visible. */
const MAX_BANNERS = 3;

/** A background failure shown in the banner until dismissed. */
export type BannerError = { id: number; error: UiError };

/** Newest first; ties (same millisecond) by the later id, which the store gave later. */
export function newestFirst(a: ChangeView, b: ChangeView): number {
  return b.receivedAt - a.receivedAt || b.id - a.id;
}

export class AppStore {
  /** False in a plain browser: the views render, but nothing can be done. */
  connected = $state(false);
  /** True once the first `get_state` answered (or failed), so views can stop showing "Loading". */
  loaded = $state(false);
  app = $state<AppState | null>(null);
  calendars = $state<CalendarView[]>([]);
  /** Why the calendar list could not be fetched, shown in the Calendars view. */
  calendarsError = $state<UiError | null>(null);
  channels = $state<ChannelView[]>([]);
  /** Each account's calendar-list channel (how a calendar shared with them shows up at once). */
  listChannels = $state<ListChannelView[]>([]);
  changes = $state<ChangeView[]>([]);
  banners = $state<BannerError[]>([]);
  view = $state<ViewName>('setup');
  /** Activity shows only these changes (a digest toast was clicked); null: all. */
  focus = $state<number[] | null>(null);
  /** The last Test of the callback URL, and the URL it tested (Setup ticks only a pass). */
  probe = $state<{ url: string; report: ProbeReport } | null>(null);
  /** The clock the countdowns and relative times read; ticks once a second while started. */
  now = $state(Date.now());

  signedIn = $derived(this.app?.account?.status === 'signed_in');
  sandbox = $derived(this.app?.sandbox ?? false);

  #nextBannerId = 1;
  #navigated = false;

  /** Connects to the shell, loads everything once and follows its events. Returns a stop function. */
  async start(): Promise<() => void> {
    const tick = setInterval(() => (this.now = Date.now()), 1000);
    this.connected = api.isConnected();
    if (!this.connected) {
      this.loaded = true;
      return () => clearInterval(tick);
    }
    const unsubscribe = await api.subscribe({
      state: (state) => this.setState(state),
      channels: (channels) => (this.channels = channels),
      listChannels: (channels) => (this.listChannels = channels),
      changes: (changes) => this.addChanges(changes),
      calendars: (calendars) => {
        this.calendars = calendars;
        this.calendarsError = null;
      },
      error: (error) => this.pushError(error),
      showChanges: (ids) => {
        this.focus = ids;
        // The digest's changes may be older than what the list loaded: fetch again.
        void this.refreshChanges();
      },
      navigate: (view) => {
        // Ignore a view this window doesn't have (say, from a newer shell) rather than go blank.
        if (VIEWS.includes(view) && (view !== 'sandbox' || this.sandbox)) {
          this.view = view;
          this.#navigated = true;
        }
      },
    });
    try {
      const state = await api.getState();
      // A set-up app opens on what changed; unless the shell already asked for a view
      // (the window was opened by clicking a summary toast).
      if (!this.#navigated) {
        this.view = state.account?.status === 'signed_in' && state.watchedCount > 0 ? 'activity' : 'setup';
      }
      this.setState(state);
    } catch (err) {
      this.pushError(err as UiError);
    } finally {
      this.loaded = true;
    }
    await Promise.all([this.refreshChannels(), this.refreshChanges()]);
    return () => {
      clearInterval(tick);
      unsubscribe();
    };
  }

  /** Takes a new AppState from a command's answer or the state event. */
  setState(state: AppState): void {
    const wasSignedIn = this.signedIn;
    this.app = state;
    // The engine resolved the language and date conventions; the window follows them.
    const pseudoLocale = typeof location !== 'undefined' && new URLSearchParams(location.search).has('pseudo');
    if (state.locale) setLocale(state.locale, pseudoLocale);
    const nowSignedIn = state.account?.status === 'signed_in';
    if (nowSignedIn && !wasSignedIn) void this.refreshCalendars();
    if (!state.account) {
      // Signed out: the old account's calendars and channels are no longer ours to show.
      this.calendars = [];
      this.channels = [];
      this.listChannels = [];
    }
    if (!state.sandbox && this.view === 'sandbox') this.view = 'setup';
  }

  async refreshCalendars(): Promise<void> {
    try {
      this.calendars = await api.listCalendars();
      this.calendarsError = null;
    } catch (err) {
      this.calendarsError = err as UiError;
    }
  }

  async refreshChannels(): Promise<void> {
    try {
      [this.channels, this.listChannels] = await Promise.all([api.listChannels(), api.listListChannels()]);
    } catch (err) {
      this.pushError(err as UiError);
    }
  }

  /** Puts a renewed calendar-list channel in place of the one it replaced. */
  replaceListChannel(channel: ListChannelView, replaces: string): void {
    this.listChannels = putInPlace(this.listChannels, channel, replaces);
  }

  async refreshChanges(): Promise<void> {
    try {
      this.addChanges(await api.listChanges(CHANGE_HISTORY_LIMIT));
    } catch (err) {
      this.pushError(err as UiError);
    }
  }

  /** Deletes the shown history (Settings → Clear history); keeps what the backend kept. */
  async clearHistory(): Promise<void> {
    this.changes = [...(await api.clearHistory(CHANGE_HISTORY_LIMIT))].sort(newestFirst);
  }

  /** Merges changes in by id, keeping the list newest first. */
  addChanges(incoming: ChangeView[]): void {
    const byId = new Map(this.changes.map((c) => [c.id, c]));
    for (const change of incoming) byId.set(change.id, change);
    this.changes = [...byId.values()].sort(newestFirst);
  }

  /** Puts a channel in the list, replacing one for the same calendar (a renewal is a new channel). */
  upsertChannel(channel: ChannelView, replaces?: string): void {
    this.channels = putInPlace(this.channels, channel, replaces);
  }

  removeChannel(channelId: string): void {
    this.channels = this.channels.filter((c) => c.id !== channelId);
  }

  /** Replaces one calendar's row (its rules changed). */
  setCalendars(calendars: CalendarView[]): void {
    this.calendars = calendars;
  }

  /** Marks a calendar watched or not without waiting for the shell's next list. */
  markWatched(account: string, calendarId: string, watched: boolean): void {
    this.calendars = this.calendars.map((c) =>
      c.account === account && c.id === calendarId ? { ...c, watched } : c,
    );
    if (!watched)
      this.channels = this.channels.filter((c) => !(c.account === account && c.calendarId === calendarId));
  }

  pushError(error: UiError): void {
    // A failure that repeats (a renewal retried every minute) is one banner, not a stack.
    const same = (b: BannerError) => b.error.code === error.code && b.error.message === error.message;
    if (this.banners.some(same)) return;
    this.banners = [...this.banners, { id: this.#nextBannerId++, error }].slice(-MAX_BANNERS);
  }

  dismiss(id: number): void {
    this.banners = this.banners.filter((b) => b.id !== id);
  }
}

/** `list` with `item` in it once, and without the one it `replaces` (a renewal's old channel). */
function putInPlace<T extends { id: string }>(list: T[], item: T, replaces?: string): T[] {
  return [...list.filter((c) => c.id !== item.id && c.id !== replaces), item];
}
