//! Re-exports OpenDP so that its `#[no_mangle] extern "C"` functions land in this static archive.
pub use opendp;
