//! The tray on Linux: a StatusNotifierItem with its com.canonical.dbusmenu menu, served on
//! the session bus, as tray hosts read them (Plasma, the GNOME AppIndicator extension,
//! waybar, xfce4-panel…); so the long-lived process links neither GTK nor WebKit. What
//! the item shows is a [`TrayView`], whole; what its menu does goes back as a
//! [`MenuAction`].

use std::io::Cursor;
use std::sync::OnceLock;

use ksni::menu::{CheckmarkItem, MenuItem, StandardItem, SubMenu};
use ksni::TrayMethods as _;

use crate::tray::{MenuAction, MenuLabels, PauseFor, TrayLook, TrayView};

/// The item's `Id`: the same in every session, so hosts remember where people put it.
const ITEM_ID: &str = "calwatch";
/// The item's `Title`: the name people read.
const TITLE: &str = "CalWatch";

const ICON_WATCHING: &[u8] = include_bytes!("../../icons/tray.png");
const ICON_PAUSED: &[u8] = include_bytes!("../../icons/tray-paused.png");
const ICON_ATTENTION: &[u8] = include_bytes!("../../icons/tray-attention.png");

/// The tray item on the session bus.
pub struct SniTray {
    handle: ksni::Handle<Item>,
    /// The view the item shows. Held across the update, so that two `show`s land in the
    /// order they were made and the one shown last is the one remembered.
    shown: tokio::sync::Mutex<TrayView>,
}

impl SniTray {
    /// Puts the item on the session bus, showing `view`; each menu choice, and a left
    /// click on the icon ([`MenuAction::Open`]), is handed to `on_action`. Call it on the
    /// tokio runtime, which then serves the item.
    ///
    /// A session without a tray host (no StatusNotifierWatcher: a headless session, a
    /// desktop without a tray) still gets the item, which appears once a host starts.
    /// Fails, in a sentence, only without a session bus.
    ///
    /// `on_action` runs on the task serving D-Bus while that task holds the tray's lock: it
    /// must return at once and must not wait for [`SniTray::show`] (which takes the same
    /// lock). Hand the action to a task of its own; that task may then call `show`.
    pub async fn start(
        view: TrayView,
        on_action: impl Fn(MenuAction) + Send + Sync + 'static,
    ) -> Result<SniTray, String> {
        let item = Item {
            view: view.clone(),
            on_action: Box::new(on_action),
        };
        let handle = item
            // Without it, a missing watcher fails the start, and the icon would never
            // come back when a host starts later (a login session's panel starts late).
            .assume_sni_available(true)
            .spawn()
            .await
            .map_err(|err| format!("The tray icon could not be put on the session bus: {err}."))?;
        Ok(SniTray {
            handle,
            shown: tokio::sync::Mutex::new(view),
        })
    }

    /// Shows `view`, and returns once the hosts have been signalled. A view equal to the
    /// one shown makes no D-Bus traffic at all; a changed one sends only the signals of
    /// what changed.
    pub async fn show(&self, view: TrayView) {
        let mut shown = self.shown.lock().await;
        if *shown == view {
            return;
        }
        let next = view.clone();
        match self.handle.update(move |item| item.view = next).await {
            Some(()) => *shown = view,
            None => tracing::debug!("the tray item is gone: nothing to show"),
        }
    }

    /// Removes the item from the bus (quitting). Returns at once: the task serving the
    /// item closes its connection, and if the process exits first the bus drops the item
    /// all the same.
    pub fn shutdown(&self) {
        // Not awaited: the request is queued whether or not anyone waits for it.
        drop(self.handle.shutdown());
    }
}

impl Drop for SniTray {
    /// ksni keeps serving an item whose handles are all gone: without this, a dropped
    /// tray would leave its icon behind until the runtime ends.
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// What ksni serves: the view, and where menu choices go.
struct Item {
    view: TrayView,
    on_action: Box<dyn Fn(MenuAction) + Send + Sync>,
}

impl Item {
    /// A menu item that hands `action` on when clicked.
    fn action_item(label: &str, action: MenuAction, enabled: bool) -> MenuItem<Item> {
        StandardItem {
            label: menu_label(label),
            enabled,
            activate: Box::new(move |item: &mut Item| (item.on_action)(action)),
            ..Default::default()
        }
        .into()
    }
}

impl ksni::Tray for Item {
    fn id(&self) -> String {
        ITEM_ID.into()
    }

    fn title(&self) -> String {
        TITLE.into()
    }

    fn category(&self) -> ksni::Category {
        ksni::Category::ApplicationStatus
    }

    fn status(&self) -> ksni::Status {
        match self.view.look {
            TrayLook::Attention => ksni::Status::NeedsAttention,
            TrayLook::Watching | TrayLook::Paused => ksni::Status::Active,
        }
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        pixmap(self.view.look)
    }

    /// Hosts that draw `NeedsAttention` with the attention icon find the same picture as
    /// the icon itself shows then.
    fn attention_icon_pixmap(&self) -> Vec<ksni::Icon> {
        pixmap(TrayLook::Attention)
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            // The title, not the description: the description may carry markup, and the
            // tooltip is plain text (a calendar's name could hold a `<` or `&`). It starts
            // with "CalWatch —" already, so there is no separate heading.
            title: self.view.tooltip.clone(),
            ..Default::default()
        }
    }

    /// A left click opens the window, as people expect of a tray icon.
    fn activate(&mut self, _x: i32, _y: i32) {
        (self.on_action)(MenuAction::Open);
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        let view = &self.view;
        let MenuLabels {
            open,
            pause,
            pause_hour,
            pause_tomorrow,
            pause_until_resumed,
            resume,
            start_at_login,
            quit,
        } = &view.labels;
        vec![
            // It only informs: disabled, so a click on it does nothing.
            StandardItem {
                label: menu_label(&view.push_line),
                enabled: false,
                ..Default::default()
            }
            .into(),
            MenuItem::Separator,
            Self::action_item(open, MenuAction::Open, true),
            MenuItem::Separator,
            SubMenu {
                label: menu_label(pause),
                submenu: vec![
                    Self::action_item(pause_hour, MenuAction::Pause(PauseFor::Hour), true),
                    Self::action_item(
                        pause_tomorrow,
                        MenuAction::Pause(PauseFor::UntilTomorrow),
                        true,
                    ),
                    Self::action_item(
                        pause_until_resumed,
                        MenuAction::Pause(PauseFor::UntilResumed),
                        true,
                    ),
                ],
                ..Default::default()
            }
            .into(),
            Self::action_item(resume, MenuAction::Resume, view.paused),
            CheckmarkItem {
                label: menu_label(start_at_login),
                // The mark follows the view only: a click hands the toggle on, and the
                // app's next view, read from the truth, sets the mark.
                checked: view.start_at_login,
                activate: Box::new(|item: &mut Item| {
                    (item.on_action)(MenuAction::ToggleStartAtLogin);
                }),
                ..Default::default()
            }
            .into(),
            MenuItem::Separator,
            Self::action_item(quit, MenuAction::Quit, true),
        ]
    }

    fn watcher_online(&self) {
        tracing::info!("a tray host started: the tray icon is shown");
    }

    /// Keeps serving the item: a host may start later, and then the item registers again.
    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        tracing::info!(
            ?reason,
            "no tray host on the session bus: the tray icon appears when one starts"
        );
        true
    }
}

/// `text` as a dbusmenu label shows it: hosts read a single underscore as the mark of the
/// access key and hide it, a doubled one as an underscore.
fn menu_label(text: &str) -> String {
    text.replace('_', "__")
}

/// The picture of `look`, decoded once; none (after a warning) if its PNG is unreadable,
/// and hosts then draw the item without it.
fn pixmap(look: TrayLook) -> Vec<ksni::Icon> {
    static WATCHING: OnceLock<Option<ksni::Icon>> = OnceLock::new();
    static PAUSED: OnceLock<Option<ksni::Icon>> = OnceLock::new();
    static ATTENTION: OnceLock<Option<ksni::Icon>> = OnceLock::new();
    let (decoded, png) = match look {
        TrayLook::Watching => (&WATCHING, ICON_WATCHING),
        TrayLook::Paused => (&PAUSED, ICON_PAUSED),
        TrayLook::Attention => (&ATTENTION, ICON_ATTENTION),
    };
    decoded
        .get_or_init(|| {
            argb32(png)
                .map_err(|err| {
                    tracing::warn!(?look, error = %err, "a tray icon could not be decoded");
                })
                .ok()
        })
        .iter()
        .cloned()
        .collect()
}

/// A PNG as StatusNotifierItem wants its pixels: ARGB32 in network byte order (the bytes
/// A, R, G, B of each pixel), not premultiplied.
fn argb32(png_bytes: &[u8]) -> Result<ksni::Icon, String> {
    let mut decoder = png::Decoder::new(Cursor::new(png_bytes));
    // Palettes and bit depths below 8 expand, 16 bits strip to 8: what is left is 8-bit
    // RGBA, RGB, grey with alpha or grey.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|err| err.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or("the image is too large")?;
    let mut buffer = vec![0; size];
    let frame = reader
        .next_frame(&mut buffer)
        .map_err(|err| err.to_string())?;
    if frame.bit_depth != png::BitDepth::Eight {
        return Err(format!("{:?} bits per sample", frame.bit_depth));
    }
    let channels = frame.color_type.samples();
    let too_large = |_| "the image is too large".to_string();
    let width = usize::try_from(frame.width).map_err(too_large)?;
    let height = usize::try_from(frame.height).map_err(too_large)?;
    let row_bytes = width * channels;
    let mut data = Vec::with_capacity(width * height * 4);
    for row in buffer.chunks_exact(frame.line_size.max(1)).take(height) {
        let row = row
            .get(..row_bytes)
            .ok_or("a row is shorter than the image")?;
        for pixel in row.chunks_exact(channels) {
            let argb = match (frame.color_type, pixel) {
                (png::ColorType::Rgba, &[r, g, b, a]) => [a, r, g, b],
                (png::ColorType::Rgb, &[r, g, b]) => [u8::MAX, r, g, b],
                (png::ColorType::GrayscaleAlpha, &[y, a]) => [a, y, y, y],
                (png::ColorType::Grayscale, &[y]) => [u8::MAX, y, y, y],
                (color, _) => return Err(format!("{color:?} pixels")),
            };
            data.extend_from_slice(&argb);
        }
    }
    if data.len() != width * height * 4 {
        return Err("the image data is shorter than its size".into());
    }
    Ok(ksni::Icon {
        width: i32::try_from(frame.width).map_err(too_large)?,
        height: i32::try_from(frame.height).map_err(too_large)?,
        data,
    })
}

#[cfg(test)]
mod tests {
    //! Against a real session bus, with zbus as the host would be: run under
    //! tests/desktop-session.sh, which starts one (and no tray host, so these also show
    //! that the item is served without one).

    use super::*;
    use std::collections::HashMap;
    use std::sync::{Arc, Weak};
    use std::time::Duration;

    use futures_util::StreamExt as _;
    use tokio::sync::mpsc;
    use zbus::zvariant::{OwnedValue, Structure, Value};
    use zbus::Connection;

    /// An ARGB32 pixmap as it crosses the bus: width, height, bytes.
    type Pixmap = (i32, i32, Vec<u8>);

    #[zbus::proxy(
        interface = "org.kde.StatusNotifierItem",
        default_path = "/StatusNotifierItem"
    )]
    trait Sni {
        fn activate(&self, x: i32, y: i32) -> zbus::Result<()>;
        #[zbus(property)]
        fn id(&self) -> zbus::Result<String>;
        #[zbus(property)]
        fn title(&self) -> zbus::Result<String>;
        #[zbus(property)]
        fn category(&self) -> zbus::Result<String>;
        #[zbus(property)]
        fn status(&self) -> zbus::Result<String>;
        #[zbus(property)]
        fn tool_tip(&self) -> zbus::Result<(String, Vec<Pixmap>, String, String)>;
        #[zbus(property)]
        fn icon_pixmap(&self) -> zbus::Result<Vec<Pixmap>>;
    }

    #[zbus::proxy(interface = "com.canonical.dbusmenu", default_path = "/MenuBar")]
    trait DbusMenu {
        fn get_layout(
            &self,
            parent_id: i32,
            recursion_depth: i32,
            property_names: &[&str],
        ) -> zbus::Result<(u32, RawLayout)>;
        fn event(
            &self,
            id: i32,
            event_id: &str,
            data: &Value<'_>,
            timestamp: u32,
        ) -> zbus::Result<()>;
    }

    /// GetLayout's answer: `(ia{sv}av)`, the children as variants of the same.
    #[derive(Debug, serde::Deserialize, zbus::zvariant::Type)]
    struct RawLayout(i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

    /// A menu item and its children, as a host reads them.
    #[derive(Debug)]
    struct Node {
        id: i32,
        props: HashMap<String, OwnedValue>,
        children: Vec<Node>,
    }

    impl Node {
        fn from_raw(raw: RawLayout) -> Node {
            let RawLayout(id, props, children) = raw;
            Node {
                id,
                props,
                children: children.into_iter().map(Node::from_child).collect(),
            }
        }

        fn from_child(child: OwnedValue) -> Node {
            let value: Value<'static> = child.into();
            let value = match value {
                Value::Value(inner) => *inner,
                other => other,
            };
            let mut fields = Structure::try_from(value)
                .expect("a menu item is a structure")
                .into_fields()
                .into_iter();
            let mut next = || fields.next().expect("a menu item has three fields");
            let id = i32::try_from(next()).expect("an item id");
            let props = HashMap::<String, OwnedValue>::try_from(next()).expect("item properties");
            let children = Vec::<OwnedValue>::try_from(next()).expect("item children");
            Node::from_raw(RawLayout(id, props, children))
        }

        fn text(&self, key: &str) -> Option<String> {
            self.props
                .get(key)
                .and_then(|v| String::try_from(v.clone()).ok())
        }

        /// The item as a person sees it: "---" for a separator, "(label)" when disabled,
        /// "[x] label"/"[ ] label" for a check mark, "label > [...]" for a submenu.
        fn seen(&self) -> String {
            if self.text("type").as_deref() == Some("separator") {
                return "---".into();
            }
            let label = self.text("label").unwrap_or_default();
            let enabled = self
                .props
                .get("enabled")
                .is_none_or(|v| bool::try_from(v).expect("enabled is a boolean"));
            let mut seen = if enabled { label } else { format!("({label})") };
            if self.text("toggle-type").as_deref() == Some("checkmark") {
                let state = self
                    .props
                    .get("toggle-state")
                    .map(|v| i32::try_from(v).expect("toggle-state is a number"));
                let mark = if state == Some(1) { "[x]" } else { "[ ]" };
                seen = format!("{mark} {seen}");
            }
            if !self.children.is_empty() {
                let children: Vec<String> = self.children.iter().map(Node::seen).collect();
                seen = format!("{seen} > [{}]", children.join(", "));
            }
            seen
        }

        /// The id of the item labelled `label`, at any depth.
        fn id_of(&self, label: &str) -> i32 {
            self.find(label)
                .unwrap_or_else(|| panic!("no menu item {label:?} in {self:#?}"))
        }

        fn find(&self, label: &str) -> Option<i32> {
            if self.text("label").as_deref() == Some(label) {
                return Some(self.id);
            }
            self.children.iter().find_map(|child| child.find(label))
        }
    }

    fn english() -> MenuLabels {
        MenuLabels {
            open: "Open CalWatch".into(),
            pause: "Pause notifications".into(),
            pause_hour: "For 1 hour".into(),
            pause_tomorrow: "Until tomorrow".into(),
            pause_until_resumed: "Until I resume".into(),
            resume: "Resume notifications".into(),
            start_at_login: "Start at login".into(),
            quit: "Quit".into(),
        }
    }

    fn korean() -> MenuLabels {
        MenuLabels {
            open: "CalWatch 열기".into(),
            pause: "알림 일시 중지".into(),
            pause_hour: "1시간 동안".into(),
            pause_tomorrow: "내일까지".into(),
            pause_until_resumed: "다시 켤 때까지".into(),
            resume: "알림 다시 켜기".into(),
            start_at_login: "로그인 시 시작".into(),
            quit: "종료".into(),
        }
    }

    /// A watching tray whose tooltip names the test, so each test finds its own item
    /// among the others of this process.
    fn watching(test: &str) -> TrayView {
        TrayView {
            look: TrayLook::Watching,
            tooltip: format!("CalWatch — 3 calendars watched · next renewal in 5 d ({test})"),
            push_line: "Push works".into(),
            paused: false,
            start_at_login: true,
            labels: english(),
        }
    }

    /// The same tray paused, needing attention, in Korean.
    fn attention_in_korean(test: &str) -> TrayView {
        TrayView {
            look: TrayLook::Attention,
            tooltip: format!("CalWatch — 캘린더 3개 지켜보는 중 · 알림 일시 중지됨 ({test})"),
            push_line: "푸시 중단: 공개 주소가 응답하지 않습니다".into(),
            paused: true,
            start_at_login: false,
            labels: korean(),
        }
    }

    /// Whether a session bus is there; the tests skip, saying so, when it is not.
    fn have_session_bus() -> bool {
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
            return true;
        }
        println!("skipped: no session bus (run under tests/desktop-session.sh)");
        false
    }

    /// A started tray, the host's view of it, and the actions it handed on.
    struct Hosted {
        tray: Arc<SniTray>,
        bus: Connection,
        name: String,
        item: SniProxy<'static>,
        menu: DbusMenuProxy<'static>,
        actions: mpsc::UnboundedReceiver<MenuAction>,
    }

    impl Hosted {
        async fn start(view: TrayView) -> Hosted {
            Hosted::reacting(view, None).await
        }

        /// With `reaction`, each action also shows that view, as the app does: from a task
        /// spawned by `on_action`, while the click may still hold the tray.
        async fn reacting(view: TrayView, reaction: Option<TrayView>) -> Hosted {
            let (sender, actions) = mpsc::unbounded_channel();
            let tooltip = view.tooltip.clone();
            let started: Arc<OnceLock<Weak<SniTray>>> = Arc::default();
            let acting = Arc::clone(&started);
            let tray = SniTray::start(view, move |action| {
                let _ = sender.send(action);
                let tray = acting.get().and_then(Weak::upgrade);
                if let (Some(tray), Some(view)) = (tray, reaction.clone()) {
                    tokio::spawn(async move { tray.show(view).await });
                }
            })
            .await
            .expect("the tray starts on the session bus");
            let tray = Arc::new(tray);
            started.set(Arc::downgrade(&tray)).unwrap();
            let bus = Connection::session().await.expect("the session bus");
            let name = item_name(&bus, &tooltip).await;
            let item = SniProxy::builder(&bus)
                .destination(name.clone())
                .expect("a bus name")
                .cache_properties(zbus::proxy::CacheProperties::No)
                .build()
                .await
                .expect("the item's proxy");
            let menu = DbusMenuProxy::builder(&bus)
                .destination(name.clone())
                .expect("a bus name")
                .cache_properties(zbus::proxy::CacheProperties::No)
                .build()
                .await
                .expect("the menu's proxy");
            Hosted {
                tray,
                bus,
                name,
                item,
                menu,
                actions,
            }
        }

        async fn layout(&self) -> Node {
            let (_revision, root) = self
                .menu
                .get_layout(0, -1, &[])
                .await
                .expect("GetLayout answers");
            Node::from_raw(root)
        }

        async fn seen(&self) -> Vec<String> {
            self.layout()
                .await
                .children
                .iter()
                .map(Node::seen)
                .collect()
        }

        async fn tooltip(&self) -> String {
            let (_icon, _pixmaps, title, description) =
                self.item.tool_tip().await.expect("the ToolTip property");
            format!("{title}{description}")
        }

        async fn click(&self, label: &str) {
            let id = self.layout().await.id_of(label);
            self.menu
                .event(id, "clicked", &Value::from(0i32), 0)
                .await
                .unwrap_or_else(|err| panic!("clicking {label:?}: {err}"));
        }

        async fn next_action(&mut self) -> MenuAction {
            tokio::time::timeout(Duration::from_secs(5), self.actions.recv())
                .await
                .expect("an action within 5 s")
                .expect("the tray still holds the sender")
        }
    }

    /// The well-known name of this process's item whose tooltip contains `tooltip`: ksni
    /// names each item `org.kde.StatusNotifierItem-<pid>-<n>`, and the tests running side
    /// by side each have one.
    async fn item_name(bus: &Connection, tooltip: &str) -> String {
        let prefix = format!("org.kde.StatusNotifierItem-{}-", std::process::id());
        let names = zbus::fdo::DBusProxy::new(bus)
            .await
            .expect("the bus's proxy")
            .list_names()
            .await
            .expect("ListNames answers");
        for name in names.iter().filter(|n| n.starts_with(&prefix)) {
            let item = SniProxy::builder(bus)
                .destination(name.to_string())
                .expect("a bus name")
                .cache_properties(zbus::proxy::CacheProperties::No)
                .build()
                .await
                .expect("the item's proxy");
            // An item of another test may be shutting down meanwhile: not ours.
            if let Ok((_, _, title, description)) = item.tool_tip().await {
                if title.contains(tooltip) || description.contains(tooltip) {
                    return name.to_string();
                }
            }
        }
        panic!("no {prefix}* item shows {tooltip:?} among {names:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_item_shows_its_tooltip_status_icon_and_menu() {
        if !have_session_bus() {
            return;
        }
        let view = watching("shows");
        let hosted = Hosted::start(view.clone()).await;

        assert_eq!(hosted.item.id().await.unwrap(), "calwatch");
        assert_eq!(hosted.item.title().await.unwrap(), "CalWatch");
        assert_eq!(hosted.item.category().await.unwrap(), "ApplicationStatus");
        assert_eq!(hosted.item.status().await.unwrap(), "Active");
        assert!(
            hosted.tooltip().await.contains(&view.tooltip),
            "tooltip: {:?}",
            hosted.tooltip().await
        );
        let pixmaps = hosted.item.icon_pixmap().await.unwrap();
        let expected = argb32(ICON_WATCHING).unwrap();
        assert_eq!(
            pixmaps,
            vec![(expected.width, expected.height, expected.data)],
            "the watching icon, as ARGB32"
        );

        assert_eq!(
            hosted.seen().await,
            [
                "(Push works)",
                "---",
                "Open CalWatch",
                "---",
                "Pause notifications > [For 1 hour, Until tomorrow, Until I resume]",
                "(Resume notifications)",
                "[x] Start at login",
                "---",
                "Quit",
            ]
        );
        hosted.tray.shutdown();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn menu_clicks_and_a_left_click_reach_on_action() {
        if !have_session_bus() {
            return;
        }
        let mut hosted = Hosted::start(watching("clicks")).await;

        hosted.click("Quit").await;
        assert_eq!(hosted.next_action().await, MenuAction::Quit);
        hosted.click("Until tomorrow").await;
        assert_eq!(
            hosted.next_action().await,
            MenuAction::Pause(PauseFor::UntilTomorrow)
        );
        hosted.click("For 1 hour").await;
        assert_eq!(
            hosted.next_action().await,
            MenuAction::Pause(PauseFor::Hour)
        );
        hosted.click("Start at login").await;
        assert_eq!(hosted.next_action().await, MenuAction::ToggleStartAtLogin);
        hosted.item.activate(0, 0).await.expect("Activate answers");
        assert_eq!(hosted.next_action().await, MenuAction::Open);

        // The mark stays as the view has it until the app shows the new truth.
        assert!(
            hosted
                .seen()
                .await
                .contains(&"[x] Start at login".to_string()),
            "{:?}",
            hosted.seen().await
        );
        assert!(
            hosted.actions.try_recv().is_err(),
            "one action per click, no more"
        );
        hosted.tray.shutdown();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn show_changes_what_the_host_reads() {
        if !have_session_bus() {
            return;
        }
        let mut hosted = Hosted::start(watching("changes")).await;
        let changed = attention_in_korean("changes");

        hosted.tray.show(changed.clone()).await;

        assert_eq!(hosted.item.status().await.unwrap(), "NeedsAttention");
        assert!(
            hosted.tooltip().await.contains(&changed.tooltip),
            "tooltip: {:?}",
            hosted.tooltip().await
        );
        let pixmaps = hosted.item.icon_pixmap().await.unwrap();
        let expected = argb32(ICON_ATTENTION).unwrap();
        assert_eq!(
            pixmaps,
            vec![(expected.width, expected.height, expected.data)],
            "the attention icon"
        );
        assert_eq!(
            hosted.seen().await,
            [
                "(푸시 중단: 공개 주소가 응답하지 않습니다)",
                "---",
                "CalWatch 열기",
                "---",
                "알림 일시 중지 > [1시간 동안, 내일까지, 다시 켤 때까지]",
                "알림 다시 켜기",
                "[ ] 로그인 시 시작",
                "---",
                "종료",
            ]
        );

        // The new labels act: "Resume", enabled now, hands on Resume.
        hosted.click("알림 다시 켜기").await;
        assert_eq!(hosted.next_action().await, MenuAction::Resume);

        // And back: the watching icon and English again.
        hosted.tray.show(watching("changes")).await;
        assert_eq!(hosted.item.status().await.unwrap(), "Active");
        assert_eq!(hosted.seen().await[5], "(Resume notifications)");
        hosted.tray.shutdown();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_action_that_shows_a_view_at_once_does_not_deadlock() {
        if !have_session_bus() {
            return;
        }
        let paused = attention_in_korean("reacts");
        let mut hosted = Hosted::reacting(watching("reacts"), Some(paused)).await;

        hosted.click("Until I resume").await;
        assert_eq!(
            hosted.next_action().await,
            MenuAction::Pause(PauseFor::UntilResumed)
        );
        let shown = async {
            while hosted.item.status().await.unwrap() != "NeedsAttention" {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), shown)
            .await
            .expect("the view shown by the action within 5 s");
        assert_eq!(hosted.seen().await[5], "알림 다시 켜기", "Resume, enabled");

        // A left click too.
        hosted.item.activate(0, 0).await.expect("Activate answers");
        assert_eq!(hosted.next_action().await, MenuAction::Open);
        hosted.tray.shutdown();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_view_shown_again_sends_nothing() {
        if !have_session_bus() {
            return;
        }
        let hosted = Hosted::start(watching("again")).await;
        let owner = zbus::fdo::DBusProxy::new(&hosted.bus)
            .await
            .unwrap()
            .get_name_owner(hosted.name.as_str().try_into().unwrap())
            .await
            .expect("the item's name has an owner");
        let rule = zbus::MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .sender(owner.to_string())
            .unwrap()
            .build();
        let mut signals = zbus::MessageStream::for_match_rule(rule, &hosted.bus, None)
            .await
            .expect("a match rule on the item's signals");

        hosted.tray.show(watching("again")).await;
        let quiet = tokio::time::timeout(Duration::from_millis(500), signals.next()).await;
        assert!(quiet.is_err(), "a signal for an unchanged view: {quiet:?}");

        // The stream does see the item's signals: a changed tooltip sends NewToolTip.
        let mut changed = watching("again");
        changed.tooltip.push_str(" · next renewal in 4 d");
        hosted.tray.show(changed).await;
        let signal = tokio::time::timeout(Duration::from_secs(5), signals.next())
            .await
            .expect("a signal for a changed view")
            .expect("the stream goes on")
            .expect("a message");
        assert_eq!(
            signal.header().member().map(|m| m.to_string()).as_deref(),
            Some("NewToolTip")
        );
        hosted.tray.shutdown();
    }

    /// A tray host's StatusNotifierWatcher: it only notes the items that register.
    struct Watcher {
        registered: mpsc::UnboundedSender<String>,
    }

    #[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
    impl Watcher {
        fn register_status_notifier_item(&self, service: String) {
            let _ = self.registered.send(service);
        }

        fn register_status_notifier_host(&self, _service: String) {}

        #[zbus(property)]
        fn is_status_notifier_host_registered(&self) -> bool {
            true
        }

        #[zbus(property)]
        fn protocol_version(&self) -> i32 {
            0
        }

        #[zbus(property)]
        fn registered_status_notifier_items(&self) -> Vec<String> {
            Vec::new()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_tray_host_starting_later_is_told_of_the_item() {
        if !have_session_bus() {
            return;
        }
        // The session has no watcher yet: the item starts all the same.
        let hosted = Hosted::start(watching("later")).await;

        let (registered, mut registrations) = mpsc::unbounded_channel();
        let _watcher = zbus::connection::Builder::session()
            .unwrap()
            .name("org.kde.StatusNotifierWatcher")
            .unwrap()
            .serve_at("/StatusNotifierWatcher", Watcher { registered })
            .unwrap()
            .build()
            .await
            .expect("the watcher on the bus");
        let ours = async {
            // Items of the other tests may register too.
            while let Some(service) = registrations.recv().await {
                if service == hosted.name {
                    return;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(5), ours)
            .await
            .expect("the item registers with the new watcher within 5 s");
        hosted.tray.shutdown();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shutdown_takes_the_item_off_the_bus() {
        if !have_session_bus() {
            return;
        }
        let hosted = Hosted::start(watching("shutdown")).await;
        let dbus = zbus::fdo::DBusProxy::new(&hosted.bus).await.unwrap();
        hosted.tray.shutdown();
        let gone = async {
            loop {
                let names = dbus.list_names().await.expect("ListNames answers");
                if !names.iter().any(|n| n.as_str() == hosted.name) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), gone)
            .await
            .expect("the item's name is released");
    }

    /// The pixels of `png_bytes` as RGBA, read with png's own expansion.
    fn rgba(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut decoder = png::Decoder::new(Cursor::new(png_bytes));
        decoder.set_transformations(png::Transformations::ALPHA);
        let mut reader = decoder.read_info().unwrap();
        let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buffer).unwrap();
        assert_eq!(frame.color_type, png::ColorType::Rgba);
        buffer.truncate(frame.buffer_size());
        (frame.width, frame.height, buffer)
    }

    /// A PNG of `width`×1 pixels of `color` and `depth`, from its raw samples.
    fn encode(width: u32, color: png::ColorType, depth: png::BitDepth, samples: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, 1);
        encoder.set_color(color);
        encoder.set_depth(depth);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(samples).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn each_look_has_its_icon_in_argb() {
        for (look, png_bytes) in [
            (TrayLook::Watching, ICON_WATCHING),
            (TrayLook::Paused, ICON_PAUSED),
            (TrayLook::Attention, ICON_ATTENTION),
        ] {
            let icons = pixmap(look);
            assert_eq!(icons.len(), 1, "{look:?}");
            let icon = &icons[0];
            let (width, height, rgba) = rgba(png_bytes);
            assert_eq!((icon.width, icon.height), (width as i32, height as i32));
            let argb: Vec<u8> = rgba
                .chunks_exact(4)
                .flat_map(|p| [p[3], p[0], p[1], p[2]])
                .collect();
            assert!(icon.data == argb, "{look:?}: the pixels, A first");
            assert!(
                icon.data.chunks_exact(4).any(|p| p[0] == 0)
                    && icon.data.chunks_exact(4).any(|p| p[0] == u8::MAX),
                "{look:?}: a picture with transparent and opaque pixels"
            );
        }
        assert!(
            pixmap(TrayLook::Watching)[0].data != pixmap(TrayLook::Attention)[0].data,
            "the looks differ"
        );
    }

    #[test]
    fn rgb_grey_and_16_bit_pngs_become_argb() {
        let rgb = encode(
            2,
            png::ColorType::Rgb,
            png::BitDepth::Eight,
            &[10, 20, 30, 40, 50, 60],
        );
        let icon = argb32(&rgb).unwrap();
        assert_eq!((icon.width, icon.height), (2, 1));
        assert_eq!(icon.data, [255, 10, 20, 30, 255, 40, 50, 60], "opaque");

        let grey = encode(
            1,
            png::ColorType::GrayscaleAlpha,
            png::BitDepth::Eight,
            &[90, 128],
        );
        assert_eq!(argb32(&grey).unwrap().data, [128, 90, 90, 90]);

        let deep = encode(
            1,
            png::ColorType::Rgba,
            png::BitDepth::Sixteen,
            &[0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0],
        );
        assert_eq!(argb32(&deep).unwrap().data, [0xde, 0x12, 0x56, 0x9a]);
    }

    #[test]
    fn a_broken_png_is_an_error_not_a_panic() {
        assert!(argb32(b"not a png").is_err());
        assert!(argb32(&ICON_WATCHING[..ICON_WATCHING.len() / 2]).is_err());
        assert!(argb32(&[]).is_err());
    }

    #[test]
    fn underscores_show_as_written() {
        assert_eq!(menu_label("push_host: down"), "push__host: down");
        assert_eq!(menu_label("Quit"), "Quit");
    }
}
