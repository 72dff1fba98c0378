// Typed wrappers around the shell's commands and events. This is the only module that
// knows their names (ui/CONTRACT.md); everything else calls these functions.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AppState,
  CalendarRules,
  CalendarView,
  ChangeView,
  ChannelView,
  EventPayloads,
  ListChannelView,
  PauseFor,
  ProbeReport,
  SandboxEvent,
  Settings,
  ToolOffer,
  TunnelTool,
  UiError,
  ViewName,
} from './types';
import { t } from './i18n.svelte';

/** True inside the CalWatch window; false in a plain browser (e.g. `npm run dev`). */
export function isConnected(): boolean {
  // Checked at call time, not at import: the test mocks install the IPC bridge later.
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

const notConnected = (): UiError => ({ code: 'internal', message: t('error-not-connected') });

/** Narrows anything a rejected command produced to a UiError the window can show. */
export function toUiError(err: unknown): UiError {
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    const { code, message } = err as { code: unknown; message: unknown };
    if (typeof code === 'string' && typeof message === 'string') {
      return { code: code as UiError['code'], message };
    }
  }
  // Tauri itself rejects with a bare string when a command is missing or arguments
  // don't deserialize; show it rather than lose it.
  const message = typeof err === 'string' ? err : err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!isConnected()) throw notConnected();
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    throw toUiError(err);
  }
}

export const getState = () => call<AppState>('get_state');
export const importClientSecret = (path: string) => call<AppState>('import_client_secret', { path });
export const pickClientSecret = () => call<AppState>('pick_client_secret');
export const signIn = () => call<AppState>('sign_in');
export const cancelSignIn = () => call<void>('cancel_sign_in');
export const signOut = (deleteHistory: boolean, account?: string) =>
  call<AppState>('sign_out', { deleteHistory, account });
export const setCallbackUrl = (url: string) => call<AppState>('set_callback_url', { url });
export const checkCallback = () => call<ProbeReport>('check_callback');
export const listCalendars = () => call<CalendarView[]>('list_calendars');
export const watchCalendar = (account: string, calendarId: string) =>
  call<ChannelView>('watch_calendar', { account, calendarId });
export const unwatchCalendar = (account: string, calendarId: string) =>
  call<void>('unwatch_calendar', { account, calendarId });
export const listChannels = () => call<ChannelView[]>('list_channels');
export const renewChannel = (channelId: string) => call<ChannelView>('renew_channel', { channelId });
export const stopChannel = (channelId: string) => call<void>('stop_channel', { channelId });
export const listListChannels = () => call<ListChannelView[]>('list_calendar_list_channels');
export const renewListChannel = (channelId: string) =>
  call<ListChannelView>('renew_list_channel', { channelId });
export const listChanges = (limit: number) => call<ChangeView[]>('list_changes', { limit });
export const clearHistory = (limit: number) => call<ChangeView[]>('clear_history', { limit });
export const updateSettings = (settings: Partial<Settings>) =>
  call<AppState>('update_settings', { settings });
export const pause = (length: PauseFor) => call<AppState>('pause', { length });
export const resume = () => call<AppState>('resume');
export const setCalendarRules = (account: string, calendarId: string, rules: CalendarRules) =>
  call<CalendarView[]>('set_calendar_rules', { account, calendarId, rules });
export const openLink = (url: string) => call<void>('open_link', { url });
export const sandboxStart = () => call<AppState>('sandbox_start');
export const sandboxStop = () => call<AppState>('sandbox_stop');
export const sandboxEvents = () => call<SandboxEvent[]>('sandbox_events');

export type NewSandboxEvent = {
  calendarId: string;
  summary: string;
  start: string;
  end: string;
  allDay: boolean;
};
export const sandboxCreateEvent = (event: NewSandboxEvent) =>
  call<SandboxEvent>('sandbox_create_event', event);

export type SandboxEventPatch = {
  calendarId: string;
  eventId: string;
  summary?: string;
  start?: string;
  end?: string;
};
export const sandboxUpdateEvent = (patch: SandboxEventPatch) =>
  call<SandboxEvent>('sandbox_update_event', patch);
export const sandboxDeleteEvent = (calendarId: string, eventId: string) =>
  call<void>('sandbox_delete_event', { calendarId, eventId });

/** Callbacks for the shell's events; each receives the event's payload. */
export type ShellEvents = {
  state: (state: AppState) => void;
  channels: (channels: ChannelView[]) => void;
  /** Each account's calendar-list channels. */
  listChannels?: (channels: ListChannelView[]) => void;
  changes: (changes: ChangeView[]) => void;
  calendars: (calendars: CalendarView[]) => void;
  error: (error: UiError) => void;
  navigate: (view: ViewName) => void;
  /** A digest toast was clicked: Activity shows just these changes. */
  showChanges?: (ids: number[]) => void;
};

/** Subscribes to every shell event; the returned function unsubscribes them all. */
export async function subscribe(handlers: ShellEvents): Promise<UnlistenFn> {
  if (!isConnected()) return () => {};
  // Typed by the shell's own list of events and payloads (generated from Rust).
  const on = <K extends keyof EventPayloads>(name: K, handler: (payload: EventPayloads[K]) => void) =>
    listen<EventPayloads[K]>(name, (event) => handler(event.payload));
  const unlisteners = await Promise.all([
    on('calwatch://state', handlers.state),
    on('calwatch://channels', handlers.channels),
    on('calwatch://list-channels', (channels) => handlers.listChannels?.(channels)),
    on('calwatch://changes', handlers.changes),
    on('calwatch://calendars', handlers.calendars),
    on('calwatch://error', (payload: unknown) => handlers.error(toUiError(payload))),
    // The shell names a view; the store ignores one this window does not have.
    on('calwatch://navigate', (view) => handlers.navigate(view as ViewName)),
    on('calwatch://show-changes', (ids) => handlers.showChanges?.(ids)),
  ]);
  return () => unlisteners.forEach((unlisten) => unlisten());
}

/** The tunnel tools Setup offers, installed or not, with the command for this receiver. */
export const tunnelTools = () => call<ToolOffer[]>('tunnel_tools');
/** Starts a tunnel and makes its address the callback URL; resolves once it has one. */
export const startTunnel = (tool: TunnelTool) => call<AppState>('start_tunnel', { tool });
export const stopTunnel = () => call<AppState>('stop_tunnel');
