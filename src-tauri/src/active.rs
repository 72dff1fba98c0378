//! The engine the window talks to right now: the real one, or the sandbox's while the
//! person tries the app without an account. Swapping engines lives here so the commands
//! never care which one they hold.

use std::sync::{Arc, RwLock};

use calwatch_core::auth::Opener;
use calwatch_core::config::Config;
use calwatch_core::engine::{Engine, EngineDeps};
use calwatch_core::notice::Notifier;
use calwatch_core::secrets::{MemoryTokenStore, TokenStore};
use tokio::task::JoinHandle;

use crate::desktop::Desktop;
use crate::sandbox::Sandbox;
use crate::tunnel::Tunnels;
use crate::views::{AppStateView, UiError};

/// Starts forwarding an engine's broadcasts (to the window and the tray); the task is
/// aborted when that engine is swapped out.
pub type Forwarder = Box<dyn Fn(Engine) -> JoinHandle<()> + Send + Sync>;

/// Loads the real configuration again (settings may have changed on disk meanwhile).
pub type ConfigLoader = Box<dyn Fn() -> Result<Config, String> + Send + Sync>;

/// What the shell needs to start an engine, and what it hands every engine.
pub struct Wiring {
    /// The real configuration (env + settings.json).
    pub load_config: ConfigLoader,
    /// Toasts; shared by the real and the sandbox engine.
    pub notifier: Arc<dyn Notifier>,
    /// The OS keyring for the real engine (the sandbox keeps its tokens in memory).
    pub token_store: Arc<dyn TokenStore>,
    /// File picker, browser, login item.
    pub desktop: Arc<dyn Desktop>,
    /// See [`Forwarder`].
    pub forward: Forwarder,
}

/// Tauri-managed state: the current engine and, in sandbox mode, the sandbox.
pub struct ActiveEngine {
    /// Read by every command; written only by the sandbox switch.
    current: RwLock<Current>,
    /// One switch at a time (two quick clicks on "Try it" must not start two sandboxes).
    switching: tokio::sync::Mutex<()>,
    /// How engines are made and wired.
    wiring: Wiring,
    /// The tunnel CalWatch started for a public address; it outlives engine swaps.
    tunnels: Tunnels,
}

/// The engine in use and what belongs to it.
struct Current {
    /// The engine commands call.
    engine: Engine,
    /// Set while in sandbox mode; dropping it stops fake-google.
    sandbox: Option<Arc<Sandbox>>,
    /// The task forwarding this engine's events.
    forwarder: JoinHandle<()>,
}

impl ActiveEngine {
    /// Starts the real engine and its event forwarding.
    pub async fn start(wiring: Wiring) -> anyhow::Result<ActiveEngine> {
        let config = (wiring.load_config)().map_err(anyhow::Error::msg)?;
        let tunnels = Tunnels::remembered_in(&config.data_dir);
        let engine = Engine::start(config, wiring.engine_deps(false)).await?;
        let forwarder = (wiring.forward)(engine.clone());
        Ok(ActiveEngine {
            current: RwLock::new(Current {
                engine,
                sandbox: None,
                forwarder,
            }),
            switching: tokio::sync::Mutex::new(()),
            wiring,
            tunnels,
        })
    }

    /// The engine in use (a cheap clone; hold it across awaits, not the lock).
    pub fn engine(&self) -> Engine {
        self.read(|c| c.engine.clone())
    }

    /// The sandbox, while in sandbox mode.
    pub fn sandbox(&self) -> Option<Arc<Sandbox>> {
        self.read(|c| c.sandbox.clone())
    }

    /// The desktop services.
    pub fn desktop(&self) -> &Arc<dyn Desktop> {
        &self.wiring.desktop
    }

    /// The window's view of everything, now.
    pub fn app_state(&self) -> AppStateView {
        let (engine, sandbox) = self.read(|c| (c.engine.clone(), c.sandbox.is_some()));
        AppStateView::new(
            engine.snapshot(),
            sandbox,
            self.wiring.desktop.start_at_login(),
        )
        .with_tunnel(self.tunnels.status())
    }

    /// The tunnel CalWatch started, if any.
    pub fn tunnels(&self) -> &Tunnels {
        &self.tunnels
    }

    /// How sign-in opens its page: the system browser, or in sandbox mode the sandbox
    /// playing one.
    pub fn opener(&self) -> Arc<Opener> {
        if self.sandbox().is_some() {
            return Sandbox::browser();
        }
        let desktop = Arc::clone(&self.wiring.desktop);
        Arc::new(move |url: &str| desktop.open_url(url))
    }

    /// Leaves the real engine for a fresh sandbox, signed in and with its callback set.
    pub async fn start_sandbox(&self) -> Result<(), UiError> {
        let _one_switch = self.switching.lock().await;
        if self.sandbox().is_some() {
            return Ok(());
        }
        let real = (self.wiring.load_config)().map_err(|e| UiError::new("sandbox", e))?;
        let sandbox = Arc::new(Sandbox::start(&real.data_dir).await?);
        let config = sandbox.config(&real)?;

        self.engine().shutdown().await;
        let engine = match Engine::start(config, self.wiring.engine_deps(true)).await {
            Ok(engine) => engine,
            Err(err) => {
                tracing::warn!(error = %err, "the sandbox engine did not start; back to the real one");
                self.restart_real(real).await?;
                let reason = err.message();
                return Err(UiError::new(
                    "sandbox",
                    calwatch_core::locale::current()
                        .text("shell-sandbox-cannot-start", &[("reason", reason.into())]),
                ));
            }
        };
        self.replace(engine.clone(), Some(Arc::clone(&sandbox)));
        tracing::info!(fake_google = %sandbox.base_url(), "sandbox started");

        engine
            .import_client_secret(sandbox.client_secret_path())
            .await?;
        engine.set_callback_url(sandbox.callback_url()).await?;
        engine.sign_in(Sandbox::browser()).await?;
        Ok(())
    }

    /// Leaves the sandbox and returns to the real engine.
    pub async fn stop_sandbox(&self) -> Result<(), UiError> {
        let _one_switch = self.switching.lock().await;
        let Some(sandbox) = self.sandbox() else {
            return Ok(());
        };
        self.engine().shutdown().await;
        sandbox.remove_data().await;
        let real = (self.wiring.load_config)().map_err(|e| UiError::new("internal", e))?;
        self.restart_real(real).await?;
        tracing::info!("sandbox stopped");
        Ok(())
    }

    /// Stops the engine in use and the tunnel (quitting).
    pub async fn shutdown(&self) {
        self.tunnels.kill_now();
        let engine = self.read(|c| {
            c.forwarder.abort();
            c.engine.clone()
        });
        engine.shutdown().await;
    }

    async fn restart_real(&self, config: Config) -> Result<(), UiError> {
        let engine = Engine::start(config, self.wiring.engine_deps(false)).await?;
        self.replace(engine, None);
        Ok(())
    }

    fn replace(&self, engine: Engine, sandbox: Option<Arc<Sandbox>>) {
        {
            let mut current = self.write();
            current.forwarder.abort();
            current.engine = engine.clone();
            current.sandbox = sandbox;
        }
        // Started after the swap, so its first publish already reads the new engine and
        // the new sandbox flag.
        let forwarder = (self.wiring.forward)(engine);
        self.write().forwarder = forwarder;
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Current> {
        self.current.write().unwrap_or_else(|p| p.into_inner())
    }

    fn read<T>(&self, f: impl FnOnce(&Current) -> T) -> T {
        // A panic while holding the lock leaves a consistent value (assignments only).
        f(&self.current.read().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Wiring {
    fn engine_deps(&self, sandbox: bool) -> EngineDeps {
        let token_store: Arc<dyn TokenStore> = if sandbox {
            // The sandbox's tokens are worthless and must not clutter the person's keyring.
            Arc::new(MemoryTokenStore::new())
        } else {
            Arc::clone(&self.token_store)
        };
        EngineDeps {
            token_store,
            notifier: Arc::clone(&self.notifier),
        }
    }
}
