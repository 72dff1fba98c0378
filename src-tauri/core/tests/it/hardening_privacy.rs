//! What CalWatch keeps about a person can go when they ask: an account's history on
//! sign-out, all history from Settings; and the log names accounts by a short label,
//! never by their email.

use crate::engine_support::{quick, Harness};
use crate::support::log::CapturedLog;
use calwatch_core::account::log_label;

async fn with_one_change() -> Harness {
    let h = Harness::start(quick).await;
    h.watch().await;
    h.insert("Dentist", "2030-01-07T10:00:00Z", "2030-01-07T11:00:00Z");
    h.notifier.wait_for(1).await;
    h.settle().await;
    assert_eq!(h.engine.recent_changes(10).expect("history").len(), 1);
    h
}

#[tokio::test(start_paused = true)]
async fn signing_out_can_delete_the_accounts_history() {
    let h = with_one_change().await;
    h.engine.sign_out_with(true).await.expect("sign-out works");
    assert!(
        h.engine.recent_changes(10).expect("history").is_empty(),
        "the account's titles and times are gone with it"
    );
}

#[tokio::test(start_paused = true)]
async fn signing_out_without_the_option_keeps_the_history() {
    let h = with_one_change().await;
    h.engine.sign_out_with(false).await.expect("sign-out works");
    assert_eq!(h.engine.recent_changes(10).expect("history").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn clear_history_empties_the_activity_list() {
    let h = with_one_change().await;
    assert_eq!(h.engine.clear_history().expect("cleared"), 1);
    assert!(h.engine.recent_changes(10).expect("history").is_empty());
    // New changes are still recorded afterwards.
    h.insert("Optician", "2030-01-08T10:00:00Z", "2030-01-08T11:00:00Z");
    h.notifier.wait_for(2).await;
    h.settle().await;
    assert_eq!(h.engine.recent_changes(10).expect("history").len(), 1);
}

// Paused time on one thread: the thread-local log subscriber sees every task.
#[tokio::test(start_paused = true)]
async fn the_info_log_names_the_account_by_a_label_not_its_email() {
    let logs = CapturedLog::default();
    // Everything is captured; the assertions look at info and above.
    let _guard = logs.install_for_thread(tracing::Level::TRACE);
    let h = with_one_change().await;
    h.engine.sign_out().await.expect("sign-out works");

    // CalWatch's own lines at info and above (the stand-in's request log is not ours).
    let text: String = logs
        .text()
        .lines()
        .filter(|l| l.contains(" calwatch_core"))
        .filter(|l| {
            [" INFO ", " WARN ", " ERROR "]
                .iter()
                .any(|lvl| l.contains(lvl))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let label = log_label(&h.calendar);
    assert_eq!(label.len(), 8, "eight hex digits");
    assert!(
        text.contains(&label),
        "sign-in and sign-out are logged with the label {label}: {text}"
    );
    assert!(
        !text.contains(&h.calendar),
        "the email {} never reaches the log at info level: {text}",
        h.calendar
    );
}
