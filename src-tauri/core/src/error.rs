//! The engine's one error type: a stable code for the window, a sentence for the user.
//!
//! Low in the core so that [`crate::event::EngineEvent`] can carry it; the errors of the
//! modules below map onto it here, those of sync and channels in the engine.

use crate::auth::AuthError;
use crate::config::client_secret::MAX_CLIENT_SECRET_BYTES;
use crate::config::{ClientSecretError, ConfigError};
use crate::google::{CallbackRejection, GoogleError, NotSignedIn, TokenError};
use crate::locale::catalogue::Arg;
use crate::locale::Locale;
use crate::secrets::SecretsError;
use crate::store::StoreError;
use crate::tunnel::{Ending, Todo, TunnelProblem};

/// Why an engine operation failed.
///
/// `code()` is one of the window's `ErrorCode` strings (ui/CONTRACT.md); `Display` is the
/// sentence shown to the user, saying what to do. Details go to the log where they happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The chosen file is not a Desktop-app OAuth client; the sentence says why.
    #[error("{0}")]
    BadClientSecret(Sentence),
    /// Sign-in was attempted before a client secret file was imported.
    #[error("Import your Google OAuth client file (client_secret_….json, a \"Desktop app\" client) before signing in.")]
    NoClientSecret,
    /// The browser flow failed (denied, wrong state, timeout…); the reason's sentence.
    #[error("Sign-in failed: {0}")]
    SignInFailed(Sentence),
    /// The user cancelled the sign-in.
    #[error("Sign-in was cancelled.")]
    SignInCancelled,
    /// The tokens are dead (or there are none): sign in again.
    #[error("Your Google sign-in has expired or is missing. Sign in with Google again.")]
    NeedsSignIn,
    /// The callback URL is not a usable address.
    #[error("{0}")]
    CallbackInvalid(Sentence),
    /// The callback URL is not https.
    #[error("{0}")]
    CallbackNotHttps(Sentence),
    /// Google refused to deliver to the callback URL.
    #[error("{0}")]
    CallbackRejected(Sentence),
    /// Google refused the callback as unauthorized (`push.webhookUrlUnauthorized`): the
    /// address's domain must be verified; the sentence says how.
    #[error("{0}")]
    CallbackUnauthorized(Sentence),
    /// Watch was asked for before a callback URL was set.
    #[error("Set the public callback URL (your tunnel's https address) in Setup before watching a calendar.")]
    NoCallback,
    /// The OS keyring is locked or missing.
    #[error("{0}")]
    KeyringUnavailable(Sentence),
    /// The receiver's port is taken by another program.
    #[error("Port {port} is already in use by another program. Choose another port in Settings, and point your tunnel at it.")]
    PortInUse {
        /// The port that is taken.
        port: u16,
    },
    /// Google could not be reached.
    #[error("{0}")]
    Offline(Sentence),
    /// Google's rate limit: CalWatch retries later.
    #[error("{0}")]
    RateLimited(Sentence),
    /// No such calendar or channel.
    #[error("{0}")]
    NotFound(Sentence),
    /// What was asked is already under way (a channel being renewed).
    #[error("{0}")]
    Busy(Sentence),
    /// A sync was stopped before it finished (the calendar was unwatched, the account
    /// signed out, CalWatch quit): not a failure, never shown as one.
    #[error("The sync was stopped before it finished, because the calendar is no longer watched or CalWatch is stopping.")]
    SyncStopped,
    /// A setting from the window is out of range; the sentence says what is allowed.
    #[error("{0}")]
    InvalidSetting(Sentence),
    /// The local database failed.
    #[error("{0}")]
    Store(Sentence),
    /// Anything else; the sentence still says what happened.
    #[error("{0}")]
    Internal(Sentence),
}

/// One value of a [`Sentence`]: text shown as it is, or a number (plurals choose by it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text from elsewhere (a name, an address, a reason a library gave): never translated.
    Text(String),
    /// A count or a number to show.
    Number(i64),
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_string())
    }
}

/// What an error says: a message of errors.ftl with its values, put into words in the
/// language in effect when it is shown (so a language change reaches errors already made);
/// or, for text made outside CalWatch's catalogue, that text as it is. `Display` is the
/// English sentence, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The catalogue message; `None` for text kept as it is.
    id: Option<&'static str>,
    /// The message's values.
    args: Vec<(&'static str, Value)>,
    /// The text itself when there is no message.
    verbatim: String,
}

impl Sentence {
    /// The message `id` of errors.ftl with `args`.
    pub fn of(id: &'static str, args: Vec<(&'static str, Value)>) -> Sentence {
        Sentence {
            id: Some(id),
            args,
            verbatim: String::new(),
        }
    }

    /// Text that has no message (a reason from a library, a sentence from elsewhere).
    pub fn verbatim(text: impl Into<String>) -> Sentence {
        Sentence {
            id: None,
            args: Vec::new(),
            verbatim: text.into(),
        }
    }

    /// The sentence in `locale`'s language.
    pub fn in_(&self, locale: &Locale) -> String {
        let Some(id) = self.id else {
            return self.verbatim.clone();
        };
        let args: Vec<(&str, Arg<'_>)> = self
            .args
            .iter()
            .map(|(name, value)| {
                let arg = match value {
                    Value::Text(text) => Arg::from(text),
                    Value::Number(n) => Arg::Number(*n),
                };
                (*name, arg)
            })
            .collect();
        locale.text(id, &args)
    }
}

impl std::fmt::Display for Sentence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_(&Locale::default()))
    }
}

impl From<String> for Sentence {
    fn from(text: String) -> Self {
        Sentence::verbatim(text)
    }
}

impl From<&str> for Sentence {
    fn from(text: &str) -> Self {
        Sentence::verbatim(text)
    }
}

impl EngineError {
    /// Every code [`EngineError::code`] can return: the window's `ErrorCode` type is
    /// generated from this list, so a new code cannot be missing there.
    pub const CODES: &[&str] = &[
        "bad_client_secret",
        "no_client_secret",
        "sign_in_failed",
        "sign_in_cancelled",
        "needs_sign_in",
        "callback_invalid",
        "callback_not_https",
        "callback_rejected",
        "callback_unauthorized",
        "no_callback",
        "keyring_unavailable",
        "port_in_use",
        "offline",
        "rate_limited",
        "not_found",
        "busy",
        "invalid_setting",
        "sync_stopped",
        "store",
        "internal",
    ];

    /// The sentence the window shows, in the locale in effect (`Display` stays English,
    /// for the log).
    pub fn message(&self) -> String {
        self.message_in(&crate::locale::current())
    }

    /// The sentence the window shows, in `locale`'s language where its wording is fixed.
    pub fn message_in(&self, locale: &crate::locale::Locale) -> String {
        let say = |id: &str| locale.text(id, &[]);
        match self {
            EngineError::NoClientSecret => say("error-no-client-secret"),
            EngineError::SignInFailed(reason) => locale.text(
                "error-sign-in-failed",
                &[("reason", reason.in_(locale).into())],
            ),
            EngineError::SignInCancelled => say("error-sign-in-cancelled"),
            EngineError::NeedsSignIn => say("error-needs-sign-in"),
            EngineError::NoCallback => say("error-no-callback"),
            EngineError::PortInUse { port } => {
                locale.text("error-port-in-use", &[("port", port.to_string().into())])
            }
            EngineError::SyncStopped => say("error-sync-stopped"),
            EngineError::BadClientSecret(s)
            | EngineError::CallbackInvalid(s)
            | EngineError::CallbackNotHttps(s)
            | EngineError::CallbackRejected(s)
            | EngineError::CallbackUnauthorized(s)
            | EngineError::KeyringUnavailable(s)
            | EngineError::Offline(s)
            | EngineError::RateLimited(s)
            | EngineError::NotFound(s)
            | EngineError::Busy(s)
            | EngineError::InvalidSetting(s)
            | EngineError::Store(s)
            | EngineError::Internal(s) => s.in_(locale),
        }
    }

    /// The window's `ErrorCode` string for this error.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::BadClientSecret(_) => "bad_client_secret",
            EngineError::NoClientSecret => "no_client_secret",
            EngineError::SignInFailed(_) => "sign_in_failed",
            EngineError::SignInCancelled => "sign_in_cancelled",
            EngineError::NeedsSignIn => "needs_sign_in",
            EngineError::CallbackInvalid(_) => "callback_invalid",
            EngineError::CallbackNotHttps(_) => "callback_not_https",
            EngineError::CallbackRejected(_) => "callback_rejected",
            EngineError::CallbackUnauthorized(_) => "callback_unauthorized",
            EngineError::NoCallback => "no_callback",
            EngineError::KeyringUnavailable(_) => "keyring_unavailable",
            EngineError::PortInUse { .. } => "port_in_use",
            EngineError::Offline(_) => "offline",
            EngineError::RateLimited(_) => "rate_limited",
            EngineError::NotFound(_) => "not_found",
            EngineError::Busy(_) => "busy",
            EngineError::InvalidSetting(_) => "invalid_setting",
            EngineError::SyncStopped => "sync_stopped",
            EngineError::Store(_) => "store",
            EngineError::Internal(_) => "internal",
        }
    }
}

/// A tunnel's problem in `locale`'s words. The tunnel module has no catalogue (it depends on
/// nothing of CalWatch's), so its codes are worded here, where they reach the window.
pub fn tunnel_problem_in(problem: &TunnelProblem, locale: &Locale) -> String {
    let ending_in = |ending: &Ending| match ending {
        Ending::Exited { status } => status.clone(),
        Ending::NoAddress { seconds } => locale.text(
            "tunnel-ended-no-address",
            &[("seconds", seconds.to_string().into())],
        ),
        Ending::NoAnswer { seconds } => locale.text(
            "tunnel-ended-no-answer",
            &[("seconds", seconds.to_string().into())],
        ),
        Ending::NotRun { reason } => {
            locale.text("tunnel-ended-not-run", &[("reason", reason.into())])
        }
    };
    match problem {
        TunnelProblem::NotInstalled { tool } => locale.text(
            "tunnel-not-installed",
            &[
                ("program", tool.program().into()),
                ("url", tool.install_url().into()),
            ],
        ),
        TunnelProblem::NotStarted { tool, reason } => locale.text(
            "tunnel-not-started",
            &[
                ("program", tool.program().into()),
                ("reason", reason.strip_suffix('.').unwrap_or(reason).into()),
            ],
        ),
        TunnelProblem::Failed {
            tool,
            words,
            ending: how,
            todo,
        } => {
            let said = if words.is_empty() {
                locale.text(
                    "tunnel-silent",
                    &[
                        ("program", tool.program().into()),
                        ("ending", ending_in(how).into()),
                    ],
                )
            } else {
                locale.text(
                    "tunnel-said",
                    &[("program", tool.program().into()), ("words", words.into())],
                )
            };
            let todo = locale.text(
                match todo {
                    Todo::NgrokAuthtoken => "tunnel-todo-ngrok-authtoken",
                    Todo::EnableFunnel => "tunnel-todo-enable-funnel",
                    Todo::TailscaleUp => "tunnel-todo-tailscale-up",
                    Todo::CheckConnection => "tunnel-todo-check-connection",
                },
                &[],
            );
            locale.text(
                "tunnel-failed",
                &[("said", said.into()), ("todo", todo.into())],
            )
        }
        TunnelProblem::Restarting {
            tool,
            ending: how,
            seconds,
        } => locale.text(
            "tunnel-restarting",
            &[
                ("program", tool.program().into()),
                ("ending", ending_in(how).into()),
                ("seconds", seconds.to_string().into()),
            ],
        ),
        TunnelProblem::NoDnsName => locale.text("tunnel-no-dns-name", &[]),
        TunnelProblem::NoAddressWithin { tool, seconds } => locale.text(
            "tunnel-no-address-within",
            &[
                ("program", tool.program().into()),
                ("seconds", seconds.to_string().into()),
            ],
        ),
        TunnelProblem::StoppedEarly => locale.text("tunnel-stopped-early", &[]),
    }
}

/// Sentences from other modules start lower-case; the window shows them as sentences.
pub(crate) fn sentence(text: impl std::fmt::Display) -> String {
    let text = text.to_string();
    let mut chars = text.chars();
    let mut out = match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => return text,
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// Text that ends a catalogue sentence, without a full stop of its own (the message has one).
pub(crate) fn ending(text: &str) -> Value {
    text.strip_suffix('.').unwrap_or(text).into()
}

/// Google's errors in the catalogue's words; the rest as their English sentence.
fn google_sentence(e: &GoogleError) -> Sentence {
    match e {
        GoogleError::Network(reason) => {
            Sentence::of("error-google-unreachable", vec![("reason", ending(reason))])
        }
        GoogleError::Token(TokenError::Offline(reason)) => Sentence::of(
            "error-google-offline",
            vec![("reason", reason.as_str().into())],
        ),
        GoogleError::Server { status } => Sentence::of(
            "error-google-server",
            vec![("status", status.to_string().into())],
        ),
        GoogleError::RateLimited { reason, attempts } => Sentence::of(
            "error-google-rate-limited",
            vec![
                ("reason", reason.as_str().into()),
                ("attempts", attempts.to_string().into()),
            ],
        ),
        GoogleError::NotFound => Sentence::of("error-google-not-found", vec![]),
        GoogleError::Forbidden { reason, message } => Sentence::of(
            "error-google-forbidden",
            vec![
                ("reason", reason.as_str().into()),
                ("message", ending(message)),
            ],
        ),
        GoogleError::BadRequest { message } => Sentence::of(
            "error-google-bad-request",
            vec![("message", ending(message))],
        ),
        GoogleError::UnexpectedStatus { status, message } => Sentence::of(
            "error-google-unexpected-status",
            vec![
                ("status", status.to_string().into()),
                ("message", ending(message)),
            ],
        ),
        GoogleError::CallbackRejected {
            reason, address, ..
        } => Sentence::of(
            match reason {
                CallbackRejection::NotHttps => "error-callback-refused-not-https",
                CallbackRejection::Unauthorized => "error-callback-refused-unauthorized",
            },
            vec![("address", address.as_str().into())],
        ),
        _ => Sentence::verbatim(sentence(e)),
    }
}

impl From<GoogleError> for EngineError {
    fn from(e: GoogleError) -> Self {
        let said = google_sentence(&e);
        match &e {
            GoogleError::Unauthorized | GoogleError::Token(TokenError::NeedsSignIn) => {
                EngineError::NeedsSignIn
            }
            GoogleError::Token(TokenError::Offline(_))
            | GoogleError::Network(_)
            | GoogleError::Server { .. } => EngineError::Offline(said),
            GoogleError::Token(TokenError::Keyring(_)) => EngineError::KeyringUnavailable(said),
            GoogleError::RateLimited { .. } => EngineError::RateLimited(said),
            GoogleError::NotFound => EngineError::NotFound(said),
            GoogleError::CallbackRejected {
                reason: CallbackRejection::Unauthorized,
                ..
            } => EngineError::CallbackUnauthorized(said),
            GoogleError::CallbackRejected { .. } => EngineError::CallbackRejected(said),
            _ => EngineError::Internal(said),
        }
    }
}

impl From<NotSignedIn> for EngineError {
    fn from(_: NotSignedIn) -> Self {
        EngineError::NeedsSignIn
    }
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        let said = match &e {
            StoreError::Open { path, reason } => Sentence::of(
                "error-store-open",
                vec![
                    ("path", path.display().to_string().into()),
                    ("reason", reason.as_str().into()),
                ],
            ),
            StoreError::NewerSchema { found, supported } => Sentence::of(
                "error-store-newer",
                vec![
                    ("found", found.to_string().into()),
                    ("supported", supported.to_string().into()),
                ],
            ),
            StoreError::UnknownCalendar(id) => Sentence::of(
                "error-store-unknown-calendar",
                vec![("id", id.as_str().into())],
            ),
            StoreError::UnknownChannel(id) => Sentence::of(
                "error-store-unknown-channel",
                vec![("id", id.as_str().into())],
            ),
            StoreError::UnknownAccount(id) => Sentence::of(
                "error-store-unknown-account",
                vec![("id", id.as_str().into())],
            ),
            StoreError::Invalid(reason) => {
                Sentence::of("error-store-invalid", vec![("reason", ending(reason))])
            }
            StoreError::Corrupt(reason) => {
                Sentence::of("error-store-corrupt", vec![("reason", ending(reason))])
            }
            StoreError::Database(reason) => {
                Sentence::of("error-store-database", vec![("reason", ending(reason))])
            }
        };
        EngineError::Store(said)
    }
}

impl From<ConfigError> for EngineError {
    fn from(e: ConfigError) -> Self {
        match &e {
            ConfigError::CallbackNotHttps { .. } => {
                EngineError::CallbackNotHttps(Sentence::of("error-callback-not-https", vec![]))
            }
            ConfigError::CallbackNotUrl { url, reason } => {
                EngineError::CallbackInvalid(Sentence::of(
                    "error-callback-not-url",
                    vec![
                        ("url", url.as_str().into()),
                        ("reason", reason.as_str().into()),
                    ],
                ))
            }
            ConfigError::CallbackNoHost { url } => EngineError::CallbackInvalid(Sentence::of(
                "error-callback-no-host",
                vec![("url", url.as_str().into())],
            )),
            ConfigError::NoDataDir => {
                EngineError::Internal(Sentence::of("error-config-no-data-dir", vec![]))
            }
            ConfigError::InvalidEnv { var, value, reason } => EngineError::Internal(Sentence::of(
                "error-config-invalid-env",
                vec![
                    ("var", (*var).into()),
                    ("value", format!("{value:?}").into()),
                    ("reason", reason.as_str().into()),
                ],
            )),
            ConfigError::SettingsUnreadable { path, reason } => {
                EngineError::Internal(Sentence::of(
                    "error-config-settings-unreadable",
                    vec![
                        ("path", path.display().to_string().into()),
                        ("reason", reason.as_str().into()),
                    ],
                ))
            }
            ConfigError::SettingsInvalid { path, reason } => EngineError::Internal(Sentence::of(
                "error-config-settings-invalid",
                vec![
                    ("path", path.display().to_string().into()),
                    ("reason", reason.as_str().into()),
                ],
            )),
            ConfigError::SaveFailed { path, reason } => EngineError::Internal(Sentence::of(
                "error-config-save-failed",
                vec![
                    ("path", path.display().to_string().into()),
                    ("reason", reason.as_str().into()),
                ],
            )),
        }
    }
}

impl From<ClientSecretError> for EngineError {
    fn from(e: ClientSecretError) -> Self {
        let path = |p: &std::path::Path| -> Value { p.display().to_string().into() };
        let said = match &e {
            ClientSecretError::NotJson => Sentence::of("error-secret-not-json", vec![]),
            ClientSecretError::WebClient => Sentence::of("error-secret-web-client", vec![]),
            ClientSecretError::NotAnOAuthClient => {
                Sentence::of("error-secret-not-oauth-client", vec![])
            }
            ClientSecretError::MissingField(field) => Sentence::of(
                "error-secret-missing-field",
                vec![("field", (*field).into())],
            ),
            ClientSecretError::TooLarge { path: p, .. } => Sentence::of(
                "error-secret-too-large",
                vec![
                    ("path", path(p)),
                    ("bytes", MAX_CLIENT_SECRET_BYTES.to_string().into()),
                ],
            ),
            ClientSecretError::NotAFile { path: p } => {
                Sentence::of("error-secret-not-a-file", vec![("path", path(p))])
            }
            ClientSecretError::Unreadable { path: p, reason } => Sentence::of(
                "error-secret-unreadable",
                vec![("path", path(p)), ("reason", reason.as_str().into())],
            ),
            ClientSecretError::NotSaved { path: p, reason } => Sentence::of(
                "error-secret-not-saved",
                vec![("path", path(p)), ("reason", reason.as_str().into())],
            ),
        };
        match &e {
            ClientSecretError::NotSaved { .. } => EngineError::Store(said),
            _ => EngineError::BadClientSecret(said),
        }
    }
}

impl From<SecretsError> for EngineError {
    fn from(e: SecretsError) -> Self {
        match &e {
            SecretsError::Unreadable { .. } => EngineError::NeedsSignIn,
            SecretsError::Unavailable { reason } => EngineError::KeyringUnavailable(Sentence::of(
                "error-keyring-unavailable",
                vec![("reason", reason.as_str().into())],
            )),
            SecretsError::Refused { action, reason } => {
                EngineError::KeyringUnavailable(Sentence::of(
                    "error-keyring-refused",
                    vec![("action", (*action).into()), ("reason", ending(reason))],
                ))
            }
            SecretsError::TimedOut { millis } => EngineError::KeyringUnavailable(Sentence::of(
                "error-keyring-timed-out",
                vec![("seconds", (*millis as f64 / 1000.0).to_string().into())],
            )),
            SecretsError::Ambiguous { action, count } => {
                EngineError::KeyringUnavailable(Sentence::of(
                    "error-keyring-ambiguous",
                    vec![
                        ("action", (*action).into()),
                        ("count", Value::Number(*count as i64)),
                    ],
                ))
            }
            SecretsError::Crashed { action, reason } => {
                EngineError::KeyringUnavailable(Sentence::of(
                    "error-keyring-crashed",
                    vec![
                        ("action", (*action).into()),
                        ("reason", reason.as_str().into()),
                    ],
                ))
            }
        }
    }
}

impl From<AuthError> for EngineError {
    fn from(e: AuthError) -> Self {
        let (id, args) = e.wording();
        let sentence = Sentence::of(
            id,
            args.into_iter()
                .map(|(name, arg)| (name, Value::from(arg)))
                .collect(),
        );
        match e {
            AuthError::Cancelled => EngineError::SignInCancelled,
            AuthError::Network { .. } => EngineError::Offline(sentence),
            _ => EngineError::SignInFailed(sentence),
        }
    }
}

impl From<Arg<'_>> for Value {
    fn from(arg: Arg<'_>) -> Self {
        match arg {
            Arg::Text(text) => Value::Text(text.into_owned()),
            Arg::Number(n) => Value::Number(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_in_use_says_what_to_do() {
        let e = EngineError::PortInUse { port: 8765 };
        assert_eq!(e.code(), "port_in_use");
        assert_eq!(
            e.to_string(),
            "Port 8765 is already in use by another program. Choose another port in Settings, and point your tunnel at it."
        );
    }

    /// One error of each variant; `variant_index` makes a new variant a compile error
    /// until it is counted, and the test below then fails until it is listed here.
    fn one_of_each() -> Vec<EngineError> {
        let s = || Sentence::verbatim("");
        vec![
            EngineError::BadClientSecret(s()),
            EngineError::NoClientSecret,
            EngineError::SignInFailed(s()),
            EngineError::SignInCancelled,
            EngineError::NeedsSignIn,
            EngineError::CallbackInvalid(s()),
            EngineError::CallbackNotHttps(s()),
            EngineError::CallbackRejected(s()),
            EngineError::CallbackUnauthorized(s()),
            EngineError::NoCallback,
            EngineError::KeyringUnavailable(s()),
            EngineError::PortInUse { port: 1 },
            EngineError::Offline(s()),
            EngineError::RateLimited(s()),
            EngineError::NotFound(s()),
            EngineError::Busy(s()),
            EngineError::InvalidSetting(s()),
            EngineError::SyncStopped,
            EngineError::Store(s()),
            EngineError::Internal(s()),
        ]
    }

    fn variant_index(e: &EngineError) -> usize {
        match e {
            EngineError::BadClientSecret(_) => 0,
            EngineError::NoClientSecret => 1,
            EngineError::SignInFailed(_) => 2,
            EngineError::SignInCancelled => 3,
            EngineError::NeedsSignIn => 4,
            EngineError::CallbackInvalid(_) => 5,
            EngineError::CallbackNotHttps(_) => 6,
            EngineError::CallbackRejected(_) => 7,
            EngineError::CallbackUnauthorized(_) => 8,
            EngineError::NoCallback => 9,
            EngineError::KeyringUnavailable(_) => 10,
            EngineError::PortInUse { .. } => 11,
            EngineError::Offline(_) => 12,
            EngineError::RateLimited(_) => 13,
            EngineError::NotFound(_) => 14,
            EngineError::Busy(_) => 15,
            EngineError::InvalidSetting(_) => 16,
            EngineError::SyncStopped => 17,
            EngineError::Store(_) => 18,
            EngineError::Internal(_) => 19,
        }
    }

    #[test]
    fn every_variant_s_code_is_in_the_list_the_window_is_generated_from() {
        let every = one_of_each();
        let indices: Vec<usize> = every.iter().map(variant_index).collect();
        assert_eq!(
            indices,
            (0..every.len()).collect::<Vec<_>>(),
            "one_of_each names every variant once"
        );
        for e in &every {
            assert!(
                EngineError::CODES.contains(&e.code()),
                "{} is missing from EngineError::CODES",
                e.code()
            );
        }
        let mut codes: Vec<&str> = every.iter().map(EngineError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(
            codes.len(),
            EngineError::CODES.len(),
            "CODES lists no code that no variant has, and none twice"
        );
    }

    #[test]
    fn lower_case_reasons_become_sentences() {
        assert_eq!(sentence("sign in again"), "Sign in again.");
        assert_eq!(sentence("Done."), "Done.");
    }
}
