//! Light or dark as the desktop says: a stand-in for the freedesktop settings portal on
//! the test session's bus answers `color-scheme`, and the real window must start in its
//! scheme and follow its `SettingChanged` signal while open.
//!
//! A test binary of its own: the stand-in owns the portal's name on the session bus, and
//! the other window tests must keep a desktop without a portal.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use e2e::{free_port, App};
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{OwnedValue, Value};

const PATH: &str = "/org/freedesktop/portal/desktop";
const DARK: u32 = 1;
const LIGHT: u32 = 2;

/// The part of `org.freedesktop.portal.Settings` CalWatch reads.
struct Portal {
    scheme: Arc<AtomicU32>,
}

#[zbus::interface(name = "org.freedesktop.portal.Settings")]
impl Portal {
    /// The deprecated `Read` every portal still has: the value inside a second variant.
    async fn read(&self, namespace: &str, key: &str) -> zbus::fdo::Result<OwnedValue> {
        if (namespace, key) != ("org.freedesktop.appearance", "color-scheme") {
            return Err(zbus::fdo::Error::Failed(format!("no {namespace} {key}")));
        }
        let inner = Value::Value(Box::new(Value::U32(self.scheme.load(Ordering::SeqCst))));
        OwnedValue::try_from(inner).map_err(|e| zbus::fdo::Error::Failed(e.to_string()))
    }

    #[zbus(signal)]
    async fn setting_changed(
        emitter: &SignalEmitter<'_>,
        namespace: &str,
        key: &str,
        value: Value<'_>,
    ) -> zbus::Result<()>;
}

/// Whether the page matches `(prefers-color-scheme: dark)`.
async fn page_is_dark(app: &App) -> anyhow::Result<bool> {
    let dark = app
        .script("return window.matchMedia('(prefers-color-scheme: dark)').matches;")
        .await?;
    dark.as_bool()
        .ok_or_else(|| anyhow::anyhow!("matchMedia answered {dark}"))
}

async fn wait_dark(app: &App, want: bool) -> anyhow::Result<()> {
    for _ in 0..100 {
        if page_is_dark(app).await? == want {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::bail!(
        "the window did not turn {}",
        if want { "dark" } else { "light" }
    )
}

/// The desktop's scheme becomes `to`: the portal answers it and signals the change.
async fn switch_to(bus: &zbus::Connection, scheme: &AtomicU32, to: u32) -> anyhow::Result<()> {
    scheme.store(to, Ordering::SeqCst);
    let portal = bus.object_server().interface::<_, Portal>(PATH).await?;
    Portal::setting_changed(
        portal.signal_emitter(),
        "org.freedesktop.appearance",
        "color-scheme",
        Value::U32(to),
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_follows_the_desktops_colour_scheme() -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let scheme = Arc::new(AtomicU32::new(DARK));
    let bus = zbus::connection::Builder::session()?
        .name("org.freedesktop.portal.Desktop")?
        .serve_at(
            PATH,
            Portal {
                scheme: Arc::clone(&scheme),
            },
        )?
        .build()
        .await?;

    let dir = tempfile::tempdir()?;
    let env = vec![
        (
            "CALWATCH_DATA_DIR".to_string(),
            dir.path().join("data").display().to_string(),
        ),
        (
            "CALWATCH_RECEIVER_ADDR".to_string(),
            format!("127.0.0.1:{}", free_port()),
        ),
    ];
    let app = App::launch("appearance", &env).await?;
    app.find("view-title").await?;
    wait_dark(&app, true).await?;
    app.screenshot("dark").await?;

    // The person switches the desktop to light: the open window follows; and back.
    for (scheme_now, dark) in [(LIGHT, false), (DARK, true)] {
        switch_to(&bus, &scheme, scheme_now).await?;
        wait_dark(&app, dark).await?;
    }
    app.quit().await;
    Ok(())
}
