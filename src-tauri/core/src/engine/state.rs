//! [`EngineState`]: what the window's AppState is built from (ui/CONTRACT.md).

use serde::Serialize;

use super::{lock, read, EngineError, Inner};
use crate::account::AccountStatus;
use crate::channels::timing;
use crate::locale::{HourCycle, Language, LanguageChoice};
use crate::noise::{Hold, NoticeRules};
use crate::push_health::PushHealth;
use crate::store::ChannelState;

/// Everything the window shows about the engine, at one moment.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineState {
    /// Whether an OAuth client file was imported.
    pub client_secret: ClientSecretState,
    /// The first account held, if any (the window's single-account places read it).
    pub account: Option<AccountState>,
    /// Every account held, oldest first, each with how its sign-in is doing.
    pub accounts: Vec<AccountState>,
    /// A browser sign-in is waiting for the user.
    pub signing_in: bool,
    /// The public callback URL, once set.
    pub callback_url: Option<String>,
    /// Whether http:// callbacks are allowed (local stand-ins only).
    pub allow_http_callback: bool,
    /// The local receiver.
    pub receiver: ReceiverStatus,
    /// The settings the window edits (start-at-login is the shell's).
    pub settings: EngineSettings,
    /// How many calendars are watched.
    pub watched_count: usize,
    /// When the next channel renewal is due (ms since the epoch).
    pub next_renewal_at: Option<i64>,
    /// What is wrong with `settings.json` that did not stop CalWatch (keys it does not
    /// know), with the file's path; `None` when nothing is.
    pub settings_problem: Option<String>,
    /// Whether Google's deliveries reach this CalWatch, and each channel's last one.
    pub push_health: PushHealth,
    /// Whether toasts are held back right now, and until when.
    pub hold: HoldState,
    /// The language and date conventions in effect.
    pub locale: LocaleState,
}

/// Whether toasts are held back now (a pause, or the quiet hours) and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HoldState {
    /// Paused from the tray or Settings.
    pub paused: bool,
    /// Inside the quiet hours (and not paused).
    pub quiet: bool,
    /// When the pause or the quiet hours end by themselves (ms); `None` for a pause
    /// until resumed, or when nothing holds toasts back.
    pub until: Option<i64>,
}

impl From<Hold> for HoldState {
    fn from(hold: Hold) -> Self {
        HoldState {
            paused: matches!(hold, Hold::Paused { .. }),
            quiet: matches!(hold, Hold::Quiet { .. }),
            until: hold.until(),
        }
    }
}

/// The imported OAuth client.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientSecretState {
    /// A client file is in place.
    pub imported: bool,
    /// Its client id (public).
    pub client_id: Option<String>,
}

/// The account and how its sign-in is doing.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountState {
    /// The account's address (its primary calendar's id).
    pub email: String,
    /// Signed in, needs sign-in, or offline.
    pub status: AccountStatus,
}

/// The local receiver.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiverStatus {
    /// Where it listens (or tried to).
    pub address: String,
    /// Whether it is listening.
    pub listening: bool,
    /// Why it is not, if it is not.
    #[serde(serialize_with = "error_view")]
    pub error: Option<EngineError>,
}

/// The window's settings, as the engine holds them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineSettings {
    /// Notices held back; changes still recorded.
    pub paused: bool,
    /// More changes than this in one sync become one summary.
    pub summary_threshold: usize,
    /// Backstop sync interval; 0 = off.
    pub backstop_minutes: u64,
    /// The receiver's local port.
    pub receiver_port: u16,
    /// While push is down, every watched calendar is synced this often (minutes).
    pub push_down_poll_minutes: u64,
    /// The domain verification file the receiver serves at the root, if any.
    pub site_verification_file: Option<String>,
    /// When a pause ends by itself (ms); `None`: not paused, or until resumed.
    pub paused_until: Option<i64>,
    /// The noise rules everywhere.
    pub notices: NoticeRules,
    /// The language chosen in Settings (`system`: the OS's).
    pub language: LanguageChoice,
    /// The 12/24-hour choice.
    pub hour_cycle: HourCycle,
    /// Calendars newly shared with an account are watched at once.
    pub watch_new_calendars: bool,
}

/// The locale in effect, so the window speaks and writes dates as the toasts do.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocaleState {
    /// The catalogue in use.
    pub language: Language,
    /// The BCP 47 tag dates are written for ("en-GB", "ko-KR").
    pub date_tag: String,
    /// The 12/24-hour choice on top of the tag's habit.
    pub hour_cycle: HourCycle,
}

/// Errors reach the window as `{code, message}`.
fn error_view<S: serde::Serializer>(error: &Option<EngineError>, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct View<'a> {
        code: &'a str,
        message: String,
    }
    match error {
        Some(e) => s.serialize_some(&View {
            code: e.code(),
            message: e.message(),
        }),
        None => s.serialize_none(),
    }
}

impl Inner {
    /// Every account held, oldest first: the status its tokens report when loaded, else
    /// "needs sign-in" (signed in before, but its tokens could not be loaded).
    pub(super) fn account_states(&self) -> Vec<AccountState> {
        let stored = self.store.accounts().unwrap_or_default();
        let sessions = read(&self.sessions);
        let mut states: Vec<AccountState> = stored
            .into_iter()
            .map(|a| AccountState {
                status: sessions
                    .get(&a.id)
                    .map_or(AccountStatus::NeedsSignIn, |s| *s.tokens.status().borrow()),
                email: a.id,
            })
            .collect();
        for (email, session) in sessions.iter() {
            if !states.iter().any(|s| &s.email == email) {
                states.push(AccountState {
                    email: email.clone(),
                    status: *session.tokens.status().borrow(),
                });
            }
        }
        states
    }

    pub(super) fn snapshot(&self) -> EngineState {
        let config = read(&self.config);
        let accounts = self.account_states();
        let account = accounts.first().cloned();
        let receiver = lock(&self.receiver);
        let channels = self.live_channels().unwrap_or_default();
        let timings = &config.settings.timings;
        // Calendar-list channels are renewed on the same rule: the next of either kind.
        let lists = self.live_list_channels().unwrap_or_default();
        let next_renewal_at = channels
            .iter()
            .filter(|c| c.state != ChannelState::Pending)
            .map(|c| (c.created_ms, c.expiration_ms))
            .chain(
                lists
                    .iter()
                    .filter(|c| c.state != ChannelState::Pending)
                    .map(|c| (c.created_ms, c.expiration_ms)),
            )
            .map(|(created, expires)| {
                timing::renew_at_ms(
                    created,
                    expires,
                    timings.renew_at_fraction,
                    timings.renew_min_lead,
                )
            })
            .min();
        EngineState {
            client_secret: ClientSecretState {
                imported: read(&self.client_id).is_some(),
                client_id: read(&self.client_id).clone(),
            },
            account,
            accounts,
            signing_in: lock(&self.signing_in).is_some(),
            callback_url: config.settings.callback_url.clone(),
            allow_http_callback: config.allow_http_callback,
            receiver: ReceiverStatus {
                address: receiver.address.to_string(),
                listening: receiver.task.is_some() && receiver.error.is_none(),
                error: receiver.error.clone(),
            },
            settings: EngineSettings {
                paused: config.settings.paused,
                summary_threshold: config.settings.summary_threshold,
                backstop_minutes: timings.backstop_interval.as_secs() / 60,
                receiver_port: config.settings.receiver_addr.port(),
                push_down_poll_minutes: u64::from(super::health::minutes(timings.push_down_poll)),
                site_verification_file: config.settings.site_verification_file.clone(),
                paused_until: config
                    .settings
                    .paused
                    .then_some(config.settings.paused_until_ms)
                    .flatten(),
                notices: config.settings.notices.clone(),
                language: config.settings.language,
                hour_cycle: config.settings.hour_cycle,
                watch_new_calendars: config.settings.watch_new_calendars,
            },
            watched_count: self
                .store
                .calendars()
                .map(|c| c.iter().filter(|c| c.watched).count())
                .unwrap_or(0),
            next_renewal_at,
            settings_problem: config.settings_problem(),
            push_health: self.push_health(),
            hold: self.hold_now().into(),
            locale: {
                let locale = config.locale();
                LocaleState {
                    language: locale.language(),
                    date_tag: locale.date_tag().to_string(),
                    hour_cycle: locale.hours(),
                }
            },
        }
    }
}
