//! Google's downloaded OAuth client file: accepted only as a "Desktop app" client, anything
//! else refused with a sentence; never a panic, and the secret never in the sentence.

#![no_main]

use calwatch_core::config::ClientSecret;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = ClientSecret::from_json(text) {
        let sentence = e.to_string();
        assert!(!sentence.is_empty());
        assert!(!e.code().is_empty());
    }
});
