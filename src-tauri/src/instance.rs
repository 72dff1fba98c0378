//! One CalWatch per data directory: two on the same one would fight over the store and the
//! receiver's port, while separate ones (tests, a second profile) may run side by side.
//! Its id, and on Linux the socket the running one listens on.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

/// The data directory's id. A hash that is the same in every build (Rust's
/// `DefaultHasher` may change between releases, and an upgraded binary would then miss
/// the running one). The path is hashed as text: exact for every UTF-8 path, and still
/// stable for the rare other one.
pub fn instance_id(data_dir: &Path) -> String {
    let digest = Sha256::digest(data_dir.to_string_lossy().as_bytes());
    // A D-Bus name element must not start with a digit: hence the `d`.
    let mut id = String::from("app.calwatch.desktop.d");
    for byte in &digest[..8] {
        let _ = write!(id, "{byte:02x}");
    }
    id
}

/// Where the running CalWatch of `data_dir` listens for its window and for later
/// launches: in the session's private runtime directory (`$XDG_RUNTIME_DIR`, only the
/// person can reach it), else in the data directory itself (also the person's alone).
pub fn socket_path(data_dir: &Path, runtime_dir: Option<PathBuf>) -> PathBuf {
    match runtime_dir.filter(|dir| dir.is_absolute()) {
        Some(dir) => dir.join(format!("{}.sock", instance_id(data_dir))),
        None => data_dir.join("calwatch.sock"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instance_id_of_a_data_dir_is_the_same_in_every_build() {
        // Pinned: a CalWatch built by another Rust release must find the running one.
        assert_eq!(
            instance_id(Path::new("/home/ada/.local/share/calwatch")),
            "app.calwatch.desktop.dca764ef1fb75900b"
        );
        assert_ne!(
            instance_id(Path::new("/home/ada/.local/share/calwatch")),
            instance_id(Path::new("/tmp/calwatch-test")),
            "another data dir is another instance"
        );
    }

    #[test]
    fn the_socket_is_in_the_runtime_dir_or_else_the_data_dir() {
        let data = Path::new("/home/ada/.local/share/calwatch");
        assert_eq!(
            socket_path(data, Some(PathBuf::from("/run/user/1000"))),
            PathBuf::from("/run/user/1000/app.calwatch.desktop.dca764ef1fb75900b.sock")
        );
        assert_eq!(
            socket_path(data, None),
            data.join("calwatch.sock"),
            "no runtime dir: the data dir"
        );
        assert_eq!(
            socket_path(data, Some(PathBuf::from("relative"))),
            data.join("calwatch.sock"),
            "a relative runtime dir is not one"
        );
    }
}
