//! Start at login on Linux: an XDG autostart entry that starts the installed binary in the
//! tray. Written here rather than by the autostart plugin, which ignores `$XDG_CONFIG_HOME`,
//! leaves the path unquoted and would name an AppImage's temporary mount.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::cli::BACKGROUND_ARG;

/// The entry's file name; 0.1.0 (through the plugin) used the same, so an upgrade keeps
/// an entry it made.
const ENTRY_NAME: &str = "CalWatch.desktop";

/// The autostart entry of this user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginItem {
    /// `<config dir>/autostart/CalWatch.desktop`.
    file: PathBuf,
    /// The binary the entry starts.
    exe: PathBuf,
}

impl LoginItem {
    /// The entry for the running binary, from the process's environment.
    pub fn for_this_process() -> Result<LoginItem, String> {
        let exe = std::env::current_exe()
            .map_err(|e| format!("CalWatch could not find its own program file: {e}"))?;
        LoginItem::from_env(|key| std::env::var_os(key), exe)
    }

    /// The entry for `current_exe` under the config dir `env` names. An AppImage runs from
    /// a mount that is gone after it quits: its entry names `$APPIMAGE`, the file itself.
    pub fn from_env(
        env: impl Fn(&str) -> Option<OsString>,
        current_exe: PathBuf,
    ) -> Result<LoginItem, String> {
        let set = |key: &str| env(key).filter(|v| !v.is_empty()).map(PathBuf::from);
        // The spec says a relative $XDG_CONFIG_HOME is invalid and is ignored.
        let config = set("XDG_CONFIG_HOME")
            .filter(|dir| dir.is_absolute())
            .or_else(|| set("HOME").map(|home| home.join(".config")))
            .ok_or_else(|| {
                calwatch_core::locale::current().text("shell-login-item-no-home", &[])
            })?;
        let exe = set("APPIMAGE").unwrap_or(current_exe);
        Ok(LoginItem {
            file: config.join("autostart").join(ENTRY_NAME),
            exe,
        })
    }

    /// Where the entry lives.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Whether the entry exists.
    pub fn is_enabled(&self) -> bool {
        self.file.is_file()
    }

    /// Writes the entry (again: a moved binary gets an entry naming its new place).
    pub fn enable(&self) -> Result<(), String> {
        let dir = self.file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&self.file, self.entry()))
            .map_err(|e| self.failed("shell-login-item-not-written", &e))
    }

    /// Removes the entry; one that is already gone is fine.
    pub fn disable(&self) -> Result<(), String> {
        match std::fs::remove_file(&self.file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(self.failed("shell-login-item-not-removed", &e))
            }
            _ => Ok(()),
        }
    }

    /// The sentence for a failure to write or remove the entry, in the person's language
    /// (the OS's reason stays as the OS says it).
    fn failed(&self, id: &str, err: &std::io::Error) -> String {
        let file = self.file.display().to_string();
        calwatch_core::locale::current().text(
            id,
            &[("file", file.into()), ("reason", err.to_string().into())],
        )
    }

    /// The entry's text.
    pub fn entry(&self) -> String {
        format!(
            "[Desktop Entry]\n\
             Type=Application\n\
             Name=CalWatch\n\
             Comment=Starts CalWatch in the tray\n\
             Exec={} {BACKGROUND_ARG}\n\
             Icon=calwatch\n\
             Terminal=false\n\
             StartupNotify=false\n\
             X-GNOME-Autostart-enabled=true\n",
            exec_arg(&self.exe)
        )
    }
}

/// `path` as one argument of a desktop entry's `Exec` key: quoted when it holds anything
/// but plain path characters, with the escapes the Desktop Entry spec asks for (once for
/// the quoting, once more for the string value), and `%` doubled (field codes).
fn exec_arg(path: &Path) -> String {
    let text = path.to_string_lossy();
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,@".contains(c);
    if text.chars().all(plain) {
        return text.into_owned();
    }
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            // `\` before `"`, `` ` ``, `$`, `\` inside quotes, then `\` doubled as a string.
            '"' | '`' | '$' => quoted.push_str("\\\\"),
            '\\' => quoted.push_str("\\\\\\"),
            '%' => quoted.push('%'),
            _ => {}
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn a_failure_names_the_file_and_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the autostart folder should be: the entry cannot be written.
        std::fs::write(dir.path().join("autostart"), "").unwrap();
        let config = dir.path().to_string_lossy().to_string();
        let item = LoginItem::from_env(
            env(&[("XDG_CONFIG_HOME", &config)]),
            PathBuf::from("/usr/bin/calwatch"),
        )
        .unwrap();
        let err = item.enable().expect_err("autostart is a file");
        assert!(
            err.starts_with("Start at login could not be turned on: ")
                && err.contains(&item.file().display().to_string()),
            "{err}"
        );
        let no_home = LoginItem::from_env(env(&[]), PathBuf::from("/usr/bin/calwatch"))
            .expect_err("nowhere to write");
        assert!(no_home.contains("$HOME"), "{no_home}");
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        move |key| map.get(key).cloned()
    }

    #[test]
    fn the_entry_goes_under_xdg_config_home_and_starts_this_binary_in_the_tray() {
        let item = LoginItem::from_env(
            env(&[("XDG_CONFIG_HOME", "/home/ann/.cfg"), ("HOME", "/home/ann")]),
            PathBuf::from("/usr/bin/calwatch"),
        )
        .unwrap();
        assert_eq!(
            item.file(),
            Path::new("/home/ann/.cfg/autostart/CalWatch.desktop"),
            "$XDG_CONFIG_HOME wins over $HOME/.config"
        );
        assert!(
            item.entry()
                .lines()
                .any(|l| l == "Exec=/usr/bin/calwatch --background"),
            "the entry starts the running binary in the tray: {}",
            item.entry()
        );
    }

    #[test]
    fn without_xdg_config_home_the_entry_goes_under_home() {
        for config_home in [None, Some(""), Some("relative/dir")] {
            let mut pairs = vec![("HOME", "/home/ann")];
            pairs.extend(config_home.map(|c| ("XDG_CONFIG_HOME", c)));
            let item =
                LoginItem::from_env(env(&pairs), PathBuf::from("/usr/bin/calwatch")).unwrap();
            assert_eq!(
                item.file(),
                Path::new("/home/ann/.config/autostart/CalWatch.desktop"),
                "XDG_CONFIG_HOME = {config_home:?} is not usable"
            );
        }
        assert!(
            LoginItem::from_env(env(&[]), PathBuf::from("/usr/bin/calwatch"))
                .unwrap_err()
                .contains("$HOME"),
            "no home at all is explained"
        );
    }

    #[test]
    fn an_appimage_starts_from_its_file_not_its_temporary_mount() {
        let item = LoginItem::from_env(
            env(&[
                ("HOME", "/home/ann"),
                ("APPIMAGE", "/home/ann/Apps/CalWatch.AppImage"),
            ]),
            PathBuf::from("/tmp/.mount_CalWatXYZ/usr/bin/calwatch"),
        )
        .unwrap();
        assert!(
            item.entry()
                .contains("Exec=/home/ann/Apps/CalWatch.AppImage --background\n"),
            "{}",
            item.entry()
        );
    }

    #[test]
    fn a_path_with_spaces_or_special_characters_stays_one_argument() {
        assert_eq!(
            exec_arg(Path::new("/opt/Cal Watch/calwatch")),
            "\"/opt/Cal Watch/calwatch\""
        );
        assert_eq!(
            exec_arg(Path::new("/opt/a$b\"c%d/calwatch")),
            "\"/opt/a\\\\$b\\\\\"c%%d/calwatch\""
        );
    }

    #[test]
    fn turning_it_on_and_off_writes_and_removes_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let item = LoginItem::from_env(
            env(&[("XDG_CONFIG_HOME", config.to_str().unwrap())]),
            PathBuf::from("/usr/bin/calwatch"),
        )
        .unwrap();
        assert!(!item.is_enabled());
        item.enable().unwrap();
        assert!(item.is_enabled(), "the autostart dir is created as needed");
        assert_eq!(
            std::fs::read_to_string(config.join("autostart/CalWatch.desktop")).unwrap(),
            item.entry()
        );
        item.disable().unwrap();
        assert!(!item.is_enabled());
        item.disable()
            .expect("turning off what is already off is fine");
    }
}
