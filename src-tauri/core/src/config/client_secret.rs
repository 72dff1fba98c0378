//! Google's downloaded OAuth client file (`client_secret_….json`): accepted when it is a
//! "Desktop app" (`installed`) client, refused with a sentence saying what to download
//! instead otherwise.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::secrets::Sensitive;

/// Where a person creates the right kind of client, repeated in several messages.
const WHERE_TO_GET_ONE: &str = "In Google Cloud Console → APIs & Services → Credentials, \
create an OAuth client ID of type “Desktop app” and download its JSON";

/// The largest file taken for an OAuth client: Google's downloads are well under 1 KB, so
/// anything larger is the wrong file, and reading it whole would cost memory for nothing.
pub const MAX_CLIENT_SECRET_BYTES: u64 = 10 * 1024;

/// A "Desktop app" OAuth client, as Google's JSON download describes it.
///
/// Deliberately not `Serialize`: the file is copied as it came, and the secret stays wrapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSecret {
    /// The OAuth client id (`….apps.googleusercontent.com`).
    pub client_id: String,
    /// Not secret for desktop apps per Google, but kept out of logs all the same.
    pub client_secret: Sensitive<String>,
    /// The authorization endpoint the file names.
    pub auth_uri: String,
    /// The token endpoint the file names.
    pub token_uri: String,
    /// Redirect URIs registered for the client (Google's are `http://localhost`).
    pub redirect_uris: Vec<String>,
}

/// Why a chosen file is not a usable OAuth client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientSecretError {
    /// The file could not be opened or read.
    #[error("CalWatch could not read {path}: {reason}. Check the file is there and readable, or download the client JSON again from Google Cloud Console → APIs & Services → Credentials.")]
    Unreadable {
        /// The file chosen.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// Larger than any OAuth client file.
    #[error("{path} is larger than an OAuth client file ({MAX_CLIENT_SECRET_BYTES} bytes at most), so CalWatch did not read it. {WHERE_TO_GET_ONE}, then choose that file.")]
    TooLarge {
        /// The file chosen.
        path: PathBuf,
    },
    /// A FIFO, device, socket or folder: not something Google's download can be.
    #[error("{path} is not an ordinary file (it is a folder, device or pipe), so CalWatch did not read it. {WHERE_TO_GET_ONE}, then choose that file.")]
    NotAFile {
        /// The file chosen.
        path: PathBuf,
    },
    /// Not JSON at all.
    #[error("This file is not JSON, so it is not a Google OAuth client file. {WHERE_TO_GET_ONE} (the download button next to the client), then choose that file.")]
    NotJson,
    /// A "Web application" client: its redirect rules do not allow a desktop loopback sign-in.
    #[error("This is a “Web application” OAuth client; CalWatch signs in as a desktop app and needs a “Desktop app” client. {WHERE_TO_GET_ONE}.")]
    WebClient,
    /// JSON, but not an OAuth client download (a service-account key, say).
    #[error("This JSON file is not an OAuth client (it has no “installed” section; perhaps it is a service-account key or another download). {WHERE_TO_GET_ONE}.")]
    NotAnOAuthClient,
    /// An `installed` client lacking a field CalWatch needs.
    #[error("The OAuth client file has no “{0}”, so it cannot be used; it may have been edited or cut short. Download the Desktop app client's JSON again from Google Cloud Console → APIs & Services → Credentials.")]
    MissingField(&'static str),
    /// Valid, but the copy into the data dir could not be written.
    #[error("The OAuth client is fine, but CalWatch could not save a copy to {path}: {reason}. Check there is free space and the folder is writable.")]
    NotSaved {
        /// Where the copy was going.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
}

impl ClientSecretError {
    /// A stable code the window switches on.
    pub fn code(&self) -> &'static str {
        match self {
            ClientSecretError::Unreadable { .. } => "client_secret_unreadable",
            ClientSecretError::TooLarge { .. } => "client_secret_too_large",
            ClientSecretError::NotAFile { .. } => "client_secret_not_a_file",
            ClientSecretError::NotJson => "client_secret_not_json",
            ClientSecretError::WebClient => "client_secret_web_client",
            ClientSecretError::NotAnOAuthClient => "client_secret_not_oauth_client",
            ClientSecretError::MissingField(_) => "client_secret_missing_field",
            ClientSecretError::NotSaved { .. } => "client_secret_not_saved",
        }
    }
}

/// Reads the file as text, mapping failures to [`ClientSecretError::Unreadable`].
///
/// Only a regular file is opened (opening a FIFO would wait for a writer forever, a
/// device could stream without end), and at most [`MAX_CLIENT_SECRET_BYTES`] are read.
pub fn read(path: &Path) -> Result<String, ClientSecretError> {
    let unreadable = |reason: String| ClientSecretError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let not_a_file = || ClientSecretError::NotAFile {
        path: path.to_path_buf(),
    };
    // Checked before opening, and again on what was opened in case the path was swapped.
    let meta = std::fs::metadata(path).map_err(|e| unreadable(e.to_string()))?;
    if !meta.is_file() {
        return Err(not_a_file());
    }
    let file = std::fs::File::open(path).map_err(|e| unreadable(e.to_string()))?;
    let meta = file.metadata().map_err(|e| unreadable(e.to_string()))?;
    if !meta.is_file() {
        return Err(not_a_file());
    }
    let too_large = || ClientSecretError::TooLarge {
        path: path.to_path_buf(),
    };
    if meta.len() > MAX_CLIENT_SECRET_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    // One byte past the cap tells a file that grew since the check.
    file.take(MAX_CLIENT_SECRET_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(e.to_string()))?;
    if bytes.len() as u64 > MAX_CLIENT_SECRET_BYTES {
        return Err(too_large());
    }
    // Binary junk is "not JSON", not "unreadable": the file opened fine.
    String::from_utf8(bytes).map_err(|_| ClientSecretError::NotJson)
}

impl ClientSecret {
    /// Parses the text of Google's download.
    pub fn from_json(text: &str) -> Result<ClientSecret, ClientSecretError> {
        // A file re-saved by a Windows editor starts with a byte order mark; it is still JSON.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value: Value = serde_json::from_str(text).map_err(|_| ClientSecretError::NotJson)?;
        let Some(object) = value.as_object() else {
            return Err(ClientSecretError::NotAnOAuthClient);
        };
        let installed = match (object.get("installed"), object.get("web")) {
            (Some(installed), _) => installed,
            (None, Some(_)) => return Err(ClientSecretError::WebClient),
            (None, None) => return Err(ClientSecretError::NotAnOAuthClient),
        };
        let Some(installed) = installed.as_object() else {
            return Err(ClientSecretError::NotAnOAuthClient);
        };
        let field = |name: &'static str| -> Result<String, ClientSecretError> {
            installed
                .get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .ok_or(ClientSecretError::MissingField(name))
        };
        let redirect_uris = installed
            .get("redirect_uris")
            .and_then(Value::as_array)
            .map(|uris| {
                uris.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok(ClientSecret {
            client_id: field("client_id")?,
            client_secret: Sensitive::new(field("client_secret")?),
            auth_uri: field("auth_uri")?,
            token_uri: field("token_uri")?,
            redirect_uris,
        })
    }

    /// Reads and parses a file without copying it (see `Config::import_client_secret`).
    pub fn import(path: &Path) -> Result<ClientSecret, ClientSecretError> {
        ClientSecret::from_json(&read(path)?)
    }
}
