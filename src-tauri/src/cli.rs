//! The command line: `--version` and `--help` answer without starting the app (no window,
//! no engine, no second-instance hand-over); `--background` starts in the tray.

/// Passed by the login item: start in the tray, without the window.
pub const BACKGROUND_ARG: &str = "--background";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// Start the app; in the tray only when `background`.
    Run {
        /// Started by the login item: no window.
        background: bool,
    },
    /// Print this to stdout and exit successfully.
    Print(String),
    /// Print this to stderr and exit with status 2.
    Misuse(String),
}

/// The name and version people see, e.g. "CalWatch 0.2.0".
pub fn version_line() -> String {
    format!("CalWatch {}", env!("CARGO_PKG_VERSION"))
}

fn help() -> String {
    format!(
        "{}\n{}\n\n\
         Usage: calwatch [--background]\n\n\
         Options:\n  \
           --background  start in the tray without opening the window (start at login uses it)\n  \
           --version     print the version and exit\n  \
           --help        print this help and exit\n\n\
         Launching CalWatch while it runs opens the running one's window.\n\
         Environment variables (CALWATCH_DATA_DIR, CALWATCH_RECEIVER_ADDR, ...) are listed in\n\
         the README; the data (database, settings, logs) lives in CALWATCH_DATA_DIR, by default\n\
         ~/.local/share/calwatch ($XDG_DATA_HOME/calwatch).\n",
        version_line(),
        env!("CARGO_PKG_DESCRIPTION"),
    )
}

/// Reads the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Invocation {
    let mut background = false;
    for arg in args {
        match arg.as_str() {
            "--version" | "-V" => return Invocation::Print(format!("{}\n", version_line())),
            "--help" | "-h" => return Invocation::Print(help()),
            a if a == BACKGROUND_ARG => background = true,
            other => {
                return Invocation::Misuse(format!(
                    "calwatch: unknown argument “{other}”. Run `calwatch --help` for the options."
                ))
            }
        }
    }
    Invocation::Run { background }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Invocation {
        parse(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn version_and_help_answer_without_running() {
        assert_eq!(
            parse_strs(&["--version"]),
            Invocation::Print(format!("CalWatch {}\n", env!("CARGO_PKG_VERSION")))
        );
        let Invocation::Print(help) = parse_strs(&["--background", "--help"]) else {
            panic!("--help prints help even after other options");
        };
        assert!(
            help.contains("--background") && help.contains("--version"),
            "{help}"
        );
    }

    #[test]
    fn no_arguments_open_the_window_and_background_stays_in_the_tray() {
        assert_eq!(parse_strs(&[]), Invocation::Run { background: false });
        assert_eq!(
            parse_strs(&["--background"]),
            Invocation::Run { background: true }
        );
    }

    #[test]
    fn an_unknown_argument_says_where_the_options_are() {
        let Invocation::Misuse(text) = parse_strs(&["--bakground"]) else {
            panic!("a typo is not silently ignored");
        };
        assert!(
            text.contains("--bakground") && text.contains("--help"),
            "{text}"
        );
    }
}
