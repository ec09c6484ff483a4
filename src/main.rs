//! The `uptick` binary: parse arguments, run the command, map the outcome to an exit code.
#![allow(clippy::print_stderr)]

use clap::Parser;
use uptick::commands::{self, ExitStatus};

fn main() {
    // A file-size limit (`ulimit -f`) would otherwise kill the process mid-write with
    // SIGXFSZ; ignored, the write fails with EFBIG and the run stops with a clear error,
    // leaving the previous report in place.
    // SAFETY: called before any other thread exists; SIG_IGN installs no handler code.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let cli = uptick::cli::Cli::parse();
    let status = match commands::run(cli) {
        Ok(status) => status,
        Err(err) => report_error(&err),
    };
    std::process::exit(status as i32);
}

/// Prints an error and its causes on one line each; a closed pipe is not an error.
fn report_error(err: &anyhow::Error) -> ExitStatus {
    for cause in err.chain() {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                return ExitStatus::Success;
            }
        }
    }
    uptick::say!("uptick: error: {err}");
    for cause in err.chain().skip(1) {
        uptick::say!("  caused by: {cause}");
    }
    ExitStatus::Error
}
