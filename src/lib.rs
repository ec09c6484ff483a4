//! uptick turns incident records (armed-conflict and terrorism events) into weekly series per
//! region, tests each region's recent weeks against its own rolling baseline, and reports
//! where activity is rising.
//!
//! Pipeline: [`ingest`] → [`aggregate`] → detect/compare → render + report, driven by a thin
//! CLI ([`cli`], [`commands`]). Polars stays in `ingest` and `aggregate`; everything after
//! works on the plain types in [`model`].
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

/// Writes a line to stderr, ignoring failures (a closed stderr must not abort a run).
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod aggregate;
pub mod analysis;
pub mod cli;
#[allow(clippy::print_stdout, clippy::print_stderr)]
pub mod commands;
pub mod compare;
pub mod config;
pub mod demo;
pub mod detect;
pub mod error;
pub mod export;
pub mod format;
pub mod ingest;
pub mod model;
pub mod render;
pub mod report;
pub mod settings;
pub mod stats;

pub use error::{Error, Result};
