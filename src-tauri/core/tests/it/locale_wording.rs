//! Toast wording per locale: each change kind, moves across days, all-day events, series
//! rule changes, summaries and digests, in British and American English and in Korean.
//! Names from Google (titles, places, calendars) pass through untouched.

use calwatch_core::locale::{HourCycle, Language, Locale};
use calwatch_core::notice::{digest, Change, ChangeKind, EventTime, Field, FieldDiff, Notice};
use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;

const LONDON: Tz = chrono_tz::Europe::London;
const NEW_YORK: Tz = chrono_tz::America::New_York;
const SEOUL: Tz = chrono_tz::Asia::Seoul;

fn at(text: &str) -> EventTime {
    EventTime::at(DateTime::parse_from_rfc3339(text).expect("RFC 3339"))
}

fn on(text: &str) -> EventTime {
    EventTime::date(NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date"))
}

fn change(kind: ChangeKind, title: &str, start: EventTime, end: EventTime) -> Change {
    Change {
        account: "me@example.com".into(),
        calendar_id: "work@example.com".into(),
        calendar_name: "Work 팀".into(),
        event_id: "ev1".into(),
        kind,
        title: title.into(),
        start: Some(start),
        end: Some(end),
        diffs: vec![],
        html_link: None,
        facts: Box::default(),
    }
}

/// Thu 3 Dec 2026, 11:00–12:00 UTC.
fn sync(kind: ChangeKind) -> Change {
    change(
        kind,
        "Team sync",
        at("2026-12-03T11:00:00Z"),
        at("2026-12-03T12:00:00Z"),
    )
}

fn moved(before: (&str, &str), after: (&str, &str)) -> Change {
    let mut c = change(ChangeKind::Updated, "Team sync", at(after.0), at(after.1));
    c.diffs = vec![FieldDiff::time(
        &at(before.0),
        Some(&at(before.1)),
        &at(after.0),
        Some(&at(after.1)),
    )];
    c
}

fn gb() -> Locale {
    Locale::of_tag("en_GB.UTF-8")
}
fn us() -> Locale {
    Locale::of_tag("en_US.UTF-8")
}
fn ko() -> Locale {
    Locale::of_tag("ko_KR.UTF-8")
}

/// (locale, zone, headline, body) rows for one change.
fn check(c: &Change, rows: &[(Locale, Tz, &str, &str)]) {
    for (locale, tz, headline, body) in rows {
        assert_eq!(c.headline_in(locale), *headline, "{}", locale.date_tag());
        assert_eq!(c.body_in(*tz, locale), *body, "{}", locale.date_tag());
    }
}

#[test]
fn added_and_cancelled_read_in_each_language() {
    check(
        &sync(ChangeKind::Created),
        &[
            (
                gb(),
                LONDON,
                "Team sync added",
                "Thu 3 Dec, 11:00–12:00 · Work 팀",
            ),
            (
                us(),
                NEW_YORK,
                "Team sync added",
                "Thu, Dec 3, 6:00\u{202f}AM–7:00\u{202f}AM · Work 팀",
            ),
            (
                ko(),
                SEOUL,
                "새 일정: Team sync",
                "12월 3일 (목) 오후 8:00~오후 9:00 · Work 팀",
            ),
        ],
    );
    check(
        &sync(ChangeKind::Cancelled),
        &[
            (
                gb(),
                LONDON,
                "Team sync cancelled",
                "Thu 3 Dec, 11:00–12:00 · Work 팀",
            ),
            (
                ko(),
                SEOUL,
                "일정 취소: Team sync",
                "12월 3일 (목) 오후 8:00~오후 9:00 · Work 팀",
            ),
        ],
    );
}

#[test]
fn moves_within_and_across_days() {
    let same_day = moved(
        ("2026-12-03T10:00:00Z", "2026-12-03T11:00:00Z"),
        ("2026-12-03T11:00:00Z", "2026-12-03T12:00:00Z"),
    );
    check(
        &same_day,
        &[
            (
                gb(),
                LONDON,
                "Team sync moved",
                "Thu 3 Dec, 10:00 → 11:00 · Work 팀",
            ),
            (
                ko(),
                LONDON,
                "시간 변경: Team sync",
                "12월 3일 (목) 오전 10:00 → 오전 11:00 · Work 팀",
            ),
        ],
    );
    let next_day = moved(
        ("2026-12-03T10:00:00Z", "2026-12-03T11:00:00Z"),
        ("2026-12-04T11:00:00Z", "2026-12-04T12:00:00Z"),
    );
    check(
        &next_day,
        &[
            (
                us(),
                LONDON,
                "Team sync moved",
                "Thu, Dec 3, 10:00\u{202f}AM → Fri, Dec 4, 11:00\u{202f}AM · Work 팀",
            ),
            (
                ko(),
                LONDON,
                "시간 변경: Team sync",
                "12월 3일 (목) 오전 10:00 → 12월 4일 (금) 오전 11:00 · Work 팀",
            ),
        ],
    );
    let longer = moved(
        ("2026-12-03T10:00:00Z", "2026-12-03T11:00:00Z"),
        ("2026-12-03T10:00:00Z", "2026-12-03T11:30:00Z"),
    );
    check(
        &longer,
        &[(
            ko(),
            LONDON,
            "시간 연장: Team sync",
            "12월 3일 (목) 오전 10:00~오전 11:00 → 오전 10:00~오전 11:30 · Work 팀",
        )],
    );
}

#[test]
fn the_hour_cycle_choice_reaches_the_toast() {
    let c = sync(ChangeKind::Created);
    let us24 = Locale::new(Language::En, "en-US", HourCycle::H24);
    assert_eq!(
        c.body_in(NEW_YORK, &us24),
        "Thu, Dec 3, 06:00–07:00 · Work 팀"
    );
    let ko24 = Locale::new(Language::Ko, "ko-KR", HourCycle::H24);
    assert_eq!(
        c.body_in(SEOUL, &ko24),
        "12월 3일 (목) 20:00~21:00 · Work 팀"
    );
}

#[test]
fn renames_places_and_replies_keep_googles_words() {
    let mut c = sync(ChangeKind::Updated);
    c.diffs = vec![FieldDiff::new(Field::Title, "Standup", "팀 회의")];
    assert_eq!(c.headline_in(&gb()), "“Standup” renamed to “팀 회의”");
    assert_eq!(c.headline_in(&ko()), "제목 변경: ‘Standup’ → ‘팀 회의’");
    c.diffs = vec![FieldDiff::new(Field::Place, "Room 3", "Room 4")];
    assert_eq!(c.headline_in(&ko()), "장소 변경: Team sync → Room 4");
    c.diffs = vec![FieldDiff::new(Field::Response, "needsAction", "declined")];
    assert_eq!(c.headline_in(&ko()), "참석 거절: Team sync");
    c.title = " ".into();
    c.diffs.clear();
    c.kind = ChangeKind::Created;
    assert_eq!(c.headline_in(&ko()), "새 일정: (제목 없음)");
}

#[test]
fn all_day_events_show_days_only() {
    let multi = change(
        ChangeKind::Created,
        "Offsite",
        on("2026-12-03"),
        on("2026-12-06"),
    );
    check(
        &multi,
        &[
            (
                gb(),
                LONDON,
                "Offsite added",
                "Thu 3 Dec – Sat 5 Dec · Work 팀",
            ),
            (
                us(),
                LONDON,
                "Offsite added",
                "Thu, Dec 3 – Sat, Dec 5 · Work 팀",
            ),
            (
                ko(),
                LONDON,
                "새 일정: Offsite",
                "12월 3일 (목) ~ 12월 5일 (토) · Work 팀",
            ),
        ],
    );
    let mut to_all_day = change(
        ChangeKind::Updated,
        "Offsite",
        on("2026-12-03"),
        on("2026-12-04"),
    );
    to_all_day.diffs = vec![FieldDiff::time(
        &at("2026-12-03T10:00:00Z"),
        Some(&at("2026-12-03T11:00:00Z")),
        &on("2026-12-03"),
        Some(&on("2026-12-04")),
    )];
    assert_eq!(
        to_all_day.body_in(LONDON, &ko()),
        "12월 3일 (목) 오전 10:00~오전 11:00 → 12월 3일 (목), 종일 · Work 팀"
    );
}

/// A weekly standup from Tue 1 Dec 2026 09:00 New York time whose rule went from
/// `before` to `after`.
fn rule_changed(before: Option<&str>, after: Option<&str>) -> Change {
    let start = EventTime::DateTime {
        date_time: DateTime::parse_from_rfc3339("2026-12-01T09:00:00-05:00").unwrap(),
        time_zone: Some("America/New_York".into()),
    };
    let rules = |rule: Option<&str>| rule.map(|r| vec![r.to_string()]).unwrap_or_default();
    let mut c = change(
        ChangeKind::Updated,
        "Standup",
        start.clone(),
        at("2026-12-01T14:15:00Z"),
    );
    c.diffs = vec![FieldDiff::repeats(
        &start,
        &rules(before),
        &start,
        &rules(after),
    )];
    c
}

#[test]
fn series_rule_changes_are_worded_per_locale() {
    let cut = rule_changed(
        Some("RRULE:FREQ=WEEKLY;BYDAY=TU"),
        Some("RRULE:FREQ=WEEKLY;UNTIL=20261215T045959Z;BYDAY=TU"),
    );
    check(
        &cut,
        &[
            (
                gb(),
                NEW_YORK,
                "Standup now ends on Tue 8 Dec",
                "weekly on Tue → weekly on Tue until 8 Dec · Work 팀",
            ),
            (
                us(),
                NEW_YORK,
                "Standup now ends on Tue, Dec 8",
                "weekly on Tue → weekly on Tue until Dec 8 · Work 팀",
            ),
            (
                ko(),
                NEW_YORK,
                "반복 종료 12월 8일 (화): Standup",
                "매주 화요일 → 매주 화요일, 12월 8일까지 · Work 팀",
            ),
        ],
    );
    let reshaped = rule_changed(
        Some("RRULE:FREQ=DAILY;INTERVAL=2;COUNT=10"),
        Some("RRULE:FREQ=MONTHLY;BYDAY=-1FR"),
    );
    check(
        &reshaped,
        &[
            (
                gb(),
                NEW_YORK,
                "Standup repeats differently",
                "every 2 days, 10 times → monthly on the last Fri · Work 팀",
            ),
            (
                ko(),
                NEW_YORK,
                "반복 규칙 변경: Standup",
                "2일마다, 10회 → 매월 마지막 주 금요일 · Work 팀",
            ),
        ],
    );
    let stopped = rule_changed(Some("RRULE:FREQ=DAILY"), None);
    assert_eq!(stopped.headline_in(&ko()), "반복 해제: Standup");
    assert_eq!(
        stopped.body_in(SEOUL, &ko()),
        "12월 1일 (화) 오후 11:00~오후 11:15 · Work 팀",
        "what is left is one event, at the reader's time"
    );
}

#[test]
fn summaries_and_digests_count_in_each_language() {
    let summary = |away: bool, count: usize| Notice::Summary {
        calendar_id: "work@example.com".into(),
        calendar_name: "Work 팀".into(),
        count,
        away,
        first: vec!["A".into(), "B".into(), "C".into()],
    };
    assert_eq!(summary(false, 7).headline_in(&gb()), "7 changes in Work 팀");
    assert_eq!(summary(false, 1).headline_in(&gb()), "1 change in Work 팀");
    assert_eq!(summary(false, 7).headline_in(&ko()), "Work 팀에서 7건 변경");
    assert_eq!(
        summary(true, 4).headline_in(&ko()),
        "자리를 비운 동안 Work 팀에서 4건 변경"
    );
    assert_eq!(
        summary(false, 7).body_in(LONDON, &gb()),
        "A · B · C · and 4 more"
    );
    assert_eq!(
        summary(false, 7).body_in(LONDON, &ko()),
        "A · B · C · 외 4건"
    );

    let a = sync(ChangeKind::Created);
    let mut b = sync(ChangeKind::Cancelled);
    b.calendar_id = "home@example.com".into();
    let held = [(1, &a), (2, &b)];
    let digest = digest(&held).expect("two held changes");
    assert_eq!(
        digest.headline_in(&gb()),
        "While you were away: 2 changes in 2 calendars"
    );
    assert_eq!(
        digest.headline_in(&ko()),
        "자리를 비운 동안: 캘린더 2개에서 2건 변경"
    );
}

#[test]
fn engine_errors_keep_their_code_and_speak_the_language() {
    use calwatch_core::engine::EngineError;
    let taken = EngineError::PortInUse { port: 8765 };
    assert_eq!(taken.code(), "port_in_use");
    assert!(
        taken.message_in(&ko()).starts_with("포트 8765"),
        "{}",
        taken.message_in(&ko())
    );
    assert_eq!(
        taken.message_in(&gb()),
        taken.to_string(),
        "English as before"
    );
    assert_eq!(
        EngineError::NeedsSignIn.message_in(&ko()),
        "Google 로그인이 만료되었거나 없습니다. Google로 다시 로그인하세요."
    );
}

mod engine_errors {
    //! The engine's error sentences per family, in English and in Korean: the code stays,
    //! the sentence follows the language, and the log's `Display` stays English. Text
    //! from elsewhere (an address, a reason a library gave) passes through untouched.

    use calwatch_core::auth::AuthError;
    use calwatch_core::channels::ChannelError;
    use calwatch_core::config::{ClientSecretError, ConfigError};
    use calwatch_core::engine::SettingsPatch;
    use calwatch_core::error::EngineError;
    use calwatch_core::google::GoogleError;
    use calwatch_core::locale::Locale;
    use calwatch_core::noise::Silence;
    use calwatch_core::push_health::{PushHealth, PushState};
    use calwatch_core::secrets::SecretsError;

    fn en() -> Locale {
        Locale::of_tag("en_GB.UTF-8")
    }
    fn ko() -> Locale {
        Locale::of_tag("ko_KR.UTF-8")
    }

    /// (error, code, English, Korean), and `Display` is the English sentence.
    fn says(e: EngineError, code: &str, english: &str, korean: &str) {
        assert_eq!(e.code(), code, "the code never changes with the language");
        assert_eq!(e.message_in(&en()), english);
        assert_eq!(e.message_in(&ko()), korean);
        assert_eq!(e.to_string(), english, "the log reads English");
    }

    #[test]
    fn google_s_answers() {
        says(
            GoogleError::NotFound.into(),
            "not_found",
            "Google does not know this calendar or channel (404).",
            "Google이 이 캘린더나 채널을 모릅니다(404).",
        );
        let refused: EngineError = GoogleError::CallbackRejected {
            reason: calwatch_core::google::CallbackRejection::NotHttps,
            address: "https://a.example/notifications".into(),
            message: "webhook URL not https".into(),
        }
        .into();
        assert_eq!(refused.code(), "callback_rejected");
        assert!(refused.message_in(&en()).starts_with(
            "Google refused the callback URL https://a.example/notifications: it must be HTTPS"
        ));
        assert!(refused
            .message_in(&ko())
            .starts_with("Google이 콜백 URL https://a.example/notifications을(를) 거부했습니다"));
        says(
            GoogleError::Network("dns error".into()).into(),
            "offline",
            "Google could not be reached: dns error.",
            "Google에 연결할 수 없습니다: dns error.",
        );
    }

    #[test]
    fn the_callback_url() {
        says(
            ConfigError::CallbackNoHost {
                url: "https://".into(),
            }
            .into(),
            "callback_invalid",
            "The callback URL “https://” has no host name. Enter the full address your tunnel gives you, e.g. https://my-laptop.example.ts.net/notifications.",
            "콜백 URL “https://”에 호스트 이름이 없습니다. 터널이 주는 주소 전체를 입력하세요. 예: https://my-laptop.example.ts.net/notifications.",
        );
    }

    #[test]
    fn the_client_file() {
        let e: EngineError = ClientSecretError::NotJson.into();
        assert_eq!(e.code(), "bad_client_secret");
        assert!(e.message_in(&en()).starts_with("This file is not JSON"));
        assert!(e.message_in(&ko()).starts_with("이 파일은 JSON이 아니어서"));
    }

    #[test]
    fn the_keyring_and_the_sign_in() {
        says(
            SecretsError::Unavailable {
                reason: "no D-Bus".into(),
            }
            .into(),
            "keyring_unavailable",
            "The system keyring is locked / not available: no D-Bus. Unlock your keyring (or start one, such as GNOME Keyring or KWallet) and try again; CalWatch keeps your Google sign-in only there, never in a file.",
            "시스템 키링이 잠겨 있거나 쓸 수 없습니다: no D-Bus. 키링의 잠금을 풀거나(GNOME 키링, KWallet 같은 키링을 시작하고) 다시 시도하세요. CalWatch는 Google 로그인을 그곳에만 보관하며 파일에는 절대 두지 않습니다.",
        );
        says(
            AuthError::AccessDenied.into(),
            "sign_in_failed",
            "Sign-in failed: access was not granted in the browser (access_denied); sign in again and allow CalWatch to see your calendars",
            "로그인 실패: 브라우저에서 권한을 허용하지 않았습니다(access_denied). 다시 로그인하고 CalWatch가 캘린더를 보도록 허용하세요",
        );
    }

    #[test]
    fn the_local_data() {
        says(
            calwatch_core::store::StoreError::NewerSchema {
                found: 9,
                supported: 5,
            }
            .into(),
            "store",
            "This data was written by a newer version of CalWatch (schema 9; this version knows up to 5). Update CalWatch to use it; the file has not been changed.",
            "이 데이터는 더 새 버전의 CalWatch가 썼습니다(스키마 9, 이 버전은 5까지 압니다). 쓰려면 CalWatch를 업데이트하세요. 파일은 바뀌지 않았습니다.",
        );
    }

    #[test]
    fn channels_and_settings() {
        says(
            ChannelError::Renewing("c1".into()).into(),
            "busy",
            "This channel is being renewed right now; its replacement shows up here in a moment.",
            "이 채널은 지금 갱신 중입니다. 곧 새 채널이 여기에 나타납니다.",
        );
        let refused = SettingsPatch {
            receiver_port: Some(0),
            ..SettingsPatch::default()
        }
        .validate()
        .expect_err("port 0 is refused");
        assert_eq!(refused.code(), "invalid_setting");
        assert!(refused
            .message_in(&ko())
            .starts_with("수신기 포트는 1에서 65535까지"));
        assert!(refused
            .message_in(&en())
            .starts_with("The receiver port must be from 1 to 65535"));
    }

    #[test]
    fn the_local_data_s_refusals() {
        use calwatch_core::store::StoreError;
        says(
            StoreError::UnknownCalendar("team@group.calendar.google.com".into()).into(),
            "store",
            "Calendar team@group.calendar.google.com is not known to CalWatch.",
            "CalWatch가 모르는 캘린더입니다: team@group.calendar.google.com.",
        );
        says(
            StoreError::UnknownChannel("ch-1".into()).into(),
            "store",
            "Channel ch-1 is not known to CalWatch.",
            "CalWatch가 모르는 채널입니다: ch-1.",
        );
        says(
            StoreError::UnknownAccount("a@example.com".into()).into(),
            "store",
            "Account a@example.com is not known to CalWatch.",
            "CalWatch가 모르는 계정입니다: a@example.com.",
        );
        says(
            StoreError::Invalid("an event without a calendar".into()).into(),
            "store",
            "Refused to store inconsistent data: an event without a calendar.",
            "앞뒤가 맞지 않는 데이터라서 저장하지 않았습니다: an event without a calendar.",
        );
        says(
            StoreError::Corrupt("bad time".into()).into(),
            "store",
            "CalWatch's data contains a value it cannot read: bad time.",
            "CalWatch의 데이터에 읽을 수 없는 값이 있습니다: bad time.",
        );
        says(
            StoreError::Database("disk I/O error".into()).into(),
            "store",
            "CalWatch could not use its database: disk I/O error.",
            "CalWatch가 데이터베이스를 쓸 수 없습니다: disk I/O error.",
        );
    }

    #[test]
    fn the_environment_and_the_settings_file() {
        says(
            ConfigError::InvalidEnv {
                var: "CALWATCH_PORT",
                value: "eighty".into(),
                reason: "not a number".into(),
            }
            .into(),
            "internal",
            "CALWATCH_PORT is set to \"eighty\", which CalWatch cannot use: not a number. Fix or unset it and start CalWatch again.",
            "CALWATCH_PORT의 값 \"eighty\"은(는) CalWatch가 쓸 수 없습니다: not a number. 고치거나 지운 뒤 CalWatch를 다시 시작하세요.",
        );
        says(
            ConfigError::NoDataDir.into(),
            "internal",
            "CalWatch could not find a folder for its data. Set CALWATCH_DATA_DIR to a folder it may write to.",
            "CalWatch가 데이터를 둘 폴더를 찾지 못했습니다. CALWATCH_DATA_DIR에 쓸 수 있는 폴더를 지정하세요.",
        );
        let path = std::path::PathBuf::from("/data/settings.json");
        for (e, korean_start) in [
            (
                ConfigError::SettingsUnreadable {
                    path: path.clone(),
                    reason: "permission denied".into(),
                },
                "CalWatch가 /data/settings.json의 설정을 읽을 수 없습니다: permission denied.",
            ),
            (
                ConfigError::SettingsInvalid {
                    path: path.clone(),
                    reason: "expected value at line 1".into(),
                },
                "/data/settings.json의 CalWatch 설정이 손상되었습니다(expected value at line 1).",
            ),
            (
                ConfigError::SaveFailed {
                    path: path.clone(),
                    reason: "no space left".into(),
                },
                "CalWatch가 설정을 /data/settings.json에 저장할 수 없습니다: no space left.",
            ),
        ] {
            let english = e.to_string();
            let engine: EngineError = e.into();
            assert_eq!(engine.code(), "internal", "the code never changes");
            assert_eq!(engine.message_in(&en()), english, "English as before");
            assert_eq!(engine.to_string(), english, "the log reads English");
            let korean = engine.message_in(&ko());
            assert!(korean.starts_with(korean_start), "{korean}");
        }

        // The settings file's ignored keys, as Settings shows them.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("settings.json"),
            r#"{"backstop_interval_ms": 60000, "colour": "red"}"#,
        )
        .unwrap();
        let data_dir = dir.path().display().to_string();
        let config = calwatch_core::config::Config::load_from(&move |name| {
            (name == "CALWATCH_DATA_DIR").then(|| data_dir.clone())
        })
        .expect("unknown keys do not stop CalWatch");
        let file = config.settings_path().display().to_string();
        assert_eq!(
            config.settings_problem_in(&en()).unwrap(),
            format!("{file} has settings CalWatch does not know, which it ignores: “backstop_interval_ms”, “colour”. “backstop_interval_ms” belongs under “timings”. The file is left as it is; fix it and restart CalWatch.")
        );
        assert_eq!(
            config.settings_problem_in(&ko()).unwrap(),
            format!("{file}에 CalWatch가 모르는 설정이 있어 무시합니다: “backstop_interval_ms”, “colour”. “backstop_interval_ms”은(는) “timings” 아래에 있어야 합니다. 파일은 그대로 두었습니다. 고친 뒤 CalWatch를 다시 시작하세요.")
        );
    }

    #[test]
    fn the_client_file_s_copy_and_the_keyring_s_refusals() {
        says(
            ClientSecretError::NotSaved {
                path: "/data/client_secret.json".into(),
                reason: "read-only file system".into(),
            }
            .into(),
            "store",
            "The OAuth client is fine, but CalWatch could not save a copy to /data/client_secret.json: read-only file system. Check there is free space and the folder is writable.",
            "OAuth 클라이언트는 괜찮지만 CalWatch가 /data/client_secret.json에 사본을 저장할 수 없습니다: read-only file system. 빈 공간이 있는지, 폴더에 쓸 수 있는지 확인하세요.",
        );
        for (action, korean) in [
            (
                "read",
                "시스템 키링이 CalWatch 로그인 정보 읽기를 거부했습니다: denied.",
            ),
            (
                "save",
                "시스템 키링이 CalWatch 로그인 정보 저장을 거부했습니다: denied.",
            ),
            (
                "delete",
                "시스템 키링이 CalWatch 로그인 정보 삭제를 거부했습니다: denied.",
            ),
        ] {
            says(
                SecretsError::Refused {
                    action,
                    reason: "denied".into(),
                }
                .into(),
                "keyring_unavailable",
                &format!("The system keyring refused to {action} the CalWatch sign-in: denied."),
                korean,
            );
        }
        says(
            SecretsError::TimedOut { millis: 5000 }.into(),
            "keyring_unavailable",
            "The system keyring is locked / not available: it did not answer within 5 s (it may be waiting to be unlocked). Unlock your keyring (or start one, such as GNOME Keyring or KWallet) and try again; CalWatch keeps your Google sign-in only there, never in a file.",
            "시스템 키링이 잠겨 있거나 쓸 수 없습니다: 5초 안에 응답하지 않았습니다(잠금 해제를 기다리고 있을 수 있습니다). 키링의 잠금을 풀거나(GNOME 키링, KWallet 같은 키링을 시작하고) 다시 시도하세요. CalWatch는 Google 로그인을 그곳에만 보관하며 파일에는 절대 두지 않습니다.",
        );
        says(
            SecretsError::Ambiguous {
                action: "read",
                count: 2,
            }
            .into(),
            "keyring_unavailable",
            "The system keyring refused to read the CalWatch sign-in: 2 entries match this account; remove the extras.",
            "시스템 키링이 CalWatch 로그인 정보 읽기를 거부했습니다: 이 계정에 맞는 항목이 2개 있습니다. 남는 항목을 지우세요.",
        );
        says(
            SecretsError::Crashed {
                action: "delete",
                reason: "task 7 panicked".into(),
            }
            .into(),
            "keyring_unavailable",
            "The system keyring refused to delete the CalWatch sign-in: the keyring call failed unexpectedly (task 7 panicked).",
            "시스템 키링이 CalWatch 로그인 정보 삭제를 거부했습니다: 키링 호출이 뜻밖에 실패했습니다(task 7 panicked).",
        );
    }

    #[test]
    fn silence_reasons_and_the_push_line() {
        assert_eq!(Silence::QuietHours.words_in(&en()), "quiet hours");
        assert_eq!(Silence::QuietHours.words_in(&ko()), "방해 금지 시간");
        let down = PushHealth {
            state: PushState::Down,
            reason: None,
            checked_at: Some(1),
            polling_every_minutes: Some(1),
            last_deliveries: Vec::new(),
        };
        assert_eq!(
            down.tray_text_in(&en()).as_deref(),
            Some("Push is down: the public address does not answer — checking Google every minute meanwhile")
        );
        assert_eq!(
            down.tray_text_in(&ko()).as_deref(),
            Some("푸시 중단: 공개 주소가 응답하지 않습니다 — 그동안 1분마다 Google 확인")
        );
    }
}

#[test]
fn calendars_of_the_same_name_carry_their_account_in_each_language() {
    let args = |calendar: &'static str| {
        [
            ("calendar", calendar.into()),
            ("account", "b@example.com".into()),
        ]
    };
    assert_eq!(
        gb().text("calendar-with-account", &args("Work")),
        "Work (b@example.com)"
    );
    assert_eq!(
        ko().text("calendar-with-account", &args("업무")),
        "업무 (b@example.com)",
        "the name and the address are Google's, kept as they are"
    );
}

mod callback_test_and_tunnel {
    //! The callback test's findings and the tunnel's problems, in English and in Korean:
    //! what the tool or the system said passes through untouched.

    use calwatch_core::error::tunnel_problem_in;
    use calwatch_core::locale::Locale;
    use calwatch_core::receiver::{check_callback_in, ProbeNonces, ProbeStepCode};
    use calwatch_core::tunnel::{Ending, Todo, TunnelProblem, TunnelTool};

    fn en() -> Locale {
        Locale::of_tag("en_GB.UTF-8")
    }
    fn ko() -> Locale {
        Locale::of_tag("ko_KR.UTF-8")
    }

    fn hangul(text: &str) -> bool {
        text.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
    }

    #[tokio::test]
    async fn the_callback_test_s_findings() {
        let probes = ProbeNonces::new();
        let step = |report: calwatch_core::receiver::ProbeReport| {
            let failed = report.failure().expect("the address is refused").clone();
            (failed.code, failed.name, failed.detail)
        };
        let english = step(check_callback_in("http://a.example/n", &probes, false, en()).await);
        assert_eq!(
            english,
            (
                ProbeStepCode::Address,
                "Address".to_string(),
                "the address must start with https://: Google only delivers to HTTPS addresses"
                    .to_string()
            )
        );
        let korean = step(check_callback_in("http://a.example/n", &probes, false, ko()).await);
        assert_eq!(korean.0, ProbeStepCode::Address, "the step's code stays");
        assert_eq!(
            korean.2,
            "주소는 https://로 시작해야 합니다. Google은 HTTPS 주소로만 보냅니다"
        );

        let korean = step(check_callback_in("ftp://a.example/n", &probes, false, ko()).await);
        assert!(
            hangul(&korean.2) && korean.2.contains("ftp://"),
            "the scheme the person typed is kept: {}",
            korean.2
        );
    }

    #[tokio::test]
    async fn a_callback_test_that_passes_in_korean() {
        let probes = ProbeNonces::new();
        let report = check_callback_in("http://127.0.0.1:9/n", &probes, true, ko()).await;
        let passed: Vec<_> = report.steps.iter().filter(|s| s.ok).collect();
        assert_eq!(passed[0].detail, "일반 HTTP, 로컬 시험에서만 허용됩니다");
        assert_eq!(
            passed[1].detail,
            "127.0.0.1은(는) IP 주소라서 조회가 필요 없습니다"
        );
        let failed = report.failure().expect("nothing listens on port 9");
        assert_eq!(failed.code, ProbeStepCode::Connection);
        assert!(
            failed
                .detail
                .starts_with("127.0.0.1:9에서 연결을 받는 것이 없습니다"),
            "{}",
            failed.detail
        );
    }

    #[test]
    fn a_tunnel_that_failed() {
        let problem = TunnelProblem::Failed {
            tool: TunnelTool::Ngrok,
            words: "ERR_NGROK_4018".into(),
            ending: Ending::Exited {
                status: "exit status: 1".into(),
            },
            todo: Todo::NgrokAuthtoken,
        };
        assert_eq!(
            tunnel_problem_in(&problem, &en()),
            "ngrok says: “ERR_NGROK_4018”. ngrok needs your account's authtoken: sign up at https://dashboard.ngrok.com/signup, run `ngrok config add-authtoken <your token>` (https://dashboard.ngrok.com/get-started/your-authtoken), then try again."
        );
        let korean = tunnel_problem_in(&problem, &ko());
        assert!(
            korean.starts_with(
                "ngrok의 말: “ERR_NGROK_4018”. ngrok에는 계정의 authtoken이 필요합니다."
            ),
            "the tool's words stay as it said them: {korean}"
        );

        let silent = TunnelProblem::Failed {
            tool: TunnelTool::Tailscale,
            words: String::new(),
            ending: Ending::NoAnswer { seconds: 30 },
            todo: Todo::TailscaleUp,
        };
        assert!(tunnel_problem_in(&silent, &en())
            .starts_with("tailscale stopped (no answer after 30 s) without a word. Make sure"));
        assert!(tunnel_problem_in(&silent, &ko())
            .starts_with("tailscale이(가) 아무 말 없이 멈췄습니다(30초 동안 응답이 없음)."));
    }

    #[test]
    fn a_tunnel_starting_again_or_missing() {
        let again = TunnelProblem::Restarting {
            tool: TunnelTool::Cloudflared,
            ending: Ending::NoAddress { seconds: 30 },
            seconds: 4,
        };
        assert_eq!(
            tunnel_problem_in(&again, &en()),
            "cloudflared stopped (no address after 30 s); CalWatch starts it again in 4 s."
        );
        assert_eq!(
            tunnel_problem_in(&again, &ko()),
            "cloudflared이(가) 멈췄습니다(30초 동안 주소가 없음). CalWatch가 4초 뒤에 다시 시작합니다."
        );
        let missing = TunnelProblem::NotInstalled {
            tool: TunnelTool::Tailscale,
        };
        assert_eq!(
            tunnel_problem_in(&missing, &en()),
            "tailscale is not on PATH: install it (https://tailscale.com/download), then choose it again."
        );
        assert!(hangul(&tunnel_problem_in(&missing, &ko())));
        for problem in [
            TunnelProblem::NoDnsName,
            TunnelProblem::StoppedEarly,
            TunnelProblem::NoAddressWithin {
                tool: TunnelTool::Ngrok,
                seconds: 45,
            },
        ] {
            let english = tunnel_problem_in(&problem, &en());
            let korean = tunnel_problem_in(&problem, &ko());
            assert!(!hangul(&english) && hangul(&korean), "{english} / {korean}");
        }
    }
}
