//! Generates the window's TypeScript types from the Rust types the shell sends
//! (`ui/src/lib/generated/contract.ts`), so the window cannot drift from the shell: the
//! test fails when the committed file differs, and writes the new one to commit.
//!
//! The shapes are read with `serde-reflection`, through serde itself, so renames and
//! flattening show exactly as the window receives them. Types that derive `Deserialize` are
//! traced whole (every enum variant); the engine's snapshot only serializes, so it is
//! traced from a sample in which every optional field is set.

use std::fmt::Write as _;
use std::path::Path;

use calwatch_core::account::AccountStatus;
use calwatch_core::engine::{
    AccountState, ChannelDelivery, ClientSecretState, EngineError, EngineSettings, EngineState,
    HoldState, LocaleState, PauseFor, PushHealth, PushState, ReceiverStatus,
};
use calwatch_core::locale::{HourCycle, Language, LanguageChoice};
use calwatch_core::noise::{GuestReplies, Silence};
use calwatch_core::notice::{ChangeKind, Field};
use calwatch_core::store::ChannelState;
use calwatch_core::tunnel::{ToolOffer, TunnelState, TunnelTool};
use serde_reflection::{ContainerFormat, Format, Registry, Samples, Tracer, TracerConfig};

use crate::events;
use crate::views::{
    CalendarView, ChangeView, ChannelView, FieldDiffView, ListChannelView, ProbeReportView,
    SandboxEvent, ShellState, UiError, SHELL_CODES,
};

/// Rust names whose TypeScript name differs (the window's names predate the generator).
const RENAMES: &[(&str, &str)] = &[
    ("FieldDiffView", "FieldDiff"),
    ("Field", "DiffField"),
    ("ProbeReportView", "ProbeReport"),
    ("ProbeStepView", "ProbeStep"),
    ("TunnelStatusView", "TunnelStatus"),
];

/// Fields whose Rust type is wider than what the window may rely on.
const NARROWED: &[(&str, &str, &str)] = &[("UiError", "code", "ErrorCode")];

/// The engine's snapshot with every optional part present, so each one is traced.
fn full_engine_state() -> EngineState {
    EngineState {
        client_secret: ClientSecretState {
            imported: true,
            client_id: Some(String::new()),
        },
        account: Some(AccountState {
            email: String::new(),
            status: AccountStatus::SignedIn,
        }),
        accounts: vec![AccountState {
            email: String::new(),
            status: AccountStatus::SignedIn,
        }],
        signing_in: false,
        callback_url: Some(String::new()),
        allow_http_callback: false,
        receiver: ReceiverStatus {
            address: String::new(),
            listening: false,
            error: Some(EngineError::NoCallback),
        },
        settings: EngineSettings {
            paused: false,
            summary_threshold: 0,
            backstop_minutes: 0,
            receiver_port: 0,
            push_down_poll_minutes: 0,
            site_verification_file: Some(String::new()),
            paused_until: Some(0),
            notices: Default::default(),
            language: LanguageChoice::System,
            hour_cycle: HourCycle::Automatic,
            watch_new_calendars: false,
        },
        watched_count: 0,
        next_renewal_at: Some(0),
        settings_problem: Some(String::new()),
        push_health: PushHealth {
            state: PushState::Down,
            reason: Some(String::new()),
            checked_at: Some(0),
            polling_every_minutes: Some(0),
            last_deliveries: vec![ChannelDelivery {
                channel_id: String::new(),
                last_delivery_at: 0,
            }],
        },
        hold: HoldState {
            paused: false,
            quiet: false,
            until: Some(0),
        },
        locale: LocaleState {
            language: Language::En,
            date_tag: String::new(),
            hour_cycle: HourCycle::Automatic,
        },
    }
}

fn registry() -> Registry {
    let mut tracer = Tracer::new(TracerConfig::default().is_human_readable(true));
    let mut samples = Samples::new();
    // Enums first, so the sample below adds no half-known enum.
    tracer.trace_simple_type::<AccountStatus>().unwrap();
    tracer.trace_simple_type::<ChannelState>().unwrap();
    tracer.trace_simple_type::<PushState>().unwrap();
    tracer.trace_simple_type::<ChangeKind>().unwrap();
    tracer.trace_simple_type::<Field>().unwrap();
    tracer.trace_simple_type::<Silence>().unwrap();
    tracer.trace_simple_type::<GuestReplies>().unwrap();
    tracer.trace_simple_type::<PauseFor>().unwrap();
    tracer.trace_simple_type::<Language>().unwrap();
    tracer.trace_simple_type::<LanguageChoice>().unwrap();
    tracer.trace_simple_type::<HourCycle>().unwrap();
    tracer.trace_simple_type::<TunnelTool>().unwrap();
    tracer.trace_simple_type::<TunnelState>().unwrap();
    tracer.trace_simple_type::<UiError>().unwrap();
    tracer.trace_simple_type::<ShellState>().unwrap();
    tracer.trace_simple_type::<ToolOffer>().unwrap();
    tracer.trace_simple_type::<CalendarView>().unwrap();
    tracer.trace_simple_type::<ChannelView>().unwrap();
    tracer.trace_simple_type::<ListChannelView>().unwrap();
    tracer.trace_simple_type::<ChangeView>().unwrap();
    tracer.trace_simple_type::<FieldDiffView>().unwrap();
    tracer.trace_simple_type::<ProbeReportView>().unwrap();
    tracer.trace_simple_type::<SandboxEvent>().unwrap();
    tracer
        .trace_value(&mut samples, &full_engine_state())
        .unwrap();
    let mut registry = tracer.registry().expect("every traced type is complete");
    // The engine writes its errors as an anonymous `{code, message}`: the window's UiError.
    let error_view = registry
        .remove("View")
        .expect("the receiver's error is traced");
    assert_eq!(
        Some(&error_view),
        registry.get("UiError"),
        "the engine's error view has UiError's shape"
    );
    rename_type(&mut registry, "View", "UiError");
    registry
}

/// Points every reference to `from` at `to`.
fn rename_type(registry: &mut Registry, from: &str, to: &str) {
    fn visit(format: &mut Format, from: &str, to: &str) {
        match format {
            Format::TypeName(name) if name == from => *name = to.to_string(),
            Format::Option(inner) | Format::Seq(inner) => visit(inner, from, to),
            _ => {}
        }
    }
    for container in registry.values_mut() {
        if let ContainerFormat::Struct(fields) = container {
            for field in fields {
                visit(&mut field.value, from, to);
            }
        }
    }
}

fn ts_name(rust: &str) -> &str {
    RENAMES
        .iter()
        .find(|(from, _)| *from == rust)
        .map_or(rust, |(_, to)| to)
}

fn ts_type(format: &Format) -> String {
    match format {
        Format::TypeName(name) => ts_name(name).to_string(),
        Format::Bool => "boolean".into(),
        Format::Str | Format::Char => "string".into(),
        Format::I8
        | Format::I16
        | Format::I32
        | Format::I64
        | Format::U8
        | Format::U16
        | Format::U32
        | Format::U64
        | Format::F32
        | Format::F64 => "number".into(),
        Format::Option(inner) => format!("{} | null", ts_type(inner)),
        Format::Seq(inner) => match **inner {
            Format::Option(_) => format!("({})[]", ts_type(inner)),
            _ => format!("{}[]", ts_type(inner)),
        },
        other => panic!("{other:?} has no place in the window's contract"),
    }
}

/// ` 'a' | 'b'` (after an `=`), one per line when that does not fit on one.
fn quoted_union<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = names.into_iter().map(|n| format!("'{n}'")).collect();
    let one_line = quoted.join(" | ");
    if one_line.len() <= 80 {
        return format!(" {one_line}");
    }
    quoted.iter().map(|q| format!("\n  | {q}")).collect()
}

/// The whole generated file.
fn generate() -> String {
    let mut out = String::from(
        "// Generated from the shell's Rust types by `cargo test -p calwatch --lib contract`\n\
         // (src-tauri/src/contract.rs). Do not edit: change the Rust type and run the test.\n\n",
    );
    let mut codes: Vec<&str> = EngineError::CODES.to_vec();
    codes.extend_from_slice(SHELL_CODES);
    let _ = writeln!(
        out,
        "/** Stable error codes; the window switches on these, never on message text. */\n\
         export type ErrorCode ={};\n",
        quoted_union(codes)
    );
    for (name, container) in registry() {
        let ts = ts_name(&name);
        match container {
            ContainerFormat::Enum(variants) => {
                let names = variants.values().map(|v| v.name.as_str());
                let _ = writeln!(out, "export type {ts} ={};\n", quoted_union(names));
            }
            ContainerFormat::Struct(fields) => {
                let _ = writeln!(out, "export type {ts} = {{");
                for field in fields {
                    let narrowed = NARROWED
                        .iter()
                        .find(|(t, f, _)| *t == name && *f == field.name)
                        .map(|(_, _, to)| to.to_string());
                    let ty = narrowed.unwrap_or_else(|| ts_type(&field.value));
                    let _ = writeln!(out, "  {}: {ty};", field.name);
                }
                let _ = writeln!(out, "}};\n");
            }
            other => panic!("{name} ({other:?}) has no place in the window's contract"),
        }
    }
    out.push_str(
        "/** `get_state`'s answer and the `calwatch://state` payload: the engine's snapshot and the shell's part, side by side. */\n\
         export type AppState = EngineState & ShellState;\n\n",
    );
    let _ = writeln!(
        out,
        "/** Every event the shell sends, with its payload. */\n\
         export type EventPayloads = {{\n  \
           '{}': AppState;\n  \
           '{}': ChannelView[];\n  \
           '{}': ListChannelView[];\n  \
           '{}': ChangeView[];\n  \
           '{}': CalendarView[];\n  \
           '{}': UiError;\n  \
           '{}': string;\n  \
           '{}': number[];\n\
         }};",
        events::STATE,
        events::CHANNELS,
        events::LIST_CHANNELS,
        events::CHANGES,
        events::CALENDARS,
        events::ERROR,
        events::NAVIGATE,
        events::SHOW_CHANGES,
    );
    out
}

#[test]
fn the_window_s_types_match_the_rust_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/generated/contract.ts");
    let generated = generate();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        panic!(
            "{} was out of date with the Rust types and is now rewritten: \
             check the window against it (cd ui && npm run check) and commit it",
            path.display()
        );
    }
}
