//! Settings and where they come from: `settings.json` in the data dir, overridden by the
//! `CALWATCH_*` environment variables of DESIGN.md; plus importing Google's
//! `client_secret*.json` (see [`client_secret`]).
//!
//! Environment overrides win over the file but are never written back into it, so running
//! once against fake-google does not leave the real settings pointing at it.

pub mod client_secret;

use std::fs;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::locale::{HourCycle, LanguageChoice, Locale, SystemLocale};

pub use client_secret::{ClientSecret, ClientSecretError};

use crate::noise::NoticeRules;

/// The settings file's name inside the data dir.
pub const SETTINGS_FILE: &str = "settings.json";
/// The SQLite file's name inside the data dir.
pub const DATABASE_FILE: &str = "calwatch.sqlite3";
/// The imported OAuth client's name inside the data dir.
pub const CLIENT_SECRET_FILE: &str = "client_secret.json";

/// Every URL of Google's the core calls; overridable so tests can point at fake-google.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// OAuth authorization endpoint (opened in the browser).
    pub auth_url: String,
    /// OAuth token endpoint (code exchange and refresh).
    pub token_url: String,
    /// OAuth revocation endpoint (sign out).
    pub revoke_url: String,
    /// Calendar v3 API base, without a trailing slash.
    pub api_base: String,
}

impl Default for Endpoints {
    fn default() -> Self {
        Endpoints {
            auth_url: "https://accounts.google.com/o/oauth2/v2/auth".into(),
            token_url: "https://oauth2.googleapis.com/token".into(),
            revoke_url: "https://oauth2.googleapis.com/revoke".into(),
            api_base: "https://www.googleapis.com/calendar/v3".into(),
        }
    }
}

/// How long things wait; in `settings.json` as milliseconds (`*_ms`) so a person can edit them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Timings {
    /// How long a burst of notifications for one calendar is gathered into one sync.
    #[serde(rename = "coalesce_window_ms", with = "millis")]
    pub coalesce_window: Duration,
    /// Safety-net sync per calendar, because Google drops some notifications; zero = off.
    #[serde(rename = "backstop_interval_ms", with = "millis")]
    pub backstop_interval: Duration,
    /// Lifetime asked for a new channel (Google may cut it).
    #[serde(rename = "channel_ttl_ms", with = "millis")]
    pub channel_ttl: Duration,
    /// Share of a channel's life after which it is renewed (0 < f ≤ 1).
    pub renew_at_fraction: f64,
    /// Renewal starts no later than this before expiry, whatever the fraction says.
    #[serde(rename = "renew_min_lead_ms", with = "millis")]
    pub renew_min_lead: Duration,
    /// How long the browser sign-in may take before it is abandoned.
    #[serde(rename = "sign_in_timeout_ms", with = "millis")]
    pub sign_in_timeout: Duration,
    /// A failed sync (Google unreachable, say) is tried again after this, the wait
    /// doubling each time up to `sync_retry_max`. Waking up or the network coming back
    /// does not wait for it.
    #[serde(rename = "sync_retry_first_ms", with = "millis")]
    pub sync_retry_first: Duration,
    /// The longest wait between tries of a failing sync.
    #[serde(rename = "sync_retry_max_ms", with = "millis")]
    pub sync_retry_max: Duration,
    /// How often the public callback URL is probed end to end while push works (also at
    /// start, after a network change and a tunnel restart); zero turns the regular check
    /// off, and push health stays unknown unless `Engine::recheck_push` asks.
    #[serde(rename = "push_check_interval_ms", with = "millis")]
    pub push_check_interval: Duration,
    /// While push is down, every watched calendar is synced this often (and the address
    /// probed again), so changes still arrive, only later. The window sets it in minutes.
    #[serde(rename = "push_down_poll_ms", with = "millis")]
    pub push_down_poll: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            coalesce_window: Duration::from_millis(500),
            backstop_interval: Duration::from_secs(15 * 60),
            channel_ttl: Duration::from_secs(7 * 24 * 3600),
            renew_at_fraction: 0.9,
            renew_min_lead: Duration::from_secs(3600),
            sign_in_timeout: Duration::from_secs(5 * 60),
            sync_retry_first: Duration::from_secs(5),
            sync_retry_max: Duration::from_secs(5 * 60),
            push_check_interval: Duration::from_secs(10 * 60),
            push_down_poll: Duration::from_secs(2 * 60),
        }
    }
}

impl Timings {
    /// The names the timings have in `settings.json`.
    pub const KEYS: [&'static str; 10] = [
        "coalesce_window_ms",
        "backstop_interval_ms",
        "channel_ttl_ms",
        "renew_at_fraction",
        "renew_min_lead_ms",
        "sign_in_timeout_ms",
        "sync_retry_first_ms",
        "sync_retry_max_ms",
        "push_check_interval_ms",
        "push_down_poll_ms",
    ];
}

/// The shortest wait before a failed sync is tried again.
const MIN_SYNC_RETRY: Duration = Duration::from_secs(1);

/// Durations as whole milliseconds in JSON.
mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// What the user chose; persisted as `settings.json` in the data dir. Holds no secrets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The public HTTPS address Google posts to (a tunnel to this machine); unset until entered.
    pub callback_url: Option<String>,
    /// The path the receiver serves Google's POSTs on.
    pub callback_path: String,
    /// Where the receiver listens locally (the tunnel forwards here).
    pub receiver_addr: SocketAddr,
    /// More changes than this in one sync of one calendar become one summary notice.
    pub summary_threshold: usize,
    /// Changes are still recorded but not shown while paused.
    pub paused: bool,
    /// When a pause ends by itself (ms since the epoch); unset: paused until resumed.
    pub paused_until_ms: Option<i64>,
    /// Noise rules everywhere: declined events, only attendee, guests' replies, quiet hours.
    pub notices: NoticeRules,
    /// Timers and windows.
    pub timings: Timings,
    /// The OAuth client file in use; unset means the imported copy in the data dir.
    pub client_secret_file: Option<PathBuf>,
    /// The name of the domain verification file Search Console offers
    /// (`google<hex>.html`): the receiver serves it at the root of the public address so
    /// Google can verify the callback's domain.
    pub site_verification_file: Option<String>,
    /// The language: the OS's, or English or Korean whatever the OS says.
    pub language: LanguageChoice,
    /// Twelve or twenty-four hours: the locale's habit, or the person's choice.
    pub hour_cycle: HourCycle,
    /// A calendar newly shared with an account is watched at once instead of offered in
    /// a toast ("Watch new calendars automatically"); off unless chosen.
    pub watch_new_calendars: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            callback_url: None,
            callback_path: "/notifications".into(),
            receiver_addr: SocketAddr::from(([127, 0, 0, 1], 8765)),
            summary_threshold: 3,
            paused: false,
            paused_until_ms: None,
            notices: NoticeRules::default(),
            timings: Timings::default(),
            client_secret_file: None,
            site_verification_file: None,
            language: LanguageChoice::System,
            hour_cycle: HourCycle::Automatic,
            watch_new_calendars: false,
        }
    }
}

/// A setting whose value came from the environment, and what the file had underneath it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overridden<T> {
    /// The value the environment set (in effect).
    pub env: T,
    /// The value in `settings.json`, written back on save unless the user changed the setting.
    pub file: T,
}

/// Which settings the environment overrode; the window can say "set by CALWATCH_…".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvOverrides {
    /// From `CALWATCH_CALLBACK_URL`.
    pub callback_url: Option<Overridden<Option<String>>>,
    /// From `CALWATCH_RECEIVER_ADDR`.
    pub receiver_addr: Option<Overridden<SocketAddr>>,
    /// From `CALWATCH_CLIENT_SECRET_FILE`.
    pub client_secret_file: Option<Overridden<Option<PathBuf>>>,
}

/// Everything the engine is configured with: the data dir, endpoints, and the settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where the settings, the SQLite file, the imported client and the logs live.
    pub data_dir: PathBuf,
    /// Google's URLs (or a stand-in's).
    pub endpoints: Endpoints,
    /// `CALWATCH_ALLOW_HTTP_CALLBACK=1`: lets an http:// callback through, for local stand-ins.
    pub allow_http_callback: bool,
    /// The settings in effect (file + environment).
    pub settings: Settings,
    /// Which settings came from the environment, so saving does not persist them.
    pub env_overrides: EnvOverrides,
    /// Keys in `settings.json` CalWatch does not know (`timings.` before a timing's name),
    /// ignored but reported: a timing written at the top level would otherwise be silently
    /// without effect.
    pub unknown_keys: Vec<String>,
    /// The OS's locale (messages and dates), under the Settings choice of language.
    pub system_locale: SystemLocale,
}

/// Why the configuration could not be loaded or saved, or a callback URL is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No home/app-data directory could be found.
    #[error("CalWatch could not find a folder for its data. Set CALWATCH_DATA_DIR to a folder it may write to.")]
    NoDataDir,
    /// A `CALWATCH_*` variable holds something unusable.
    #[error("{var} is set to {value:?}, which CalWatch cannot use: {reason}. Fix or unset it and start CalWatch again.")]
    InvalidEnv {
        /// The variable's name.
        var: &'static str,
        /// What it holds.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `settings.json` exists but could not be read.
    #[error(
        "CalWatch could not read its settings at {path}: {reason}. Check the file's permissions."
    )]
    SettingsUnreadable {
        /// The settings file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// `settings.json` is not valid; it is left alone rather than replaced with defaults.
    #[error("CalWatch's settings at {path} are damaged ({reason}). Fix the file or move it away to start with default settings.")]
    SettingsInvalid {
        /// The settings file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The settings could not be written.
    #[error("CalWatch could not save its settings to {path}: {reason}. Check there is free space and the folder is writable.")]
    SaveFailed {
        /// The file being written.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// The callback URL does not parse as a web address.
    #[error("“{url}” is not a complete web address ({reason}). Enter the full https:// address your tunnel gives you, e.g. https://my-laptop.example.ts.net/notifications.")]
    CallbackNotUrl {
        /// What was entered.
        url: String,
        /// The parser's complaint.
        reason: String,
    },
    /// The callback URL is not https.
    #[error("The callback URL must start with https:// — Google only delivers to HTTPS. Use the https address your tunnel (Tailscale Funnel, ngrok, cloudflared) gives you.")]
    CallbackNotHttps {
        /// What was entered.
        url: String,
    },
    /// The callback URL has no host name.
    #[error("The callback URL “{url}” has no host name. Enter the full address your tunnel gives you, e.g. https://my-laptop.example.ts.net/notifications.")]
    CallbackNoHost {
        /// What was entered.
        url: String,
    },
}

impl ConfigError {
    /// A stable code the window switches on.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::NoDataDir => "config_no_data_dir",
            ConfigError::InvalidEnv { .. } => "config_invalid_env",
            ConfigError::SettingsUnreadable { .. } => "config_settings_unreadable",
            ConfigError::SettingsInvalid { .. } => "config_settings_invalid",
            ConfigError::SaveFailed { .. } => "config_save_failed",
            ConfigError::CallbackNotUrl { .. } => "callback_not_url",
            ConfigError::CallbackNotHttps { .. } => "callback_not_https",
            ConfigError::CallbackNoHost { .. } => "callback_no_host",
        }
    }
}

/// Reads a `CALWATCH_*` variable, treating an empty value as unset.
fn var(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    env(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn endpoint(
    env: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: String,
) -> Result<String, ConfigError> {
    let Some(value) = var(env, name) else {
        return Ok(default);
    };
    let invalid = |reason: String| ConfigError::InvalidEnv {
        var: name,
        value: value.clone(),
        reason,
    };
    let url = url::Url::parse(&value).map_err(|e| invalid(format!("not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid("it must be an http:// or https:// address".into()));
    }
    // Stored without a trailing slash so callers can append "/users/me/…".
    Ok(value.trim_end_matches('/').to_string())
}

fn flag(env: &dyn Fn(&str) -> Option<String>, name: &'static str) -> Result<bool, ConfigError> {
    match var(env, name).as_deref() {
        None => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError::InvalidEnv {
            var: name,
            value: other.to_string(),
            reason: "use 1 to turn it on, or leave it unset".into(),
        }),
    }
}

impl Config {
    /// Loads from the data dir and the process environment.
    pub fn load() -> Result<Config, ConfigError> {
        Config::load_from(&|name| std::env::var(name).ok())
    }

    /// Loads with `env` standing in for the environment (tests pass a map).
    pub fn load_from(env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let data_dir = match var(env, "CALWATCH_DATA_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => directories::ProjectDirs::from("app", "calwatch", "CalWatch")
                .ok_or(ConfigError::NoDataDir)?
                .data_dir()
                .to_path_buf(),
        };
        let defaults = Endpoints::default();
        let endpoints = Endpoints {
            auth_url: endpoint(env, "CALWATCH_AUTH_URL", defaults.auth_url)?,
            token_url: endpoint(env, "CALWATCH_TOKEN_URL", defaults.token_url)?,
            revoke_url: endpoint(env, "CALWATCH_REVOKE_URL", defaults.revoke_url)?,
            api_base: endpoint(env, "CALWATCH_API_BASE", defaults.api_base)?,
        };
        let allow_http_callback = flag(env, "CALWATCH_ALLOW_HTTP_CALLBACK")?;
        let settings_path = data_dir.join(SETTINGS_FILE);
        let file = read_settings(&settings_path)?;
        let unknown_keys = unknown_settings_keys(&settings_path);
        for key in &unknown_keys {
            tracing::warn!(file = %settings_path.display(), key, "settings.json has a key CalWatch does not know; it is ignored");
        }
        let mut config = Config {
            data_dir,
            endpoints,
            allow_http_callback,
            settings: file.clone(),
            env_overrides: EnvOverrides::default(),
            unknown_keys,
            system_locale: SystemLocale::detect(env),
        };

        if let Some(value) = var(env, "CALWATCH_RECEIVER_ADDR") {
            let addr: SocketAddr = value.parse().map_err(|_| ConfigError::InvalidEnv {
                var: "CALWATCH_RECEIVER_ADDR",
                value: value.clone(),
                reason: "it must be an address and port such as 127.0.0.1:8765".into(),
            })?;
            config.settings.receiver_addr = addr;
            config.env_overrides.receiver_addr = Some(Overridden {
                env: addr,
                file: file.receiver_addr,
            });
        }
        if let Some(value) = var(env, "CALWATCH_CALLBACK_URL") {
            let url =
                config
                    .validate_callback_url(&value)
                    .map_err(|e| ConfigError::InvalidEnv {
                        var: "CALWATCH_CALLBACK_URL",
                        value: value.clone(),
                        reason: e.to_string().trim_end_matches('.').to_string(),
                    })?;
            config.settings.callback_url = Some(url.to_string());
            config.env_overrides.callback_url = Some(Overridden {
                env: Some(url.to_string()),
                file: file.callback_url.clone(),
            });
        }
        if let Some(value) = var(env, "CALWATCH_CLIENT_SECRET_FILE") {
            let path = Some(PathBuf::from(value));
            config.settings.client_secret_file = path.clone();
            config.env_overrides.client_secret_file = Some(Overridden {
                env: path,
                file: file.client_secret_file.clone(),
            });
        }
        Ok(config)
    }

    /// A configuration with defaults for everything but the data dir (tests, first start).
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            data_dir: data_dir.into(),
            endpoints: Endpoints::default(),
            allow_http_callback: false,
            settings: Settings::default(),
            env_overrides: EnvOverrides::default(),
            unknown_keys: Vec::new(),
            system_locale: SystemLocale::default(),
        }
    }

    /// The locale in effect: the Settings choice over the OS's locale.
    pub fn locale(&self) -> Locale {
        Locale::resolve(
            &self.system_locale,
            self.settings.language,
            self.settings.hour_cycle,
        )
    }

    /// What is wrong with `settings.json` that did not stop CalWatch, as the window shows
    /// it: the file and the keys it ignores, in the language in effect.
    pub fn settings_problem(&self) -> Option<String> {
        self.settings_problem_in(&crate::locale::current())
    }

    /// [`Config::settings_problem`] in `locale`'s language; the keys are quoted as written.
    pub fn settings_problem_in(&self, locale: &Locale) -> Option<String> {
        if self.unknown_keys.is_empty() {
            return None;
        }
        let quoted = |keys: &mut dyn Iterator<Item = &String>| {
            keys.map(|k| format!("“{k}”"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let keys = quoted(&mut self.unknown_keys.iter());
        let timings = quoted(
            &mut self
                .unknown_keys
                .iter()
                .filter(|k| Timings::KEYS.contains(&k.as_str())),
        );
        let file = self.settings_path().display().to_string();
        Some(if timings.is_empty() {
            locale.text(
                "error-settings-unknown-keys",
                &[("file", file.into()), ("keys", keys.into())],
            )
        } else {
            locale.text(
                "error-settings-unknown-keys-timings",
                &[
                    ("file", file.into()),
                    ("keys", keys.into()),
                    ("timings", timings.into()),
                ],
            )
        })
    }

    /// `settings.json`'s path.
    pub fn settings_path(&self) -> PathBuf {
        self.data_dir.join(SETTINGS_FILE)
    }

    /// The SQLite file's path.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join(DATABASE_FILE)
    }

    /// Where the shell writes its log files.
    pub fn logs_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// Where an imported OAuth client is kept.
    pub fn imported_client_secret_path(&self) -> PathBuf {
        self.data_dir.join(CLIENT_SECRET_FILE)
    }

    /// Writes the settings to `settings.json` atomically (temp file + rename), leaving out
    /// values that came from the environment (the file's own value is kept for those).
    pub fn save(&self) -> Result<(), ConfigError> {
        let mut persisted = self.settings.clone();
        let overrides = &self.env_overrides;
        // A value still equal to the environment's was not chosen by the user: keep the file's.
        if let Some(o) = &overrides.callback_url {
            if persisted.callback_url == o.env {
                persisted.callback_url = o.file.clone();
            }
        }
        if let Some(o) = &overrides.receiver_addr {
            if persisted.receiver_addr == o.env {
                persisted.receiver_addr = o.file;
            }
        }
        if let Some(o) = &overrides.client_secret_file {
            if persisted.client_secret_file == o.env {
                persisted.client_secret_file = o.file.clone();
            }
        }
        let text =
            serde_json::to_string_pretty(&persisted).map_err(|e| ConfigError::SaveFailed {
                path: self.settings_path(),
                reason: e.to_string(),
            })?;
        write_atomically(&self.settings_path(), text.as_bytes(), None).map_err(|e| {
            ConfigError::SaveFailed {
                path: self.settings_path(),
                reason: e.to_string(),
            }
        })
    }

    /// Checks a callback URL the user entered: it must parse, be https (unless
    /// `allow_http_callback`), and name a host. Each failure says what to do.
    pub fn validate_callback_url(&self, url: &str) -> Result<url::Url, ConfigError> {
        let text = url.trim();
        let parsed = match url::Url::parse(text) {
            Ok(parsed) => parsed,
            Err(url::ParseError::EmptyHost) => {
                return Err(ConfigError::CallbackNoHost { url: text.into() })
            }
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                return Err(ConfigError::CallbackNotUrl {
                    url: text.into(),
                    reason: "it does not start with https://".into(),
                })
            }
            Err(e) => {
                return Err(ConfigError::CallbackNotUrl {
                    url: text.into(),
                    reason: e.to_string(),
                })
            }
        };
        match parsed.scheme() {
            "https" => {}
            "http" if self.allow_http_callback => {}
            _ => return Err(ConfigError::CallbackNotHttps { url: text.into() }),
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(ConfigError::CallbackNoHost { url: text.into() });
        }
        Ok(parsed)
    }

    /// Validates and sets the callback URL (call [`Config::save`] to keep it). A bare
    /// address with no path (what a tunnel reports, `https://name.example`) gets the
    /// receiver's callback path, since that is where Google's posts are answered.
    pub fn set_callback_url(&mut self, url: &str) -> Result<url::Url, ConfigError> {
        let mut parsed = self.validate_callback_url(url)?;
        if parsed.path() == "/" && parsed.query().is_none() {
            parsed.set_path(&self.settings.callback_path);
        }
        self.settings.callback_url = Some(parsed.to_string());
        Ok(parsed)
    }

    /// The OAuth client in use: the configured file, else the imported copy; `None` if neither.
    pub fn client_secret(&self) -> Result<Option<ClientSecret>, ClientSecretError> {
        let path = match &self.settings.client_secret_file {
            Some(path) => path.clone(),
            None => {
                let imported = self.imported_client_secret_path();
                if !imported.exists() {
                    return Ok(None);
                }
                imported
            }
        };
        ClientSecret::import(&path).map(Some)
    }

    /// Checks the file the user chose and copies it into the data dir as
    /// `client_secret.json` (owner-only on unix); the copy is used from then on.
    pub fn import_client_secret(&mut self, path: &Path) -> Result<ClientSecret, ClientSecretError> {
        let text = client_secret::read(path)?;
        self.import_client_secret_text(&text)
    }

    /// [`Config::import_client_secret`] for a file already read with
    /// [`client_secret::read`]: the caller reads without holding its config lock.
    pub fn import_client_secret_text(
        &mut self,
        text: &str,
    ) -> Result<ClientSecret, ClientSecretError> {
        let secret = ClientSecret::from_json(text)?;
        let target = self.imported_client_secret_path();
        write_atomically(&target, text.as_bytes(), Some(0o600)).map_err(|e| {
            ClientSecretError::NotSaved {
                path: target.clone(),
                reason: e.to_string(),
            }
        })?;
        // The copy is the default, so the setting only needs to name a file outside the data dir.
        self.settings.client_secret_file = None;
        Ok(secret)
    }
}

fn read_settings(path: &Path) -> Result<Settings, ConfigError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
        Err(e) => {
            return Err(ConfigError::SettingsUnreadable {
                path: path.into(),
                reason: e.to_string(),
            })
        }
    };
    let settings: Settings =
        serde_json::from_str(&text).map_err(|e| ConfigError::SettingsInvalid {
            path: path.into(),
            reason: e.to_string(),
        })?;
    let fraction = settings.timings.renew_at_fraction;
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(ConfigError::SettingsInvalid {
            path: path.into(),
            reason: format!("renew_at_fraction is {fraction}; it must be above 0 and at most 1"),
        });
    }
    let retry = (
        settings.timings.sync_retry_first,
        settings.timings.sync_retry_max,
    );
    if retry.0 < MIN_SYNC_RETRY || retry.1 < retry.0 {
        // A zero wait would hammer Google in a loop while it is unreachable.
        return Err(ConfigError::SettingsInvalid {
            path: path.into(),
            reason: format!(
                "sync_retry_first_ms is {} and sync_retry_max_ms {}; the first must be at \
                 least {} and the max at least the first",
                retry.0.as_millis(),
                retry.1.as_millis(),
                MIN_SYNC_RETRY.as_millis()
            ),
        });
    }
    Ok(settings)
}

/// The keys of `settings.json` at `path` that [`Settings`] does not have (nested ones
/// under `timings` as `timings.name`); none when the file is missing or unreadable
/// (reading it reports that).
fn unknown_settings_keys(path: &Path) -> Vec<String> {
    let Some(serde_json::Value::Object(file)) = fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
    else {
        return Vec::new();
    };
    let known = match serde_json::to_value(Settings::default()) {
        Ok(serde_json::Value::Object(known)) => known,
        _ => return Vec::new(),
    };
    let mut unknown = Vec::new();
    for (key, value) in &file {
        if !known.contains_key(key) {
            unknown.push(key.clone());
        } else if key == "timings" {
            if let serde_json::Value::Object(timings) = value {
                unknown.extend(
                    timings
                        .keys()
                        .filter(|k| !Timings::KEYS.contains(&k.as_str()))
                        .map(|k| format!("timings.{k}")),
                );
            }
        }
    }
    unknown
}

/// Writes `bytes` to `path` via a temp file in the same folder and a rename, so a crash
/// leaves either the old file or the new one, never half of one.
pub(crate) fn write_atomically(
    path: &Path,
    bytes: &[u8],
    mode: Option<u32>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Unique per process and call, so two saves at once never share a temp file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = dir.join(format!(".{file_name}.{}.{n}.tmp", std::process::id()));
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut file = options.open(&temp)?;
        // The open mode only applies to a new file and is masked by umask; be explicit.
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(fs::Permissions::from_mode(mode))?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}
