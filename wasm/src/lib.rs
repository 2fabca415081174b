//! Placeholder until the wasm issue: the crate builds and links the core.
pub fn version() -> &'static str { env!("CARGO_PKG_VERSION") }
