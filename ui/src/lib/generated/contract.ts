// Generated from the shell's Rust types by `cargo test -p calwatch --lib contract`
// (src-tauri/src/contract.rs). Do not edit: change the Rust type and run the test.

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
  | 'callback_unauthorized'
  | 'no_callback'
  | 'keyring_unavailable'
  | 'port_in_use'
  | 'offline'
  | 'rate_limited'
  | 'not_found'
  | 'busy'
  | 'invalid_setting'
  | 'sync_stopped'
  | 'store'
  | 'internal'
  | 'sandbox'
  | 'tunnel';

export type AccountState = {
  email: string;
  status: AccountStatus;
};

export type AccountStatus = 'signed_in' | 'needs_sign_in' | 'offline';

export type CalendarRules = {
  muted: boolean;
  kinds: Kinds;
  withinDays: number | null;
};

export type CalendarView = {
  account: string;
  id: string;
  summary: string;
  color: string | null;
  primary: boolean;
  watched: boolean;
  accessRole: string;
  gone: boolean;
  goneReason: string | null;
  rules: CalendarRules;
};

export type ChangeKind = 'created' | 'updated' | 'cancelled';

export type ChangeView = {
  id: number;
  account: string;
  calendarId: string;
  calendarName: string;
  kind: ChangeKind;
  headline: string;
  body: string;
  diffs: FieldDiff[];
  receivedAt: number;
  htmlLink: string | null;
  silenced: Silence | null;
  silencedWhy: string | null;
};

export type ChannelDelivery = {
  channelId: string;
  lastDeliveryAt: number;
};

export type ChannelState =
  | 'pending'
  | 'active'
  | 'renewing'
  | 'expiring_soon'
  | 'expired'
  | 'error'
  | 'stopped';

export type ChannelView = {
  id: string;
  account: string;
  calendarId: string;
  calendarName: string;
  createdAt: number;
  expiresAt: number;
  state: ChannelState;
  error: string | null;
  lastMessage: number;
};

export type ClientSecretState = {
  imported: boolean;
  clientId: string | null;
};

export type EngineSettings = {
  paused: boolean;
  summaryThreshold: number;
  backstopMinutes: number;
  receiverPort: number;
  pushDownPollMinutes: number;
  siteVerificationFile: string | null;
  pausedUntil: number | null;
  notices: NoticeRules;
  language: LanguageChoice;
  hourCycle: HourCycle;
  watchNewCalendars: boolean;
};

export type EngineState = {
  clientSecret: ClientSecretState;
  account: AccountState | null;
  accounts: AccountState[];
  signingIn: boolean;
  callbackUrl: string | null;
  allowHttpCallback: boolean;
  receiver: ReceiverStatus;
  settings: EngineSettings;
  watchedCount: number;
  nextRenewalAt: number | null;
  settingsProblem: string | null;
  pushHealth: PushHealth;
  hold: HoldState;
  locale: LocaleState;
};

export type DiffField =
  | 'time'
  | 'all_day'
  | 'title'
  | 'place'
  | 'status'
  | 'response'
  | 'description'
  | 'repeats'
  | 'replies';

export type FieldDiff = {
  field: DiffField;
  before: string;
  after: string;
};

export type GuestReplies = 'always' | 'when_organizer' | 'never';

export type HoldState = {
  paused: boolean;
  quiet: boolean;
  until: number | null;
};

export type HourCycle = 'automatic' | 'h12' | 'h24';

export type Kinds = {
  created: boolean;
  time: boolean;
  cancelled: boolean;
  titlePlace: boolean;
  replies: boolean;
};

export type Language = 'en' | 'ko';

export type LanguageChoice = 'system' | 'english' | 'korean';

export type ListChannelView = {
  id: string;
  account: string;
  createdAt: number;
  expiresAt: number;
  state: ChannelState;
  lastMessage: number;
};

export type LocaleState = {
  language: Language;
  dateTag: string;
  hourCycle: HourCycle;
};

export type NoticeRules = {
  skipDeclined: boolean;
  skipOnlyAttendee: boolean;
  guestReplies: GuestReplies;
  quietHours: QuietHours;
};

export type PauseFor = 'hour' | 'until_tomorrow' | 'until_resumed';

export type ProbeReport = {
  ok: boolean;
  steps: ProbeStep[];
  rttMs: number | null;
};

export type ProbeStep = {
  name: string;
  ok: boolean;
  detail: string;
};

export type PushHealth = {
  state: PushState;
  reason: string | null;
  checkedAt: number | null;
  pollingEveryMinutes: number | null;
  lastDeliveries: ChannelDelivery[];
};

export type PushState = 'unknown' | 'up' | 'down';

export type QuietHours = {
  enabled: boolean;
  startMinute: number;
  endMinute: number;
  days: boolean[];
};

export type ReceiverStatus = {
  address: string;
  listening: boolean;
  error: UiError | null;
};

export type SandboxEvent = {
  id: string;
  calendarId: string;
  summary: string;
  start: string;
  end: string;
  allDay: boolean;
  location: string | null;
};

export type ShellState = {
  sandbox: boolean;
  startAtLogin: boolean;
  tunnel: TunnelStatus | null;
};

export type Silence =
  | 'muted_calendar'
  | 'kind_off'
  | 'too_far_ahead'
  | 'declined_event'
  | 'only_attendee'
  | 'guest_replies'
  | 'quiet_hours'
  | 'paused';

export type ToolOffer = {
  tool: TunnelTool;
  installed: boolean;
  installUrl: string;
  command: string;
};

export type TunnelState = 'starting' | 'running' | 'restarting' | 'failed' | 'stopped';

export type TunnelStatus = {
  tool: TunnelTool;
  state: TunnelState;
  publicUrl: string | null;
  error: string | null;
  restarts: number;
  pid: number | null;
};

export type TunnelTool = 'cloudflared' | 'ngrok' | 'tailscale';

export type UiError = {
  code: ErrorCode;
  message: string;
};

/** `get_state`'s answer and the `calwatch://state` payload: the engine's snapshot and the shell's part, side by side. */
export type AppState = EngineState & ShellState;

/** Every event the shell sends, with its payload. */
export type EventPayloads = {
  'calwatch://state': AppState;
  'calwatch://channels': ChannelView[];
  'calwatch://list-channels': ListChannelView[];
  'calwatch://changes': ChangeView[];
  'calwatch://calendars': CalendarView[];
  'calwatch://error': UiError;
  'calwatch://navigate': string;
  'calwatch://show-changes': number[];
};
