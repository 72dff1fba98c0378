// The data the shell and the window exchange, exactly as ui/CONTRACT.md
// describes it. Times are milliseconds since the epoch; field names are camelCase.

/** A failed command or a background failure: `code` is for the program, `message` for the person. */
export type UiError = { code: ErrorCode; message: string };

/** Stable error codes; the window switches on these, never on message text. */
export type ErrorCode =
  | 'bad_client_secret'
  | 'no_client_secret'
  | 'sign_in_failed'
  | 'sign_in_cancelled'
  | 'needs_sign_in'
  | 'callback_invalid'
  | 'callback_not_https'
  | 'callback_rejected'
  | 'no_callback'
  | 'keyring_unavailable'
  | 'port_in_use'
  | 'offline'
  | 'rate_limited'
  | 'not_found'
  | 'busy'
  | 'store'
  | 'sandbox'
  | 'internal';

export type AccountStatus = 'signed_in' | 'needs_sign_in' | 'offline';

export type ChannelState =
  | 'pending'
  | 'active'
  | 'renewing'
  | 'expiring_soon'
  | 'expired'
  | 'error'
  | 'stopped';

/** Everything the window needs to draw Setup, Settings and the sandbox banner. */
export type AppState = {
  clientSecret: { imported: boolean; clientId: string | null };
  account: { email: string; status: AccountStatus } | null;
  signingIn: boolean;
  callbackUrl: string | null;
  receiver: { address: string; listening: boolean; error: UiError | null };
  sandbox: boolean;
  settings: Settings;
  watchedCount: number;
  nextRenewalAt: number | null;
};

export type Settings = {
  paused: boolean;
  startAtLogin: boolean;
  summaryThreshold: number;
  /** 0 turns the backstop sync off. */
  backstopMinutes: number;
  receiverPort: number;
};

export type CalendarView = {
  id: string;
  summary: string;
  /** CSS colour such as "#039be5", when Google gives one. */
  color: string | null;
  primary: boolean;
  watched: boolean;
  accessRole: string;
  /** Removed from the account on Google's side; kept so its history still reads. */
  gone: boolean;
};

export type ChannelView = {
  id: string;
  calendarId: string;
  calendarName: string;
  createdAt: number;
  expiresAt: number;
  state: ChannelState;
  error: string | null;
  lastMessage: number;
};

export type ProbeStep = { name: string; ok: boolean; detail: string };
export type ProbeReport = { ok: boolean; steps: ProbeStep[]; rttMs: number | null };

export type DiffField = 'time' | 'all_day' | 'title' | 'place' | 'status' | 'response' | 'description' | 'repeats';
export type FieldDiff = { field: DiffField; before: string; after: string };

export type ChangeKind = 'created' | 'updated' | 'cancelled' | 'summary' | 'away';

export type ChangeView = {
  id: number;
  calendarId: string;
  calendarName: string;
  kind: ChangeKind;
  /** "Team sync moved" */
  headline: string;
  /** "Tue 3 Dec 10:00 → 11:00 · Work" */
  body: string;
  diffs: FieldDiff[];
  receivedAt: number;
  htmlLink: string | null;
};

/** An event of the simulated account; start/end are ISO 8601 (a date for all-day events). */
export type SandboxEvent = {
  id: string;
  calendarId: string;
  summary: string;
  start: string;
  end: string;
  allDay: boolean;
  location: string | null;
};

/** The views the window can show; also the payload of `calwatch://navigate`. */
export type ViewName = 'setup' | 'calendars' | 'channels' | 'activity' | 'settings' | 'sandbox';
