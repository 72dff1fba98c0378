//! Push health: whether Google's deliveries can reach this CalWatch, as the window and the
//! tray show it, and how a reachability probe's report becomes that verdict.
//!
//! Plain data and one pure function, low in the core so that [`crate::event`] can carry
//! it; the engine runs the checks and the polling that stands in while push is down.

use serde::Serialize;

use crate::locale::catalogue::Arg;
use crate::receiver::{ProbeReport, ProbeStepCode};

/// Whether push works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PushState {
    /// Not checked yet (no callback URL, no check since start, or checks turned off).
    Unknown,
    /// The last probe through the public address reached this receiver.
    Up,
    /// The last probe did not: changes are fetched on a short interval meanwhile.
    Down,
}

/// The time of the last genuine delivery (Google's, not a probe) on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelDelivery {
    /// Our channel id.
    pub channel_id: String,
    /// When Google's last notification on it arrived (ms since the epoch).
    pub last_delivery_at: i64,
}

/// Push health as the window's AppState and the tray show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushHealth {
    /// Up, down, or not known yet.
    pub state: PushState,
    /// Why push is down, as a clause the tray puts after "Push is down: "
    /// ("the public address does not answer"); `None` unless down.
    pub reason: Option<String>,
    /// When the public address was last probed (ms since the epoch).
    pub checked_at: Option<i64>,
    /// While down: how often every watched calendar is synced instead, in minutes.
    pub polling_every_minutes: Option<u32>,
    /// The last genuine delivery per live channel that had one since CalWatch started.
    pub last_deliveries: Vec<ChannelDelivery>,
}

impl Default for PushHealth {
    fn default() -> Self {
        PushHealth {
            state: PushState::Unknown,
            reason: None,
            checked_at: None,
            polling_every_minutes: None,
            last_deliveries: Vec::new(),
        }
    }
}

impl PushHealth {
    /// Whether push is known to be down.
    pub fn is_down(&self) -> bool {
        self.state == PushState::Down
    }

    /// The tray's line: `None` unless push is down.
    pub fn tray_text(&self) -> Option<String> {
        self.tray_text_in(&crate::locale::current())
    }

    /// The tray's line in `locale`'s language; `None` unless push is down.
    pub fn tray_text_in(&self, locale: &crate::locale::Locale) -> Option<String> {
        if !self.is_down() {
            return None;
        }
        let reason = match self.reason.as_deref() {
            Some(reason) => reason.to_string(),
            None => locale.text("push-reason-no-answer", &[]),
        };
        Some(match self.polling_every_minutes {
            Some(m) => locale.text(
                "push-down-polling",
                &[
                    ("reason", reason.into()),
                    ("minutes", Arg::Number(i64::from(m))),
                ],
            ),
            None => locale.text("push-down", &[("reason", reason.into())]),
        })
    }
}

/// Why push is down, from a failed probe's report; `None` when the probe passed.
pub fn down_reason(report: &ProbeReport) -> Option<String> {
    let failed = report.failure()?;
    let id = match failed.code {
        ProbeStepCode::Address => "push-reason-not-an-address",
        ProbeStepCode::Dns => "push-reason-no-name",
        ProbeStepCode::Connection => "push-reason-no-answer",
        ProbeStepCode::Tls => "push-reason-certificate",
        // 502/503/504/530: what a tunnel answers when it cannot reach the receiver.
        ProbeStepCode::Receiver if failed.detail.contains("(HTTP 5") => "push-reason-tunnel-only",
        ProbeStepCode::Receiver if failed.detail.starts_with("something answered") => {
            "push-reason-elsewhere"
        }
        ProbeStepCode::Receiver if failed.detail.contains("redirects") => "push-reason-redirects",
        ProbeStepCode::Receiver => "push-reason-no-answer",
    };
    // Worded when the probe fails, in the language then in effect.
    Some(crate::locale::current().text(id, &[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tray_line_says_why_and_how_often() {
        let health = PushHealth {
            state: PushState::Down,
            reason: Some("the public address does not answer".into()),
            checked_at: Some(1),
            polling_every_minutes: Some(2),
            last_deliveries: Vec::new(),
        };
        assert_eq!(
            health.tray_text().as_deref(),
            Some("Push is down: the public address does not answer — checking Google every 2 minutes meanwhile")
        );
        assert_eq!(
            PushHealth::default().tray_text(),
            None,
            "nothing to say while not down"
        );
    }
}
