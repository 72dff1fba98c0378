// Pure presentation rules: how times, countdowns and states read in the window.
// Nothing here looks at the clock; the caller passes `now` in.
import type { ChannelState, ChannelView, ChangeKind, DiffField } from './types';
import { dateTag, dayTime, fullDate, hourCycleOptions, t } from './i18n.svelte';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Time left until `expiresAt`, in its two largest units: "6 d 23 h", "4 h 12 m",
 * "3 m 5 s", "59 s"; "expired" once it has passed.
 */
export function countdown(expiresAt: number, now: number): string {
  const left = expiresAt - now;
  if (left <= 0) return t('countdown-expired');
  // Round up so the display reaches "expired" exactly when the time does, never "0 s".
  const totalSeconds = Math.ceil(left / SECOND);
  const days = Math.floor(totalSeconds / 86400);
  const hours = Math.floor((totalSeconds % 86400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return t('countdown-days', { days, hours });
  if (hours > 0) return t('countdown-hours', { hours, minutes });
  if (minutes > 0) return t('countdown-minutes', { minutes, seconds });
  return t('countdown-seconds', { seconds });
}

/** Whole seconds left (0 once expired), for machines and screen readers that want a number. */
export function secondsLeft(expiresAt: number, now: number): number {
  return Math.max(0, Math.ceil((expiresAt - now) / SECOND));
}

/** How long ago `at` was: "just now", "2 min ago", "3 h ago", "yesterday", "4 d ago", then a date. */
export function relativeTime(at: number, now: number, timeZone?: string): string {
  const ago = now - at;
  // A clock a little ahead of ours should not read as "in 2 seconds".
  if (ago < 45 * SECOND) return t('ago-just-now');
  if (ago < HOUR) return t('ago-minutes', { n: Math.max(1, Math.round(ago / MINUTE)) });
  if (ago < DAY) return t('ago-hours', { n: Math.floor(ago / HOUR) });
  if (ago < 2 * DAY) return t('ago-yesterday');
  if (ago < 7 * DAY) return t('ago-days', { n: Math.floor(ago / DAY) });
  return fullDate(at, timeZone);
}

/** A full date and time for tooltips and tables: "Tue 3 Dec 2026, 10:00", "2026년 12월 3일 (목) 오전 10:00". */
export function absoluteTime(at: number, timeZone?: string): string {
  // The locale's own order and clock (the engine's tag and hour cycle), as the toasts.
  return new Intl.DateTimeFormat(dateTag(), {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: 'numeric',
    timeZone,
    ...hourCycleOptions(),
  }).format(at);
}

/** How a channel's state is shown: the words and the colour family of its badge. */
export type Badge = { label: string; tone: 'ok' | 'busy' | 'warn' | 'bad' | 'muted' };

const TONES: Record<ChannelState, Badge['tone']> = {
  active: 'ok',
  renewing: 'busy',
  expiring_soon: 'warn',
  expired: 'bad',
  error: 'bad',
  pending: 'busy',
  stopped: 'muted',
};

/** The badge for a channel state (its words read when called, so they follow the language). */
export function stateBadge(state: ChannelState): Badge {
  if (!Object.hasOwn(TONES, state)) return { label: state, tone: 'muted' };
  return { label: t(`badge-${state.replace('_', '-')}`), tone: TONES[state] };
}

/**
 * The badge for a channel as of `now`. A channel whose time has run out reads "expired"
 * even before the shell's next update says so, so the badge never contradicts the countdown.
 */
export function channelBadge(channel: Pick<ChannelView, 'state' | 'expiresAt'>, now: number): Badge {
  const stillLive = channel.state === 'active' || channel.state === 'expiring_soon';
  if (stillLive && channel.expiresAt <= now) return stateBadge('expired');
  return stateBadge(channel.state);
}

/** The note on a calendar the account can't fully read or edit: the words and their tooltip. */
export type AccessBadge = { label: string; title: string };

const ACCESS_BADGES: Record<string, string> = {
  reader: 'access-reader',
  freeBusyReader: 'access-free-busy',
};

/**
 * The badge for a calendar's `accessRole`, or null when there is nothing to say: owners
 * and writers have full access, and an unknown role ("") is not worth a guess.
 */
export function accessBadge(accessRole: string): AccessBadge | null {
  if (!Object.hasOwn(ACCESS_BADGES, accessRole)) return null;
  const id = ACCESS_BADGES[accessRole];
  return { label: t(id), title: t(`${id}-title`) };
}

const FIELDS: ReadonlySet<string> = new Set([
  'time',
  'all_day',
  'title',
  'place',
  'status',
  'response',
  'description',
  'repeats',
  'replies',
]);

/** The row label for a changed field. */
export function fieldLabel(field: DiffField): string {
  return FIELDS.has(field) ? t(`field-${field.replace('_', '-')}`) : field;
}

/** A short word for the kind of change, used as the row's marker. */
export function kindLabel(kind: ChangeKind): string {
  switch (kind) {
    case 'created':
      return t('kind-created');
    case 'updated':
      return t('kind-updated');
    case 'cancelled':
      return t('kind-cancelled');
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO 8601 date-time in this computer's zone with its offset: "2026-12-03T10:00:00+01:00". */
export function localIso(at: number): string {
  const d = new Date(at);
  const offsetMinutes = -d.getTimezoneOffset();
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** Parses a date ("2026-12-03") and a time ("10:00") typed in this computer's zone. */
export function parseLocalDateTime(date: string, time: string): number | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{1,2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  const at = new Date(+d[1], +d[2] - 1, +d[3], +t[1], +t[2]).getTime();
  return Number.isNaN(at) ? null : at;
}

/** The date and time inputs' values for a moment: ["2026-12-03", "10:00"]. */
export function dateTimeInputs(at: number): [string, string] {
  const d = new Date(at);
  return [`${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, `${pad(d.getHours())}:${pad(d.getMinutes())}`];
}

/** Moves an ISO date-time by `ms`, keeping it in this computer's zone. */
export function shiftIso(iso: string, ms: number): string | null {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? null : localIso(at + ms);
}

/**
 * When a sandbox event happens, as the toasts write its start: "Thu 3 Dec, 10:00–11:00" or
 * "Thu 3 Dec, all day" (en-GB), "12월 3일 (목) 오전 10:00~오전 11:00" (Korean).
 */
export function eventWhen(start: string, end: string, allDay: boolean, timeZone?: string): string {
  if (allDay) {
    // A bare date is that calendar day wherever you are: format it in UTC, where it was parsed.
    const at = Date.parse(`${start.slice(0, 10)}T00:00:00Z`);
    if (Number.isNaN(at)) return start;
    const date = new Intl.DateTimeFormat(dateTag(), { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' })
      .format(at)
      .replace(',', '');
    return t('sandbox-all-day', { date });
  }
  const s = Date.parse(start);
  const e = Date.parse(end);
  if (Number.isNaN(s)) return start;
  if (Number.isNaN(e)) return dayTime(s, timeZone);
  // The toasts' rule: an end is exclusive, so the last day is that of the last moment
  // (23:00–00:00 is one evening), and an event that goes on past midnight names both days.
  const dayOf = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone });
  if (dayOf.format(Math.max(s, e - 1)) !== dayOf.format(s)) {
    return t('span-days', { start: dayTime(s, timeZone), end: dayTime(e, timeZone) });
  }
  const clock = new Intl.DateTimeFormat(dateTag(), { hour: 'numeric', minute: 'numeric', timeZone, ...hourCycleOptions() });
  return t('span-times', { start: dayTime(s, timeZone), end: clock.format(e) });
}

export { SECOND, MINUTE, HOUR, DAY };

/** A time of day from minutes after midnight: 1320 → "22:00". */
export function minutesToTime(minutes: number): string {
  return `${pad(Math.floor(minutes / 60) % 24)}:${pad(minutes % 60)}`;
}

/** Minutes after midnight from "HH:MM"; null when it is not a time. */
export function timeToMinutes(text: string): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const [hours, minutes] = [Number(match[1]), Number(match[2])];
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : null;
}

/** "15:30" today, "Tue 08:00" on another day: when a pause or the quiet hours end. */
export function untilTime(at: number, now: number): string {
  const when = new Date(at);
  const sameDay = when.toDateString() === new Date(now).toDateString();
  // The locale's clock and weekday, as the toasts: "Tue 08:00", "(화) 오전 8:00".
  return new Intl.DateTimeFormat(dateTag(), {
    weekday: sameDay ? undefined : 'short',
    hour: '2-digit',
    minute: 'numeric',
    ...hourCycleOptions(),
  })
    .format(at)
    .replace(',', '');
}

/**
 * The calendar's name as a list shows it: with its account added when another account has
 * a calendar of the same name in `all` (two "Work" calendars would otherwise be confused).
 */
export function calendarLabel(
  item: { calendarName: string; account: string },
  all: ReadonlyArray<{ calendarName: string; account: string }>,
): string {
  const confusable = all.some(
    (other) => other.calendarName === item.calendarName && other.account !== item.account && other.account !== '',
  );
  return confusable && item.account
    ? t('calendar-with-account', { calendar: item.calendarName, account: item.account })
    : item.calendarName;
}
