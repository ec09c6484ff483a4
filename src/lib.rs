//! uptick turns incident records (armed-conflict and terrorism events) into weekly series per
//! region, tests each region's recent weeks against its own rolling baseline, and reports
//! where activity is rising.
//!
//! # Map of the crate
//! The pipeline, in order:
//! - [`cli`] (raw command-line values) → [`settings`] (flags over the report's [`config`] over
//!   defaults, validated once) → [`commands`] (one page of steps per subcommand).
//! - [`ingest`]: read and validate an export into [`ingest::Incidents`] and a ledger of every
//!   row kept, rejected or excluded ([`demo`] holds the bundled data).
//! - [`aggregate`]: weekly series per region ([`model`]), each starting where its source
//!   covers it.
//! - [`detect`]: the detectors ([`detect::nb`] by default; EARS, Farrington/Noufaily, CUSUM,
//!   trend), multiplicity control and typed outcomes; [`compare`]: two periods per region;
//!   [`clusters`]: space-time clusters whatever the borders (the permutation scan);
//!   [`analysis`]: what drove a rise; [`stats`]: distributions with R's conventions;
//!   [`evaluate`]: each method's false alarms, sensitivity and delay on the user's own data.
//! - [`render`]: charts (PNG, SVG); [`report`]: the weekly report's model, history, markdown and
//!   safe publishing; [`export`]: CSV, JSON, Parquet, tables and markdown over [`mod@format`].
//!
//! Polars stays in `ingest` and `aggregate`; everything after works on plain types. Errors are
//! one typed [`Error`]; `anyhow` appears only in `commands` and `main`.
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
pub mod clusters;
#[allow(clippy::print_stdout, clippy::print_stderr)]
pub mod commands;
pub mod compare;
pub mod config;
pub mod demo;
pub mod detect;
pub mod error;
pub mod evaluate;
pub mod export;
pub mod format;
pub mod ingest;
pub mod model;
pub mod notify;
pub mod render;
pub mod report;
pub mod settings;
pub mod sql;
pub mod stats;

pub use error::{Error, Result};
