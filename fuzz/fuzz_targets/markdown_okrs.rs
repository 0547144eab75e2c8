#![no_main]
//! Any bytes as a Markdown OKR document: never a panic, never a span outside the file.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::exercise("fuzz.md", data));
