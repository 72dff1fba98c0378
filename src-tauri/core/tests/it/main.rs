//! The core's integration tests, in one binary: one link instead of one per file, and the
//! shared helpers (`support`, `engine_support`) compiled once.
//!
//! `google_logging` keeps a binary of its own: it installs the process-wide log subscriber.

mod engine_support;
mod support;

mod auth_sign_in;
mod auth_tokens;
mod channels_lifecycle;
mod config_client_secret;
mod config_settings;
mod engine_account;
mod engine_calendar_list;
mod engine_domain_verification;
mod engine_forged;
mod engine_moving_channels;
mod engine_no_secrets;
mod engine_noise;
mod engine_push_health;
mod engine_restart;
mod google_channels;
mod google_faults;
mod google_sync;
mod hardening_client_secret;
mod hardening_engine;
mod hardening_files;
mod hardening_privacy;
mod hardening_receiver;
mod hardening_sign_in;
mod locale_catalogues;
mod locale_wording;
mod model_history;
mod module_graph;
mod receiver_deliveries;
mod receiver_fake_google;
mod receiver_probe;
mod secrets_keyring;
mod secrets_no_keyring;
mod secrets_token_set;
mod store_catalog;
mod store_schema;
mod store_sync;
mod store_upgrade;
mod sync_changes;
mod sync_coalescing;
mod sync_deliveries;
mod sync_recurrence;
mod sync_streaming;
